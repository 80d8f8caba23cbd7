//! The test's own reading of an app, with SWC directly: what `src/extensions.ts` imports and
//! registers, what each builder says (`id`, `source`), what each handler subscribes to.
//!
//! It must not use wixsync's scanner, parser or tree: a check built on the code under test
//! cannot catch that code's bugs. It reads only the shapes the lifecycle generator writes
//! and wixsync produces from them (and says so when it meets another), so it stays small
//! enough to be obviously right.

use std::ops::Range;

use swc_common::BytePos;
use swc_common::input::StringInput;
use swc_ecma_ast::{
    Callee, Decl, EsVersion, Expr, ImportSpecifier, Lit, MemberProp, Module, ModuleDecl,
    ModuleExportName, ModuleItem, Pat, Prop, PropName, PropOrSpread, Stmt, Str,
};
use swc_ecma_parser::lexer::Lexer;
use swc_ecma_parser::{Parser, Syntax, TsSyntax};

/// A parsed file: its text without the byte-order mark, and its module.
pub struct Parsed {
    /// The text SWC parsed: the file's text without a leading byte-order mark.
    pub code: String,
    pub module: Module,
}

impl Parsed {
    /// The byte range in [`Parsed::code`] of SWC positions `lo..hi` (SWC counts from 1).
    fn range(&self, lo: BytePos, hi: BytePos) -> Range<usize> {
        (lo.0 - 1) as usize..(hi.0 - 1) as usize
    }
}

/// Parses `text` as TypeScript (with JSX when `tsx`), after cutting a byte-order mark.
///
/// # Errors
///
/// SWC's first error, as text.
pub fn parse(text: &str, tsx: bool) -> Result<Parsed, String> {
    let code = text.strip_prefix('\u{feff}').unwrap_or(text).to_owned();
    let syntax = Syntax::Typescript(TsSyntax {
        tsx,
        ..Default::default()
    });
    let input = StringInput::new(&code, BytePos(1), BytePos(1 + code.len() as u32));
    let mut parser = Parser::new_from(Lexer::new(syntax, EsVersion::latest(), input, None));
    let module = parser
        .parse_module()
        .map_err(|error| format!("{:?}", error.kind().msg()))?;
    if let Some(error) = parser.take_errors().into_iter().next() {
        return Err(format!("{:?}", error.kind().msg()));
    }
    Ok(Parsed { code, module })
}

fn string(s: &Str) -> String {
    s.value.to_string_lossy().into_owned()
}

/// One binding of an import declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The local name.
    pub local: String,
    /// The exported name it binds: `None` for the default export.
    pub imported: Option<String>,
    /// The module specifier, as written.
    pub specifier: String,
}

/// Every binding of every import of `module`.
pub fn imports(module: &Module) -> Vec<Import> {
    let mut out = Vec::new();
    for item in &module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item else {
            continue;
        };
        let specifier = string(&import.src);
        for binding in &import.specifiers {
            let (local, imported) = match binding {
                ImportSpecifier::Default(default) => (default.local.sym.to_string(), None),
                ImportSpecifier::Named(named) => {
                    let local = named.local.sym.to_string();
                    let imported = match &named.imported {
                        Some(ModuleExportName::Ident(ident)) => ident.sym.to_string(),
                        Some(ModuleExportName::Str(s)) => string(s),
                        None => local.clone(),
                    };
                    (local, Some(imported))
                }
                ImportSpecifier::Namespace(star) => (star.local.sym.to_string(), None),
            };
            out.push(Import {
                local,
                imported,
                specifier: specifier.clone(),
            });
        }
    }
    out
}

/// The registry's default export: the `.use(...)` arguments of its `app()` chain, in order
/// (an identifier's name, or `None` for any other argument), and the chain's byte range in
/// [`Parsed::code`].
#[derive(Debug)]
pub struct Chain {
    pub uses: Vec<Option<String>>,
    pub range: Range<usize>,
}

/// The default export's chain, following `export default builder` to `const builder = ...`.
///
/// # Errors
///
/// No default export, or one that is not `app()` followed by `.use(...)` calls.
pub fn default_chain(parsed: &Parsed) -> Result<Chain, String> {
    let module = &parsed.module;
    let mut expr = module
        .body
        .iter()
        .find_map(|item| match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => Some(&*export.expr),
            _ => None,
        })
        .ok_or("no `export default <expression>`")?;
    if let Expr::Ident(name) = expr {
        expr = module
            .body
            .iter()
            .filter_map(|item| match item {
                ModuleItem::Stmt(Stmt::Decl(Decl::Var(var))) => Some(var),
                _ => None,
            })
            .flat_map(|var| &var.decls)
            .find(|decl| matches!(&decl.name, Pat::Ident(id) if id.id.sym == name.sym))
            .and_then(|decl| decl.init.as_deref())
            .ok_or_else(|| format!("no `const {} = ...`", name.sym))?;
    }
    let span = match expr {
        Expr::Call(call) => call.span,
        _ => return Err("the default export is not a call".to_owned()),
    };
    let mut uses = Vec::new();
    let mut link = expr;
    loop {
        let Expr::Call(call) = link else {
            return Err("a link of the chain is not a call".to_owned());
        };
        let Callee::Expr(callee) = &call.callee else {
            return Err("a call of the chain has no callee expression".to_owned());
        };
        match &**callee {
            Expr::Ident(app) if app.sym == "app" && call.args.is_empty() => break,
            Expr::Member(member)
                if matches!(&member.prop, MemberProp::Ident(prop) if prop.sym == "use")
                    && call.args.len() == 1 =>
            {
                let arg = &call.args[0];
                uses.push(match &*arg.expr {
                    Expr::Ident(ident) if arg.spread.is_none() => Some(ident.sym.to_string()),
                    _ => None,
                });
                link = &member.obj;
            }
            _ => return Err("the chain holds a call other than `app()` and `.use(x)`".to_owned()),
        }
    }
    uses.reverse();
    Ok(Chain {
        uses,
        range: parsed.range(span.lo, span.hi),
    })
}

/// What an event builder says: the name its `extensions.event({...})` is exported by
/// (`None` for the default export), and its `id` and `source` strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    pub export: Option<String>,
    pub id: Option<String>,
    pub source: Option<String>,
}

/// The `extensions.event({...})` the builder file `module` exports.
///
/// # Errors
///
/// No export of such a call.
pub fn builder(module: &Module) -> Result<Builder, String> {
    for item in &module.body {
        let (export, expr) = match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => (None, &*export.expr),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => {
                let Decl::Var(var) = &export.decl else {
                    continue;
                };
                let [decl] = var.decls.as_slice() else {
                    continue;
                };
                let (Pat::Ident(name), Some(init)) = (&decl.name, &decl.init) else {
                    continue;
                };
                (Some(name.id.sym.to_string()), &**init)
            }
            _ => continue,
        };
        let Expr::Call(call) = expr else { continue };
        let Callee::Expr(callee) = &call.callee else {
            continue;
        };
        let is_event = matches!(&**callee, Expr::Member(member)
            if matches!(&*member.obj, Expr::Ident(obj) if obj.sym == "extensions")
                && matches!(&member.prop, MemberProp::Ident(prop) if prop.sym == "event"));
        if !is_event {
            continue;
        }
        let Some(Expr::Object(object)) = call.args.first().map(|arg| &*arg.expr) else {
            continue;
        };
        let field = |key: &str| {
            object.props.iter().find_map(|prop| {
                let PropOrSpread::Prop(prop) = prop else {
                    return None;
                };
                let Prop::KeyValue(kv) = &**prop else {
                    return None;
                };
                let named = match &kv.key {
                    PropName::Ident(ident) => ident.sym == key,
                    PropName::Str(s) => string(s) == key,
                    _ => false,
                };
                match &*kv.value {
                    Expr::Lit(Lit::Str(value)) if named => Some(string(value)),
                    _ => None,
                }
            })
        };
        return Ok(Builder {
            export,
            id: field("id"),
            source: field("source"),
        });
    }
    Err("no exported `extensions.event({...})`".to_owned())
}

/// The event a handler file subscribes to, as `package.namespace.function` (the package
/// without `@wix/`): its default export `namespace.function(...)`, with `namespace` imported
/// by name from `@wix/package`.
///
/// # Errors
///
/// The default export is not such a call, or its namespace is not imported from `@wix/*`.
pub fn subscription(module: &Module) -> Result<String, String> {
    let expr = module
        .body
        .iter()
        .find_map(|item| match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => Some(&*export.expr),
            _ => None,
        })
        .ok_or("no `export default <expression>`")?;
    let Expr::Call(call) = expr else {
        return Err("the default export is not a call".to_owned());
    };
    let Callee::Expr(callee) = &call.callee else {
        return Err("the default export calls no expression".to_owned());
    };
    let Expr::Member(member) = &**callee else {
        return Err("the default export is not `namespace.function(...)`".to_owned());
    };
    let (Expr::Ident(namespace), MemberProp::Ident(function)) = (&*member.obj, &member.prop) else {
        return Err("the default export is not `namespace.function(...)`".to_owned());
    };
    let import = imports(module)
        .into_iter()
        .find(|import| import.local == namespace.sym.as_str())
        .ok_or_else(|| format!("`{}` is not imported", namespace.sym))?;
    let package = import
        .specifier
        .strip_prefix("@wix/")
        .ok_or_else(|| format!("`{}` is imported from {}", namespace.sym, import.specifier))?;
    let imported = import.imported.unwrap_or_default();
    Ok(format!("{package}.{imported}.{}", function.sym))
}
