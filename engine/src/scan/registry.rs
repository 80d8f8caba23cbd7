//! `src/extensions.ts`: its imports, the default-exported `app()` chain and its `.use(...)`
//! links, and the extensions it registers from outside the events folder.

use std::ops::Range;

use swc_common::Spanned;
use swc_ecma_ast::{
    Callee, Decl, Expr, ImportSpecifier, ModuleDecl, ModuleExportName, ModuleItem, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};
use wixsync_schema::EventRef;

use super::event_files::{ExtensionDef, extension_call, module_extensions, scan_handler};
use super::style::{RegistryStyle, registry_style};
use super::trivia::{Decor, Trivia};
use super::{Dangling, OtherExtension, ScanError, StrLit, str_value, unwrap_expr};
use crate::parse::{ParsedModule, parse_module};
use crate::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH};

/// One import declaration of `src/extensions.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The whole statement's byte range.
    pub range: Range<usize>,
    /// The trivia around the statement.
    pub decor: Decor,
    /// The module specifier.
    pub specifier: StrLit,
    /// The default import.
    pub default: Option<Binding>,
    /// Named imports, in order.
    pub named: Vec<NamedImport>,
    /// Whether the statement ends with `;`.
    pub semicolon: bool,
}

impl Import {
    /// How many names the statement binds by default or by name.
    pub fn binding_count(&self) -> usize {
        self.named.len() + usize::from(self.default.is_some())
    }

    /// The local names the statement binds by default or by name, in order.
    pub fn locals(&self) -> impl Iterator<Item = &str> {
        self.default
            .iter()
            .map(|d| d.local.as_str())
            .chain(self.named.iter().map(|n| n.local.as_str()))
    }
}

/// A default import's local name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The local binding.
    pub local: String,
    /// The name's byte range.
    pub range: Range<usize>,
}

/// `imported as local` inside `import { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedImport {
    /// The exported name imported.
    pub imported: String,
    /// The byte range of the imported name as written (the whole specifier without `as`).
    pub imported_range: Range<usize>,
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
    /// Whether a comment stands between `prev_end` and the link.
    pub lead_has_comment: bool,
    /// The trivia around the link.
    pub decor: Decor,
}

/// The default-exported `app().use(...)...` chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The byte range of the whole chain expression.
    pub range: Range<usize>,
    /// The links, in order.
    pub links: Vec<Link>,
    /// Whether the chain spans more than one line.
    pub multiline: bool,
    /// The trivia around the `app()` call that heads the chain.
    pub head_decor: Decor,
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
    /// The file's style, for what wixsync adds to it.
    pub style: RegistryStyle,
    /// Where a first import goes when the file has none: after a byte-order mark.
    pub start: usize,
    /// Every use of an imported name outside its import, in file order.
    pub references: Vec<Reference>,
    /// Top-level `const alias = importedName;` declarations.
    pub aliases: Vec<Alias>,
}

/// A use of an imported name in `src/extensions.ts`, outside its import declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The imported local name used.
    pub local: String,
    /// The identifier's byte range.
    pub range: Range<usize>,
    /// Whether it is the argument of a `.use(...)` link of the exported chain, which wixsync
    /// owns; any other use (`export const all = [a, b]`, an alias) is the app's own code.
    pub in_chain: bool,
}

/// `const alias = name;` at the top level, `name` being an imported local: `.use(alias)`
/// registers what `name` binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The alias.
    pub name: String,
    /// The imported local it stands for.
    pub target: String,
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
    /// For a named import, the byte range of the imported name (`eventA` in
    /// `{ eventA as a }`); for a default import, the binding's range.
    pub imported_range: Range<usize>,
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
    /// as `export` (`None` for its default export), if an import binds it.
    pub fn registration(&self, builder_path: &str, export: Option<&str>) -> Option<Registration> {
        self.imports_of(builder_path).into_iter().find_map(|i| {
            let import = &self.imports[i];
            let (local, binding_range, imported_range) = match export {
                None => import
                    .default
                    .as_ref()
                    .map(|d| (d.local.clone(), d.range.clone(), d.range.clone()))?,
                Some(name) => import.named.iter().find(|n| n.imported == name).map(|n| {
                    (n.local.clone(), n.range.clone(), n.imported_range.clone())
                })?,
            };
            // `.use(local)`, or `.use(alias)` of a `const alias = local;`.
            let names: Vec<&str> = std::iter::once(local.as_str())
                .chain(
                    self.aliases
                        .iter()
                        .filter(|a| a.target == local)
                        .map(|a| a.name.as_str()),
                )
                .collect();
            let links = self
                .chain
                .links
                .iter()
                .enumerate()
                .filter(|(_, link)| matches!(&link.arg, LinkArg::Ident(n) if names.contains(&n.as_str())))
                .map(|(i, _)| i)
                .collect();
            Some(Registration {
                import: i,
                local,
                binding_range,
                imported_range,
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
        let path = def.source_path()?;
        let facts = scan_handler(&path, tree.text(&path)?).ok()?;
        Some(facts.subscription?.event)
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
                for (def, _, _) in module_extensions(&parsed) {
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

/// Collects the uses of imported names (identifiers in expression position; property names and
/// object keys are not identifiers in SWC's tree).
struct References<'a> {
    locals: &'a [String],
    parsed: &'a ParsedModule<'a>,
    /// Where the chain's link arguments start.
    link_args: std::collections::HashSet<usize>,
    found: Vec<Reference>,
}

impl Visit for References<'_> {
    fn visit_ident(&mut self, ident: &swc_ecma_ast::Ident) {
        if self.locals.iter().any(|l| ident.sym == *l) {
            let range = self.parsed.range(ident.span);
            let in_chain = self.link_args.contains(&range.start);
            self.found.push(Reference {
                local: ident.sym.to_string(),
                range,
                in_chain,
            });
        }
    }
}

/// Finds `.use(...)` calls that are not links of the exported chain: registration by a loop,
/// a helper function or a second statement, which wixsync cannot extend safely.
struct StrayUses<'a> {
    chain: &'a Range<usize>,
    parsed: &'a ParsedModule<'a>,
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

/// A `src/extensions.ts` whose registrations wixsync cannot edit safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryShape {
    /// `export default function ...` or `class`: a declaration, not an `app()` chain.
    DeclarationExported,
    /// No `export default` at all.
    NoDefaultExport,
    /// `export default name` where `name` is not a top-level `const` holding a chain.
    ExportedNameNotAChain,
    /// The default export is some other expression.
    NotAChain,
    /// `.use(...spread)`.
    Spread,
    /// A `.use(...)` outside the exported chain: a loop, a helper, a second statement.
    UseOutsideChain,
    /// A name an import binds that an import or a declaration before it bound already (the
    /// range is the second binding): TypeScript rejects it ("Duplicate identifier"), and which
    /// file a `.use(name)` registers is ambiguous.
    DuplicateImport,
}

fn shape_error(shape: RegistryShape, range: Range<usize>) -> ScanError {
    ScanError::Registry { shape, range }
}

pub(crate) fn scan_registry(text: &str) -> Result<Registry, ScanError> {
    let parsed = parse_module(REGISTRY_PATH, text).map_err(ScanError::Syntax)?;
    let trivia = Trivia::new(text, &parsed);
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
                    let local = match spec {
                        ImportSpecifier::Default(d) => &d.local,
                        ImportSpecifier::Named(n) => &n.local,
                        ImportSpecifier::Namespace(ns) => &ns.local,
                    };
                    // A name bound twice is refused (see `RegistryShape::DuplicateImport`).
                    if bindings.iter().any(|name: &String| local.sym == *name) {
                        return Err(shape_error(
                            RegistryShape::DuplicateImport,
                            parsed.range(local.span),
                        ));
                    }
                    bindings.push(local.sym.to_string());
                    match spec {
                        ImportSpecifier::Default(d) => {
                            default = Some(Binding {
                                local: d.local.sym.to_string(),
                                range: parsed.range(d.local.span),
                            });
                        }
                        ImportSpecifier::Named(n) => {
                            let (imported, imported_range) = match &n.imported {
                                Some(ModuleExportName::Ident(i)) => {
                                    (i.sym.to_string(), parsed.range(i.span))
                                }
                                Some(ModuleExportName::Str(s)) => {
                                    (str_value(s), parsed.range(s.span))
                                }
                                None => (n.local.sym.to_string(), parsed.range(n.local.span)),
                            };
                            named.push(NamedImport {
                                imported,
                                imported_range,
                                local: n.local.sym.to_string(),
                                range: parsed.range(n.span),
                            });
                        }
                        ImportSpecifier::Namespace(_) => {}
                    }
                }
                imports.push(Import {
                    semicolon: text[range.clone()].ends_with(';'),
                    decor: trivia.decor(&range),
                    range,
                    specifier: StrLit::new(
                        text,
                        str_value(&import.src),
                        parsed.range(import.src.span),
                    ),
                    default,
                    named,
                });
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                chain_expr = Some(&export.expr);
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(export)) => {
                return Err(shape_error(
                    RegistryShape::DeclarationExported,
                    parsed.range(export.span),
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
        return Err(shape_error(RegistryShape::NoDefaultExport, 0..0));
    };
    // `const builder = app().use(...); export default builder;`
    let expr = match unwrap_expr(expr) {
        Expr::Ident(name) => initializers
            .iter()
            .rev()
            .find(|(n, _)| name.sym == *n)
            .map(|(_, init)| *init)
            .ok_or_else(|| {
                shape_error(
                    RegistryShape::ExportedNameNotAChain,
                    parsed.range(name.span),
                )
            })?,
        _ => expr,
    };
    let chain = scan_chain(&parsed, &trivia, expr)?;
    let mut stray = StrayUses {
        chain: &chain.range,
        parsed: &parsed,
        found: None,
    };
    parsed.module.visit_with(&mut stray);
    if let Some(range) = stray.found {
        return Err(shape_error(RegistryShape::UseOutsideChain, range));
    }
    let style = registry_style(&imports, text);
    let locals: Vec<String> = imports
        .iter()
        .flat_map(|i| {
            i.default
                .iter()
                .map(|d| d.local.clone())
                .chain(i.named.iter().map(|n| n.local.clone()))
        })
        .collect();
    let aliases = initializers
        .iter()
        .filter_map(|(name, init)| match unwrap_expr(init) {
            Expr::Ident(target) if locals.iter().any(|l| target.sym == *l) => Some(Alias {
                name: name.clone(),
                target: target.sym.to_string(),
            }),
            _ => None,
        })
        .collect();
    let mut finder = References {
        locals: &locals,
        parsed: &parsed,
        link_args: chain.links.iter().map(|l| l.arg_range.start).collect(),
        found: Vec::new(),
    };
    for item in &parsed.module.body {
        if !matches!(item, ModuleItem::ModuleDecl(ModuleDecl::Import(_))) {
            item.visit_with(&mut finder);
        }
    }
    let references = finder.found;
    Ok(Registry {
        references,
        aliases,
        text: text.to_owned(),
        start: parsed.bom_len,
        imports,
        chain,
        bindings,
        style,
    })
}

fn scan_chain(
    parsed: &ParsedModule<'_>,
    trivia: &Trivia<'_>,
    expr: &Expr,
) -> Result<Chain, ScanError> {
    let not_a_chain = |range: Range<usize>| shape_error(RegistryShape::NotAChain, range);
    let range = parsed.range(expr.span());
    let mut links = Vec::new();
    let head;
    let mut current = unwrap_expr(expr);
    loop {
        let Expr::Call(call) = current else {
            return Err(not_a_chain(parsed.range(current.span())));
        };
        let Callee::Expr(callee) = &call.callee else {
            return Err(not_a_chain(parsed.range(call.span)));
        };
        match unwrap_expr(callee) {
            Expr::Ident(ident) if ident.sym == "app" => {
                head = parsed.range(call.span);
                break;
            }
            Expr::Member(member) if member.prop.as_ident().is_some_and(|p| p.sym == "use") => {
                let [arg] = &call.args[..] else {
                    return Err(not_a_chain(parsed.range(call.span)));
                };
                if arg.spread.is_some() {
                    return Err(shape_error(RegistryShape::Spread, parsed.range(call.span)));
                }
                let prev_end = parsed.range(member.obj.span()).end;
                let call_range = parsed.range(call.span);
                let dot = parsed.text()[prev_end..call_range.end]
                    .find('.')
                    .map_or(prev_end, |i| prev_end + i);
                let range = dot..call_range.end;
                links.push(Link {
                    lead_has_comment: trivia.has_comment(&(prev_end..dot)),
                    decor: trivia.decor(&range),
                    arg: match unwrap_expr(&arg.expr) {
                        Expr::Ident(i) => LinkArg::Ident(i.sym.to_string()),
                        other => {
                            extension_call(parsed, other).map_or(LinkArg::Other, LinkArg::Inline)
                        }
                    },
                    arg_range: parsed.range(arg.expr.span()),
                    range,
                    prev_end,
                });
                current = unwrap_expr(&member.obj);
            }
            _ => return Err(not_a_chain(parsed.range(call.span))),
        }
    }
    links.reverse();
    let multiline = parsed.text()[range.clone()].contains('\n');
    Ok(Chain {
        head_decor: trivia.decor(&head),
        range,
        links,
        multiline,
    })
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
        assert!(matches!(
            error,
            ScanError::Registry { shape: RegistryShape::UseOutsideChain, range } if &text[range.clone()] == "b.use(e)"
        ));
    }

    #[test]
    fn a_name_bound_twice_is_refused_at_its_second_binding() {
        for (text, second) in [
            (
                "import { app } from '@wix/astro/builders';\nimport a from './x';\nimport { b as a } from './y';\nexport default app().use(a);\n",
                "a }",
            ),
            (
                "const app = 1;\nimport { app } from '@wix/astro/builders';\nexport default app();\n",
                "app }",
            ),
        ] {
            let error = scan_registry(text).unwrap_err();
            let ScanError::Registry {
                shape: RegistryShape::DuplicateImport,
                range,
            } = error
            else {
                panic!("{text}: {error:?}");
            };
            assert!(text[range.start..].starts_with(second), "{text}: {range:?}");
            assert_eq!(range.len(), second.len() - 2);
        }
        // Names imported once each, a local alias and a `var` declared twice are fine.
        let text = "import { app } from '@wix/astro/builders';\nimport a from './x';\nimport { a as b } from './y';\nvar c = a;\nvar c = b;\nexport default app().use(a).use(b);\n";
        assert!(scan_registry(text).is_ok());
    }
}
