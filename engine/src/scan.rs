//! Scan: what the app has now, read off its TypeScript with SWC.
//!
//! For every folder under `src/extensions/backend/events/` the scan finds the builder (its `id`,
//! `source` and export style) and the handler (which SDK event its default export subscribes
//! to), and in `src/extensions.ts` every import and every `.use(...)` link of the default-exported
//! `app()` chain, each with the byte range it occupies. The scan reads the in-memory
//! [`AppTree`] and never the disk, and it decides nothing: matching and editing belong to
//! `plan` and `changeset`.

use std::ops::Range;

use swc_common::Spanned;
use swc_ecma_ast::{
    Callee, Decl, Expr, ImportSpecifier, Lit, ModuleDecl, ModuleExportName, ModuleItem, Pat, Prop,
    PropName, PropOrSpread, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};
use wixsync_schema::{Diagnostic, EventRef, ExportStyle, SourceFile};

use crate::source::{ParsedModule, parse_module};
use crate::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH, builder_path, handler_path};

/// A string literal: its value and the byte range of the whole literal, quotes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The unquoted value.
    pub value: String,
    /// The literal's byte range, quotes included.
    pub range: Range<usize>,
}

/// How a builder exports its extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuilderExport {
    /// `export default extensions.event({...})`.
    Default,
    /// `export const <name> = extensions.event({...})`; `range` is the name's byte range.
    Named {
        /// The exported name.
        name: String,
        /// The byte range of the name in the declaration.
        range: Range<usize>,
    },
}

impl BuilderExport {
    /// The export style this builder follows.
    pub fn style(&self) -> ExportStyle {
        match self {
            BuilderExport::Default => ExportStyle::Default,
            BuilderExport::Named { .. } => ExportStyle::Named,
        }
    }
}

/// An event extension's builder file, `<folder>.extension.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    /// Path relative to the app root.
    pub path: String,
    /// The `id` property, when it is a string literal.
    pub id: Option<StrLit>,
    /// The `source` property, when it is a string literal.
    pub source: Option<StrLit>,
    /// How the extension is exported.
    pub export: BuilderExport,
}

/// The SDK subscription a handler makes: `<namespace>.<function>(...)` on a namespace imported
/// from `@wix/<package>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The event subscribed to.
    pub event: EventRef,
    /// Whether the call is the module's default export, as `@wix/astro` requires
    /// (WIX-FACTS.md: "Expected event listener call to be the default export").
    pub is_default_export: bool,
    /// The byte range of the import specifier that binds the namespace (`contacts` in
    /// `import { contacts } from '@wix/crm'`).
    pub namespace_import: Range<usize>,
    /// The byte range of the module specifier string, quotes included (`'@wix/crm'`).
    pub package_literal: Range<usize>,
    /// The byte range of the callee's namespace part as written (`contacts`).
    pub callee_namespace: Range<usize>,
    /// The byte range of the callee's function name (`onContactCreated`).
    pub callee_function: Range<usize>,
    /// Whether the import declaration binds other names too.
    pub import_is_shared: bool,
    /// Where the statement holding the call starts: `export default ` goes here when the
    /// call is not yet the default export.
    pub statement_start: usize,
    /// How often the namespace's local name is used besides its import: 1 when the
    /// subscription is its only use, so the namespace can be swapped safely.
    pub namespace_uses: usize,
}

/// An event extension's handler file, `<folder>.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// Path relative to the app root.
    pub path: String,
    /// The subscription, when the handler makes one wixsync recognises.
    pub subscription: Option<Subscription>,
    /// An import from a `@wix/<package>/events` path, which does not exist (older docs show
    /// it; WIX-FACTS.md): the specifier and the byte range of its literal.
    pub legacy_import: Option<StrLit>,
}

/// One folder under `src/extensions/backend/events/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventExtension {
    /// The folder's name.
    pub folder: String,
    /// The builder, if `<folder>.extension.ts` exists and defines an event extension.
    pub builder: Option<Builder>,
    /// The handler, if the file the builder's `source` names (or `<folder>.ts`) exists.
    pub handler: Option<Handler>,
}

impl EventExtension {
    /// The builder's id, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.builder
            .as_ref()?
            .id
            .as_ref()
            .map(|id| id.value.as_str())
    }

    /// The event its handler subscribes to.
    pub fn event(&self) -> Option<&EventRef> {
        Some(&self.handler.as_ref()?.subscription.as_ref()?.event)
    }

    /// The export style of its builder.
    pub fn export_style(&self) -> Option<ExportStyle> {
        self.builder.as_ref().map(|b| b.export.style())
    }
}

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
    /// The registration of the builder at `builder_path` (relative to the app root) exported
    /// as `export`, if an import binds it.
    pub fn registration(&self, builder_path: &str, export: &BuilderExport) -> Option<Registration> {
        let target = builder_path.strip_suffix(".ts").unwrap_or(builder_path);
        self.imports.iter().enumerate().find_map(|(i, import)| {
            if resolve_specifier(&import.specifier.value).as_deref() != Some(target) {
                return None;
            }
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

/// An extension registered in `src/extensions.ts` that does not live in the events folder:
/// imported from elsewhere in `src/`, or defined inline in a `.use(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherExtension {
    /// The file that defines it (`src/extensions.ts` for an inline one).
    pub path: String,
    /// Its definition.
    pub def: ExtensionDef,
    /// For an event extension, what its handler subscribes to.
    pub event: Option<EventRef>,
}

/// An import of `src/extensions.ts` whose file does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dangling {
    /// Index into [`Registry::imports`].
    pub import: usize,
    /// The app-root-relative path it points to (without a suffix when it had none).
    pub target: String,
}

/// What the app has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Every folder under the events folder, sorted by name.
    pub extensions: Vec<EventExtension>,
    /// `src/extensions.ts`, or `None` when the file does not exist.
    pub registry: Option<Registry>,
    /// Registered extensions outside the events folder, in registry order.
    pub others: Vec<OtherExtension>,
    /// Registrations whose file does not exist.
    pub dangling: Vec<Dangling>,
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
fn scan_others(tree: &AppTree, registry: &Registry) -> (Vec<OtherExtension>, Vec<Dangling>) {
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

impl Scan {
    /// The extension in `folder`.
    pub fn extension(&self, folder: &str) -> Option<&EventExtension> {
        self.extensions.iter().find(|e| e.folder == folder)
    }
}

/// Scans the in-memory app.
///
/// # Errors
///
/// A [`Diagnostic`] for every TypeScript file wixsync must understand that does not parse, and
/// for a `src/extensions.ts` whose default export is not an `app()` chain wixsync can edit.
pub fn scan(tree: &AppTree) -> Result<Scan, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut extensions = Vec::new();
    for folder in tree.event_folders() {
        match scan_extension(tree, folder) {
            Ok(extension) => extensions.push(extension),
            Err(error) => errors.push(error),
        }
    }
    let registry = match tree.text(REGISTRY_PATH) {
        None if tree.contains(REGISTRY_PATH) => {
            errors.push(not_utf8(REGISTRY_PATH));
            None
        }
        None => None,
        Some(text) => match scan_registry(text) {
            Ok(registry) => Some(registry),
            Err(error) => {
                errors.push(error);
                None
            }
        },
    };
    let (others, dangling) = registry
        .as_ref()
        .map(|r| scan_others(tree, r))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok(Scan {
            extensions,
            registry,
            others,
            dangling,
        })
    } else {
        Err(errors)
    }
}

fn not_utf8(path: &str) -> Diagnostic {
    Diagnostic::error("typescript::encoding", format!("{path} is not UTF-8 text"))
        .help("save the file as UTF-8; TypeScript sources are UTF-8")
}

fn scan_extension(tree: &AppTree, folder: &str) -> Result<EventExtension, Diagnostic> {
    let path = builder_path(folder);
    let builder = match tree.text(&path) {
        Some(text) => scan_builder(&path, text)?,
        None if tree.contains(&path) => return Err(not_utf8(&path)),
        None => None,
    };
    // The handler is the file the builder's `source` names when that lies in this folder.
    let handler_path = builder
        .as_ref()
        .and_then(|b| b.source.as_ref())
        .and_then(|s| s.value.strip_prefix("./"))
        .map(|rel| format!("src/{rel}"))
        .filter(|p| p.starts_with(&format!("{EVENTS_DIR}/{folder}/")) && tree.contains(p))
        .unwrap_or_else(|| handler_path(folder));
    let handler = match tree.text(&handler_path) {
        Some(text) => {
            let (subscription, legacy_import) = scan_handler(&handler_path, text)?;
            Some(Handler {
                subscription,
                legacy_import,
                path: handler_path,
            })
        }
        None if tree.contains(&handler_path) => return Err(not_utf8(&handler_path)),
        None => None,
    };
    Ok(EventExtension {
        folder: folder.to_owned(),
        builder,
        handler,
    })
}

/// Strips parentheses and type assertions: `(x as any)` → `x`.
fn unwrap_expr(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(a) => &a.expr,
            Expr::TsSatisfies(s) => &s.expr,
            Expr::TsNonNull(n) => &n.expr,
            Expr::TsTypeAssertion(a) => &a.expr,
            _ => return expr,
        }
    }
}

fn str_value(s: &swc_ecma_ast::Str) -> String {
    s.value.to_string_lossy().into_owned()
}

/// An extension defined by a builder call `extensions.<kind>({ id, source, ... })`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionDef {
    /// The builder method: `event`, `dashboardPage`, `embeddedScript`, ...
    pub kind: String,
    /// The `id` property, when it is a string literal.
    pub id: Option<StrLit>,
    /// The `source` property, when it is a string literal.
    pub source: Option<StrLit>,
    /// The byte range of the whole call.
    pub range: Range<usize>,
}

/// `<builders>.<kind>({...})`: the kind and the object literal's `id` and `source`.
fn extension_call(parsed: &ParsedModule, expr: &Expr) -> Option<ExtensionDef> {
    let Expr::Call(call) = unwrap_expr(expr) else {
        return None;
    };
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(member) = unwrap_expr(callee) else {
        return None;
    };
    let Expr::Ident(object_name) = unwrap_expr(&member.obj) else {
        return None;
    };
    if object_name.sym != "extensions" {
        return None;
    }
    let kind = member.prop.as_ident()?.sym.to_string();
    let mut def = ExtensionDef {
        kind,
        id: None,
        source: None,
        range: parsed.range(call.span),
    };
    let Some(Expr::Object(object)) = call.args.first().map(|a| unwrap_expr(&a.expr)) else {
        return Some(def);
    };
    for prop in &object.props {
        let PropOrSpread::Prop(prop) = prop else {
            continue;
        };
        let Prop::KeyValue(kv) = &**prop else {
            continue;
        };
        let key = match &kv.key {
            PropName::Ident(i) => i.sym.to_string(),
            PropName::Str(s) => str_value(s),
            _ => continue,
        };
        let Expr::Lit(Lit::Str(value)) = unwrap_expr(&kv.value) else {
            continue;
        };
        let lit = StrLit {
            value: str_value(value),
            range: parsed.range(value.span),
        };
        match key.as_str() {
            "id" => def.id = Some(lit),
            "source" => def.source = Some(lit),
            _ => {}
        }
    }
    Some(def)
}

/// Every extension a module defines in its default export or its exported `const`s, with how
/// it is exported.
fn module_extensions(parsed: &ParsedModule) -> Vec<(ExtensionDef, BuilderExport)> {
    let mut found = Vec::new();
    for item in &parsed.module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                if let Some(def) = extension_call(parsed, &export.expr) {
                    found.push((def, BuilderExport::Default));
                }
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => {
                let Decl::Var(var) = &export.decl else {
                    continue;
                };
                for declarator in &var.decls {
                    if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init)
                        && let Some(def) = extension_call(parsed, init)
                    {
                        found.push((
                            def,
                            BuilderExport::Named {
                                name: name.id.sym.to_string(),
                                range: parsed.range(name.id.span),
                            },
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn scan_builder(path: &str, text: &str) -> Result<Option<Builder>, Diagnostic> {
    let parsed = parse_module(path, text)?;
    Ok(module_extensions(&parsed)
        .into_iter()
        .find(|(def, _)| def.kind == "event")
        .map(|(def, export)| Builder {
            path: path.to_owned(),
            id: def.id,
            source: def.source,
            export,
        }))
}

/// A namespace imported from a `@wix/*` package by a handler.
struct WixImport {
    package: String,
    namespace: String,
    specifier_range: Range<usize>,
    package_literal: Range<usize>,
    shared: bool,
}

/// The handler's subscription, and an import from a `@wix/*/events` path if it has one.
fn scan_handler(
    path: &str,
    text: &str,
) -> Result<(Option<Subscription>, Option<StrLit>), Diagnostic> {
    let parsed = parse_module(path, text)?;
    let mut legacy_import = None;
    // Local name → the namespace it binds.
    let mut imports: Vec<(String, WixImport)> = Vec::new();
    for item in &parsed.module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item else {
            continue;
        };
        let specifier = str_value(&import.src);
        let Some(package) = specifier.strip_prefix("@wix/") else {
            continue;
        };
        if package.contains('/') {
            if package.ends_with("/events") && legacy_import.is_none() {
                legacy_import = Some(StrLit {
                    value: specifier.clone(),
                    range: parsed.range(import.src.span),
                });
            }
            continue;
        }
        for spec in &import.specifiers {
            let ImportSpecifier::Named(named) = spec else {
                continue;
            };
            let namespace = match &named.imported {
                Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                Some(ModuleExportName::Str(s)) => str_value(s),
                None => named.local.sym.to_string(),
            };
            imports.push((
                named.local.sym.to_string(),
                WixImport {
                    package: package.to_owned(),
                    namespace,
                    specifier_range: parsed.range(named.span),
                    package_literal: parsed.range(import.src.span),
                    shared: import.specifiers.len() > 1,
                },
            ));
        }
    }
    let subscription =
        |expr: &Expr, is_default_export: bool, statement_start: usize| -> Option<Subscription> {
            let Expr::Call(call) = unwrap_expr(expr) else {
                return None;
            };
            let Callee::Expr(callee) = &call.callee else {
                return None;
            };
            let Expr::Member(member) = unwrap_expr(callee) else {
                return None;
            };
            let function = member.prop.as_ident()?;
            let Expr::Ident(namespace) = unwrap_expr(&member.obj) else {
                return None;
            };
            let (local, import) = imports.iter().find(|(local, _)| namespace.sym == *local)?;
            let mut uses = CountUses {
                name: local,
                count: 0,
            };
            parsed.module.visit_with(&mut uses);
            Some(Subscription {
                event: EventRef {
                    package: import.package.clone(),
                    namespace: import.namespace.clone(),
                    function: function.sym.to_string(),
                },
                is_default_export,
                statement_start,
                namespace_import: import.specifier_range.clone(),
                package_literal: import.package_literal.clone(),
                callee_namespace: parsed.range(namespace.span),
                callee_function: parsed.range(function.span),
                import_is_shared: import.shared,
                // The import's own binding is an identifier too.
                namespace_uses: uses.count.saturating_sub(1),
            })
        };
    let mut found = None;
    for item in &parsed.module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                let start = parsed.range(export.span).start;
                if let Some(s) = subscription(&export.expr, true, start) {
                    return Ok((Some(s), legacy_import));
                }
            }
            ModuleItem::Stmt(Stmt::Expr(stmt)) if found.is_none() => {
                found = subscription(&stmt.expr, false, parsed.range(stmt.span).start);
            }
            _ => {}
        }
    }
    Ok((found, legacy_import))
}

/// Counts the identifiers named `name` (bindings and references; not property names).
struct CountUses<'a> {
    name: &'a str,
    count: usize,
}

impl Visit for CountUses<'_> {
    fn visit_ident(&mut self, ident: &swc_ecma_ast::Ident) {
        if ident.sym == self.name {
            self.count += 1;
        }
    }
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

fn scan_registry(text: &str) -> Result<Registry, Diagnostic> {
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

    #[test]
    fn handler_subscription_through_a_cast() {
        let text = "import { appInstances } from '@wix/app-management';\n\nexport default (appInstances as any).onAppInstanceInstalled(async (event: any) => {});\n";
        let s = scan_handler("h.ts", text).unwrap().0.unwrap();
        assert_eq!(
            s.event.to_string(),
            "app-management.appInstances.onAppInstanceInstalled"
        );
        assert!(s.is_default_export);
        assert_eq!(&text[s.callee_function.clone()], "onAppInstanceInstalled");
        assert_eq!(s.namespace_uses, 1);
    }

    #[test]
    fn handler_without_default_export() {
        let text =
            "import { contacts as c } from '@wix/crm';\nc.onContactCreated(async () => {});\n";
        let s = scan_handler("h.ts", text).unwrap().0.unwrap();
        assert_eq!(s.event.to_string(), "crm.contacts.onContactCreated");
        assert!(!s.is_default_export);
    }

    #[test]
    fn named_builder() {
        let text = "import { extensions } from '@wix/astro/builders';\n\nexport const eventA = extensions.event({\n  id: \"3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718\",\n  source: './extensions/backend/events/a/a.ts',\n});\n";
        let b = scan_builder("b.ts", text).unwrap().unwrap();
        assert_eq!(
            b.id.as_ref().unwrap().value,
            "3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718"
        );
        assert_eq!(
            &text[b.id.unwrap().range],
            "\"3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718\""
        );
        assert!(matches!(b.export, BuilderExport::Named { ref name, .. } if name == "eventA"));
    }
}
