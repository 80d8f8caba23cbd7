//! `src/extensions.ts`: its imports, the default-exported `app()` chain and its `.use(...)`
//! links, and the extensions it registers from outside the events folder.

use std::ops::Range;

use swc_common::Spanned;
use swc_ecma_ast::{
    Callee, Decl, Expr, ImportSpecifier, ModuleDecl, ModuleExportName, ModuleItem, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};
use wixsync_schema::{Diagnostic, EventRef, SourceFile};

use super::event_files::{
    BuilderExport, ExtensionDef, extension_call, module_extensions, scan_handler,
};
use super::{Dangling, OtherExtension, StrLit, str_value, unwrap_expr};
use crate::source::{ParsedModule, parse_module};
use crate::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH};

/// One import declaration of `src/extensions.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The whole statement's byte range.
    pub range: Range<usize>,
    /// The module specifier.
    pub specifier: StrLit,
    /// The default import's local name and its byte range.
    pub default: Option<(String, Range<usize>)>,
    /// Named imports: imported name, local name, and the specifier's byte range.
    pub named: Vec<NamedImport>,
    /// Whether the statement ends with `;`.
    pub semicolon: bool,
}

/// `imported as local` inside `import { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedImport {
    /// The exported name imported.
    pub imported: String,
    /// The local binding.
    pub local: String,
    /// The specifier's byte range.
    pub range: Range<usize>,
}

/// The argument of one `.use(...)` link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkArg {
    /// `.use(name)`
    Ident(String),
    /// `.use(extensions.event({...}))`: an extension defined inline.
    Inline(ExtensionDef),
    /// Anything else.
    Other,
}

/// One `.use(...)` link of the `app()` chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The argument.
    pub arg: LinkArg,
    /// The argument's byte range.
    pub arg_range: Range<usize>,
    /// From the `.` to the closing `)`.
    pub range: Range<usize>,
    /// The end of what comes before the link (`app()` or the previous link).
    pub prev_end: usize,
}

/// The default-exported `app().use(...)...` chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The byte range of the whole chain expression.
    pub range: Range<usize>,
    /// The links, in order.
    pub links: Vec<Link>,
}

/// `src/extensions.ts`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The file's text.
    pub text: String,
    /// Its import declarations, in order.
    pub imports: Vec<Import>,
    /// The registration chain.
    pub chain: Chain,
    /// Every name declared at the top level (imports, variables, functions, classes).
    pub bindings: Vec<String>,
}

/// Where a registration of an event folder stands in `src/extensions.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Index into [`Registry::imports`] of the import that binds the builder.
    pub import: usize,
    /// The local name the builder is bound to.
    pub local: String,
    /// The byte range of the binding in the import (the default name or `{ name }` specifier).
    pub binding_range: Range<usize>,
    /// Indexes into [`Chain::links`] of the `.use(local)` links.
    pub links: Vec<usize>,
}

impl Registry {
    /// The indexes of the imports whose specifier points to `path` (relative to the app root,
    /// with or without its `.ts`).
    pub fn imports_of(&self, path: &str) -> Vec<usize> {
        let target = path.strip_suffix(".ts").unwrap_or(path);
        self.imports
            .iter()
            .enumerate()
            .filter(|(_, i)| resolve_specifier(&i.specifier.value).as_deref() == Some(target))
            .map(|(index, _)| index)
            .collect()
    }

    /// The registration of the builder at `builder_path` (relative to the app root) exported
    /// as `export`, if an import binds it.
    pub fn registration(&self, builder_path: &str, export: &BuilderExport) -> Option<Registration> {
        self.imports_of(builder_path).into_iter().find_map(|i| {
            let import = &self.imports[i];
            let (local, binding_range) = match export {
                BuilderExport::Default => import.default.clone()?,
                BuilderExport::Named { name, .. } => import
                    .named
                    .iter()
                    .find(|n| &n.imported == name)
                    .map(|n| (n.local.clone(), n.range.clone()))?,
            };
            let links = self
                .chain
                .links
                .iter()
                .enumerate()
                .filter(|(_, link)| link.arg == LinkArg::Ident(local.clone()))
                .map(|(i, _)| i)
                .collect();
            Some(Registration {
                import: i,
                local,
                binding_range,
                links,
            })
        })
    }
}

/// The app-root-relative path (without `.ts`/`.js`) an import specifier of
/// `src/extensions.ts` points to, for relative specifiers.
fn resolve_specifier(specifier: &str) -> Option<String> {
    let rest = specifier.strip_prefix("./")?;
    let rest = rest
        .strip_suffix(".ts")
        .or_else(|| rest.strip_suffix(".js"))
        .unwrap_or(rest);
    Some(format!("src/{rest}"))
}

/// The tree path a relative import of `src/extensions.ts` resolves to, as TypeScript's
/// bundler resolution would find it: `Ok(path)`, `Err(expected)` when nothing is there, or
/// `None` for a specifier that is not a relative TypeScript import.
fn resolve_in_tree(tree: &AppTree, specifier: &str) -> Option<Result<String, String>> {
    let rest = specifier.strip_prefix("./")?;
    let base = format!("src/{rest}");
    let file_name = rest.rsplit('/').next().unwrap_or(rest);
    let extension = file_name.rsplit_once('.').map(|(_, e)| e);
    let candidates: Vec<String> = match extension {
        Some("ts" | "tsx" | "mts") => vec![base.clone()],
        Some("js") => vec![format!("{}.ts", &base[..base.len() - 3]), base.clone()],
        Some("extension") | None => vec![
            format!("{base}.ts"),
            format!("{base}.tsx"),
            format!("{base}/index.ts"),
        ],
        Some(_) => return None,
    };
    Some(
        candidates
            .iter()
            .find(|c| tree.contains(c))
            .cloned()
            .ok_or(base),
    )
}

/// The registered extensions outside the events folder, and the dangling registrations.
pub(crate) fn scan_others(
    tree: &AppTree,
    registry: &Registry,
) -> (Vec<OtherExtension>, Vec<Dangling>) {
    let mut others = Vec::new();
    let mut dangling = Vec::new();
    let handler_event = |def: &ExtensionDef| -> Option<EventRef> {
        let path = format!("src/{}", def.source.as_ref()?.value.strip_prefix("./")?);
        let (subscription, _) = scan_handler(&path, tree.text(&path)?).ok()?;
        Some(subscription?.event)
    };
    for (index, import) in registry.imports.iter().enumerate() {
        match resolve_in_tree(tree, &import.specifier.value) {
            None => {}
            Some(Err(target)) => dangling.push(Dangling {
                import: index,
                target,
            }),
            Some(Ok(path)) if path.starts_with(&format!("{EVENTS_DIR}/")) => {}
            Some(Ok(path)) => {
                let Some(Ok(parsed)) = tree.text(&path).map(|text| parse_module(&path, text))
                else {
                    continue;
                };
                for (def, _) in module_extensions(&parsed) {
                    let event = if def.kind == "event" {
                        handler_event(&def)
                    } else {
                        None
                    };
                    others.push(OtherExtension {
                        path: path.clone(),
                        def,
                        event,
                    });
                }
            }
        }
    }
    for link in &registry.chain.links {
        if let LinkArg::Inline(def) = &link.arg {
            let event = if def.kind == "event" {
                handler_event(def)
            } else {
                None
            };
            others.push(OtherExtension {
                path: REGISTRY_PATH.to_owned(),
                def: def.clone(),
                event,
            });
        }
    }
    (others, dangling)
}

/// Finds `.use(...)` calls that are not links of the exported chain: registration by a loop,
/// a helper function or a second statement, which wixsync cannot extend safely.
struct StrayUses<'a> {
    chain: &'a Range<usize>,
    parsed: &'a ParsedModule,
    found: Option<Range<usize>>,
}

impl Visit for StrayUses<'_> {
    fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
        if let Callee::Expr(callee) = &call.callee
            && let Expr::Member(member) = unwrap_expr(callee)
            && member.prop.as_ident().is_some_and(|p| p.sym == "use")
        {
            let range = self.parsed.range(call.span);
            let inside = range.start >= self.chain.start && range.end <= self.chain.end;
            if !inside && self.found.is_none() {
                self.found = Some(range);
            }
        }
        call.visit_children_with(self);
    }
}

fn registry_error(
    source: &SourceFile,
    range: Range<usize>,
    message: &str,
    help: &str,
) -> Diagnostic {
    Diagnostic::error("registry::shape", message)
        .in_source(source)
        .label(range.start, range.end - range.start, "here")
        .help(help)
}

pub(crate) fn scan_registry(text: &str) -> Result<Registry, Diagnostic> {
    let parsed = parse_module(REGISTRY_PATH, text)?;
    let source = SourceFile::new(REGISTRY_PATH, text);
    let mut imports = Vec::new();
    let mut bindings = Vec::new();
    let mut chain_expr = None;
    // `const name = <init>` at the top level, for `export default name`.
    let mut initializers: Vec<(String, &Box<Expr>)> = Vec::new();
    for item in &parsed.module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::Import(import)) => {
                let range = parsed.range(import.span);
                let mut default = None;
                let mut named = Vec::new();
                for spec in &import.specifiers {
                    match spec {
                        ImportSpecifier::Default(d) => {
                            bindings.push(d.local.sym.to_string());
                            default = Some((d.local.sym.to_string(), parsed.range(d.local.span)));
                        }
                        ImportSpecifier::Named(n) => {
                            bindings.push(n.local.sym.to_string());
                            let imported = match &n.imported {
                                Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                                Some(ModuleExportName::Str(s)) => str_value(s),
                                None => n.local.sym.to_string(),
                            };
                            named.push(NamedImport {
                                imported,
                                local: n.local.sym.to_string(),
                                range: parsed.range(n.span),
                            });
                        }
                        ImportSpecifier::Namespace(ns) => bindings.push(ns.local.sym.to_string()),
                    }
                }
                imports.push(Import {
                    semicolon: text[range.clone()].ends_with(';'),
                    range,
                    specifier: StrLit {
                        value: str_value(&import.src),
                        range: parsed.range(import.src.span),
                    },
                    default,
                    named,
                });
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                chain_expr = Some(&export.expr);
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(export)) => {
                return Err(registry_error(
                    &source,
                    parsed.range(export.span),
                    "the default export of src/extensions.ts is a declaration, not an `app()` chain",
                    "export the app builder: `export default app().use(...)`",
                ));
            }
            ModuleItem::Stmt(Stmt::Decl(decl)) => match decl {
                Decl::Var(var) => {
                    for declarator in &var.decls {
                        if let Some(name) = declarator.name.as_ident() {
                            bindings.push(name.id.sym.to_string());
                            if let Some(init) = &declarator.init {
                                initializers.push((name.id.sym.to_string(), init));
                            }
                        }
                    }
                }
                Decl::Fn(f) => bindings.push(f.ident.sym.to_string()),
                Decl::Class(c) => bindings.push(c.ident.sym.to_string()),
                _ => {}
            },
            _ => {}
        }
    }
    let Some(expr) = chain_expr else {
        return Err(Diagnostic::error(
            "registry::no-default-export",
            "src/extensions.ts has no default export",
        )
        .in_source(&source)
        .help(
            "@wix/astro takes the default export of src/extensions.ts: end it with \
             `export default app().use(...)`",
        ));
    };
    // `const builder = app().use(...); export default builder;`
    let expr = match unwrap_expr(expr) {
        Expr::Ident(name) => initializers
            .iter()
            .rev()
            .find(|(n, _)| name.sym == *n)
            .map(|(_, init)| *init)
            .ok_or_else(|| {
                registry_error(
                    &source,
                    parsed.range(name.span),
                    &format!(
                        "the default export of src/extensions.ts, `{}`, is not a `const` holding an `app()` chain",
                        name.sym
                    ),
                    "export the app builder: `export default app().use(...)`, or \
                     `const builder = app().use(...);` followed by `export default builder;`",
                )
            })?,
        _ => expr,
    };
    let chain = scan_chain(&parsed, &source, expr)?;
    let mut stray = StrayUses {
        chain: &chain.range,
        parsed: &parsed,
        found: None,
    };
    parsed.module.visit_with(&mut stray);
    if let Some(range) = stray.found {
        return Err(registry_error(
            &source,
            range,
            "src/extensions.ts registers extensions outside the exported `app()` chain",
            "wixsync can only extend one `export default app().use(a).use(b)` chain: move every \
             `.use(...)` into that chain, then run wixsync again",
        ));
    }
    Ok(Registry {
        text: text.to_owned(),
        imports,
        chain,
        bindings,
    })
}

fn scan_chain(
    parsed: &ParsedModule,
    source: &SourceFile,
    expr: &Expr,
) -> Result<Chain, Diagnostic> {
    let not_a_chain = |range: Range<usize>| {
        registry_error(
            source,
            range,
            "the default export of src/extensions.ts is not an `app()` chain",
            "wixsync edits `export default app().use(a).use(b)`: write the default export in \
             that shape, then run wixsync again",
        )
    };
    let range = parsed.range(expr.span());
    let mut links = Vec::new();
    let mut current = unwrap_expr(expr);
    loop {
        let Expr::Call(call) = current else {
            return Err(not_a_chain(parsed.range(current.span())));
        };
        let Callee::Expr(callee) = &call.callee else {
            return Err(not_a_chain(parsed.range(call.span)));
        };
        match unwrap_expr(callee) {
            Expr::Ident(ident) if ident.sym == "app" => break,
            Expr::Member(member) if member.prop.as_ident().is_some_and(|p| p.sym == "use") => {
                let [arg] = &call.args[..] else {
                    return Err(not_a_chain(parsed.range(call.span)));
                };
                if arg.spread.is_some() {
                    return Err(registry_error(
                        source,
                        parsed.range(call.span),
                        "src/extensions.ts registers extensions by a spread",
                        "list each extension in its own `.use(name)` link, then run wixsync again",
                    ));
                }
                let prev_end = parsed.range(member.obj.span()).end;
                let call_range = parsed.range(call.span);
                let dot = source.text()[prev_end..call_range.end]
                    .find('.')
                    .map_or(prev_end, |i| prev_end + i);
                links.push(Link {
                    arg: match unwrap_expr(&arg.expr) {
                        Expr::Ident(i) => LinkArg::Ident(i.sym.to_string()),
                        other => {
                            extension_call(parsed, other).map_or(LinkArg::Other, LinkArg::Inline)
                        }
                    },
                    arg_range: parsed.range(arg.expr.span()),
                    range: dot..call_range.end,
                    prev_end,
                });
                current = unwrap_expr(&member.obj);
            }
            _ => return Err(not_a_chain(parsed.range(call.span))),
        }
    }
    links.reverse();
    Ok(Chain { range, links })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "import { app } from '@wix/astro/builders';\nimport myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts';\n\nexport default app()\n  .use(myPage)\n";

    #[test]
    fn registry_of_the_template() {
        let registry = scan_registry(TEMPLATE).unwrap();
        assert_eq!(registry.imports.len(), 2);
        assert_eq!(registry.bindings, ["app", "myPage"]);
        let link = &registry.chain.links[0];
        assert_eq!(link.arg, LinkArg::Ident("myPage".into()));
        assert_eq!(&TEMPLATE[link.range.clone()], ".use(myPage)");
        assert_eq!(&TEMPLATE[link.prev_end..link.range.start], "\n  ");
    }

    #[test]
    fn one_line_chain_links_in_order() {
        let text =
            "import { app } from '@wix/astro/builders';\nexport default app().use(a).use(b);";
        let registry = scan_registry(text).unwrap();
        let args: Vec<&str> = registry
            .chain
            .links
            .iter()
            .map(|l| &text[l.arg_range.clone()])
            .collect();
        assert_eq!(args, ["a", "b"]);
        assert_eq!(&text[registry.chain.range.clone()], "app().use(a).use(b)");
    }

    #[test]
    fn loops_are_refused() {
        let text = "import { app } from '@wix/astro/builders';\nconst b = app();\nObject.values(all).forEach((e) => b.use(e));\nexport default app();\n";
        let error = scan_registry(text).unwrap_err();
        assert_eq!(error.location().unwrap(), "src/extensions.ts:3:35");
    }
}
