//! The files of one event extension: the builder (`extensions.event({ id, source })`) and
//! the handler (the SDK subscription it default-exports).

use std::ops::Range;

use swc_ecma_ast::{
    Callee, Decl, Expr, ImportSpecifier, Lit, ModuleDecl, ModuleExportName, ModuleItem, Pat, Prop,
    PropName, PropOrSpread, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};
use wixsync_schema::{EventRef, ExportStyle};

use super::trivia::Trivia;
use super::{ScanError, StrLit, str_value, unwrap_expr};
use crate::parse::{ParsedModule, parse_module};
use swc_common::Spanned;

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
    /// The exported name, `None` for the default export.
    pub fn name(&self) -> Option<&str> {
        match self {
            BuilderExport::Default => None,
            BuilderExport::Named { name, .. } => Some(name),
        }
    }

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
    /// The file's text.
    pub text: String,
    /// The `id` property, when it is a string literal.
    pub id: Option<StrLit>,
    /// The `source` property, when it is a string literal.
    pub source: Option<StrLit>,
    /// How the extension is exported.
    pub export: BuilderExport,
    /// From `export` to the start of the `extensions.event(...)` call (`export default `,
    /// `export const eventA = `): what converting its export style replaces. Empty when the
    /// declaration declares other names too, which a conversion cannot take apart.
    pub head: Range<usize>,
}

/// The SDK subscription a handler makes: `<namespace>.<function>(...)` on a namespace imported
/// from `@wix/<package>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The event subscribed to.
    pub event: EventRef,
    /// Whether the call is the module's default export, as `@wix/astro` requires
    /// (docs/wix-facts.md, "The handler": "Expected event listener call to be the default export").
    pub is_default_export: bool,
    /// The byte range of the import specifier that binds the namespace (`contacts` in
    /// `import { contacts } from '@wix/crm'`).
    pub namespace_import: Range<usize>,
    /// The module specifier string (`'@wix/crm'`).
    pub package_literal: StrLit,
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
    /// When the call is exported by name (`export const handler = contacts.onX(...)`).
    pub named_export: Option<NamedSubscription>,
}

/// A subscription exported by name: `export const <name> = <namespace>.<function>(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSubscription {
    /// The exported name.
    pub name: String,
    /// From `export` to the start of the call: `export const handler = ` (a type annotation
    /// included), what `export default ` replaces.
    pub head: Range<usize>,
    /// The end of the declaration statement, its `;` included: where a separate
    /// `export default <name>;` goes.
    pub statement_end: usize,
    /// Whether the declaration ends with `;`.
    pub semicolon: bool,
    /// How often the name is used in the handler file besides its declaration.
    pub uses: usize,
}

/// A subscription as older docs write it: `import { onContactCreated } from
/// '@wix/crm/events'` and a bare `onContactCreated(...)` call. The `/events` path does not
/// exist (docs/wix-facts.md, "Handler"); the migration rewrites it to the root package's
/// namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySubscription {
    /// The package, without `@wix/` and `/events`: `crm`.
    pub package: String,
    /// The function imported from the `/events` path: `onContactCreated`.
    pub function: String,
    /// The `'@wix/crm/events'` literal.
    pub specifier: StrLit,
    /// The import specifier inside the braces (`onContactCreated`, or `onX as y`).
    pub import_specifier: Range<usize>,
    /// The import declaration with the lines it stands alone on (what removing it deletes),
    /// or the statement alone when code shares its line.
    pub import_lines: Range<usize>,
    /// Whether the `/events` import binds other names too.
    pub import_is_shared: bool,
    /// The callee identifier of the bare call.
    pub callee: Range<usize>,
    /// Whether the call is already the module's default export.
    pub is_default_export: bool,
    /// Where the statement holding the call starts.
    pub statement_start: usize,
    /// How often the imported local name is used besides its import (1: only the call).
    pub local_uses: usize,
    /// An import of the root package (`@wix/crm`) the file already has.
    pub root_import: Option<RootImport>,
    /// Every identifier the file uses, to tell whether a namespace's name is free.
    pub identifiers: std::collections::BTreeSet<String>,
}

/// An existing `import ... from '@wix/<package>'` of a legacy handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootImport {
    /// Its named imports: (imported, local).
    pub named: Vec<(String, String)>,
    /// The end of its last named specifier, where `, <namespace>` goes; `None` when it has
    /// no braces (a default or `* as` import only).
    pub insert_at: Option<usize>,
}

/// An event extension's handler file, `<folder>.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// Path relative to the app root.
    pub path: String,
    /// The file's text.
    pub text: String,
    /// The subscription, when the handler makes one wixsync recognises.
    pub subscription: Option<Subscription>,
    /// An import from a `@wix/<package>/events` path, which does not exist (older docs show
    /// it; docs/wix-facts.md): the specifier and the byte range of its literal.
    pub legacy_import: Option<StrLit>,
    /// The bare call of a function from that import, when the handler makes one.
    pub legacy: Option<LegacySubscription>,
    /// The handler file's line end: `"\n"` or `"\r\n"`.
    pub eol: &'static str,
}

/// What [`scan_handler`] reads off a handler file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct HandlerFacts {
    pub(crate) subscription: Option<Subscription>,
    pub(crate) legacy_import: Option<StrLit>,
    pub(crate) legacy: Option<LegacySubscription>,
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

impl ExtensionDef {
    /// The app-root-relative path its `source` names ([`source_path`]).
    pub fn source_path(&self) -> Option<String> {
        self.source.as_ref().and_then(source_path)
    }
}

/// The app-root-relative path a builder's `source` literal names (`./extensions/a/a.ts` →
/// `src/extensions/a/a.ts`), when it is a `./` path: `source` is relative to `src/`.
pub fn source_path(source: &StrLit) -> Option<String> {
    Some(format!("src/{}", source.value.strip_prefix("./")?))
}

/// `<builders>.<kind>({...})`: the kind and the object literal's `id` and `source`.
pub(crate) fn extension_call(parsed: &ParsedModule<'_>, expr: &Expr) -> Option<ExtensionDef> {
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
        let lit = StrLit::new(parsed.text(), str_value(value), parsed.range(value.span));
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
///
/// With each, its head: from `export` to the start of the call (`export default `,
/// `export const eventA = `), what an export-style conversion replaces.
pub(crate) fn module_extensions(
    parsed: &ParsedModule<'_>,
) -> Vec<(ExtensionDef, BuilderExport, Range<usize>)> {
    let mut found = Vec::new();
    for item in &parsed.module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                if let Some(def) = extension_call(parsed, &export.expr) {
                    let head =
                        parsed.range(export.span).start..parsed.range(export.expr.span()).start;
                    found.push((def, BuilderExport::Default, head));
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
                        // Only a declaration of this one extension can change its export.
                        let head = match &var.decls[..] {
                            [_] => parsed.range(export.span).start..parsed.range(init.span()).start,
                            _ => 0..0,
                        };
                        found.push((
                            def,
                            BuilderExport::Named {
                                name: name.id.sym.to_string(),
                                range: parsed.range(name.id.span),
                            },
                            head,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

pub(crate) fn scan_builder(path: &str, text: &str) -> Result<Option<Builder>, ScanError> {
    let parsed = parse_module(path, text).map_err(ScanError::Syntax)?;
    Ok(module_extensions(&parsed)
        .into_iter()
        .find(|(def, _, _)| def.kind == "event")
        .map(|(def, export, head)| Builder {
            head,
            path: path.to_owned(),
            text: text.to_owned(),
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
    package_literal: StrLit,
    shared: bool,
}

/// A function imported from a `@wix/<package>/events` path by a handler.
struct LegacyImport {
    package: String,
    function: String,
    specifier: StrLit,
    specifier_range: Range<usize>,
    statement: Range<usize>,
    shared: bool,
}

/// The handler's subscription, an import from a `@wix/*/events` path if it has one, and the
/// legacy call of a function from that path.
pub(crate) fn scan_handler(path: &str, text: &str) -> Result<HandlerFacts, ScanError> {
    let parsed = parse_module(path, text).map_err(ScanError::Syntax)?;
    let mut legacy_import = None;
    // Local name → the namespace it binds.
    let mut imports: Vec<(String, WixImport)> = Vec::new();
    // Local name → the function it binds from an `/events` path.
    let mut legacy_imports: Vec<(String, LegacyImport)> = Vec::new();
    // Root package → its import.
    let mut roots: Vec<(String, RootImport)> = Vec::new();
    for item in &parsed.module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item else {
            continue;
        };
        let specifier = str_value(&import.src);
        let Some(package) = specifier.strip_prefix("@wix/") else {
            continue;
        };
        let literal = StrLit::new(
            parsed.text(),
            specifier.clone(),
            parsed.range(import.src.span),
        );
        if package.contains('/') {
            if let Some(root) = package.strip_suffix("/events") {
                if legacy_import.is_none() {
                    legacy_import = Some(literal.clone());
                }
                for spec in &import.specifiers {
                    let ImportSpecifier::Named(named) = spec else {
                        continue;
                    };
                    let function = match &named.imported {
                        Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                        Some(ModuleExportName::Str(s)) => str_value(s),
                        None => named.local.sym.to_string(),
                    };
                    legacy_imports.push((
                        named.local.sym.to_string(),
                        LegacyImport {
                            package: root.to_owned(),
                            function,
                            specifier: literal.clone(),
                            specifier_range: parsed.range(named.span),
                            statement: parsed.range(import.span),
                            shared: import.specifiers.len() > 1,
                        },
                    ));
                }
            }
            continue;
        }
        let mut root = RootImport {
            named: Vec::new(),
            insert_at: None,
        };
        for spec in &import.specifiers {
            let ImportSpecifier::Named(named) = spec else {
                continue;
            };
            let namespace = match &named.imported {
                Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                Some(ModuleExportName::Str(s)) => str_value(s),
                None => named.local.sym.to_string(),
            };
            root.named
                .push((namespace.clone(), named.local.sym.to_string()));
            root.insert_at = Some(parsed.range(named.span).end);
            imports.push((
                named.local.sym.to_string(),
                WixImport {
                    package: package.to_owned(),
                    namespace,
                    specifier_range: parsed.range(named.span),
                    package_literal: literal.clone(),
                    shared: import.specifiers.len() > 1,
                },
            ));
        }
        if !roots.iter().any(|(p, _)| p == package) {
            roots.push((package.to_owned(), root));
        }
    }
    let count_uses = |name: &str| {
        let mut uses = CountUses { name, count: 0 };
        parsed.module.visit_with(&mut uses);
        uses.count
    };
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
                namespace_uses: count_uses(local).saturating_sub(1),
                named_export: None,
            })
        };
    let legacy_call = |expr: &Expr,
                       is_default_export: bool,
                       statement_start: usize|
     -> Option<LegacySubscription> {
        let Expr::Call(call) = unwrap_expr(expr) else {
            return None;
        };
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Ident(name) = &**callee else {
            return None;
        };
        let (local, import) = legacy_imports
            .iter()
            .find(|(local, _)| name.sym == *local)?;
        let trivia = Trivia::new(text, &parsed);
        let mut identifiers = CollectIdents::default();
        parsed.module.visit_with(&mut identifiers);
        Some(LegacySubscription {
            package: import.package.clone(),
            function: import.function.clone(),
            specifier: import.specifier.clone(),
            import_specifier: import.specifier_range.clone(),
            import_lines: trivia
                .decor(&import.statement)
                .own_lines()
                .unwrap_or_else(|| import.statement.clone()),
            import_is_shared: import.shared,
            callee: parsed.range(name.span),
            is_default_export,
            statement_start,
            local_uses: count_uses(local).saturating_sub(1),
            root_import: roots
                .iter()
                .find(|(p, _)| *p == import.package)
                .map(|(_, r)| r.clone()),
            identifiers: identifiers.names,
        })
    };
    let mut facts = HandlerFacts {
        legacy_import,
        ..HandlerFacts::default()
    };
    let mut default_ident = None;
    for item in &parsed.module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                let start = parsed.range(export.span).start;
                if let Some(s) = subscription(&export.expr, true, start) {
                    facts.subscription = Some(s);
                    facts.legacy = None;
                    return Ok(facts);
                }
                if let Expr::Ident(ident) = unwrap_expr(&export.expr) {
                    default_ident = Some(ident.sym.to_string());
                }
                if facts.legacy.is_none() {
                    facts.legacy = legacy_call(&export.expr, true, start);
                }
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export))
                if facts.subscription.is_none() =>
            {
                let Decl::Var(var) = &export.decl else {
                    continue;
                };
                let [declarator] = &var.decls[..] else {
                    continue;
                };
                let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init) else {
                    continue;
                };
                let range = parsed.range(export.span);
                if let Some(mut s) = subscription(init, false, range.start) {
                    let statement_end = range.end;
                    s.named_export = Some(NamedSubscription {
                        name: name.id.sym.to_string(),
                        head: range.start..parsed.range(init.span()).start,
                        statement_end,
                        semicolon: text[..statement_end].ends_with(';'),
                        uses: count_uses(&name.id.sym).saturating_sub(1),
                    });
                    facts.subscription = Some(s);
                }
            }
            ModuleItem::Stmt(Stmt::Expr(stmt)) if facts.subscription.is_none() => {
                let start = parsed.range(stmt.span).start;
                facts.subscription = subscription(&stmt.expr, false, start);
                if facts.subscription.is_none() && facts.legacy.is_none() {
                    facts.legacy = legacy_call(&stmt.expr, false, start);
                }
            }
            _ => {}
        }
    }
    // `export const handler = contacts.onX(...)` and `export default handler`.
    if let Some(s) = &mut facts.subscription
        && let Some(named) = &s.named_export
        && default_ident.as_deref() == Some(named.name.as_str())
    {
        s.is_default_export = true;
    }
    if facts.subscription.is_some() {
        facts.legacy = None;
    }
    Ok(facts)
}

/// Every identifier of a module (bindings and references; not property names).
#[derive(Default)]
struct CollectIdents {
    names: std::collections::BTreeSet<String>,
}

impl Visit for CollectIdents {
    fn visit_ident(&mut self, ident: &swc_ecma_ast::Ident) {
        self.names.insert(ident.sym.to_string());
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_subscription_through_a_cast() {
        let text = "import { appInstances } from '@wix/app-management';\n\nexport default (appInstances as any).onAppInstanceInstalled(async (event: any) => {});\n";
        let s = scan_handler("h.ts", text).unwrap().subscription.unwrap();
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
        let s = scan_handler("h.ts", text).unwrap().subscription.unwrap();
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
