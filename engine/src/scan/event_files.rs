//! The files of one event extension: the builder (`extensions.event({ id, source })`) and
//! the handler (the SDK subscription it default-exports).

use std::ops::Range;

use swc_ecma_ast::{
    Callee, Decl, Expr, ImportSpecifier, Lit, ModuleDecl, ModuleExportName, ModuleItem, Pat, Prop,
    PropName, PropOrSpread, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};
use wixsync_schema::{EventRef, ExportStyle};

use super::{ScanError, StrLit, str_value, unwrap_expr};
use crate::parse::{ParsedModule, parse_module};

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
    /// The call of a function imported from that `/events` path, when the handler makes one
    /// (`onContactCreated(...)`, default-exported or a bare statement).
    pub legacy_call: Option<LegacyCall>,
}

/// A subscription in the legacy shape older docs show (docs/wix-facts.md, "The handler"):
/// `import { onContactCreated } from '@wix/crm/events'` and a call of that function. It names
/// the package and the function but not the namespace, which the catalog or the manifest
/// must supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyCall {
    /// The root package, without `@wix/` and `/events`: `crm`.
    pub package: String,
    /// The function as the package exports it (the imported name, not a local alias):
    /// `onContactCreated`.
    pub function: String,
    /// The byte range of the callee as written (the local name).
    pub callee: Range<usize>,
    /// Whether the call is the module's default export.
    pub is_default_export: bool,
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
pub(crate) fn module_extensions(parsed: &ParsedModule<'_>) -> Vec<(ExtensionDef, BuilderExport)> {
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

pub(crate) fn scan_builder(path: &str, text: &str) -> Result<Option<Builder>, ScanError> {
    let parsed = parse_module(path, text).map_err(ScanError::Syntax)?;
    Ok(module_extensions(&parsed)
        .into_iter()
        .find(|(def, _)| def.kind == "event")
        .map(|(def, export)| Builder {
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

/// What a handler file holds: its subscription, an import from a `@wix/*/events` path, and
/// the call of a function imported from there.
pub(crate) type HandlerFacts = (Option<Subscription>, Option<StrLit>, Option<LegacyCall>);

/// The handler's subscription, and an import from a `@wix/*/events` path if it has one, with
/// the call of a function it imports.
pub(crate) fn scan_handler(path: &str, text: &str) -> Result<HandlerFacts, ScanError> {
    let parsed = parse_module(path, text).map_err(ScanError::Syntax)?;
    let mut legacy_import = None;
    // Local name → (package, exported function) of each name imported from a `/events` path.
    let mut legacy_names: Vec<(String, String, String)> = Vec::new();
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
            if let Some(root) = package.strip_suffix("/events") {
                if legacy_import.is_none() {
                    legacy_import = Some(StrLit::new(
                        parsed.text(),
                        specifier.clone(),
                        parsed.range(import.src.span),
                    ));
                }
                for spec in &import.specifiers {
                    if let ImportSpecifier::Named(named) = spec {
                        let function = match &named.imported {
                            Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                            Some(ModuleExportName::Str(s)) => str_value(s),
                            None => named.local.sym.to_string(),
                        };
                        legacy_names.push((named.local.sym.to_string(), root.to_owned(), function));
                    }
                }
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
                    package_literal: StrLit::new(
                        parsed.text(),
                        specifier.clone(),
                        parsed.range(import.src.span),
                    ),
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
    let legacy = |expr: &Expr, is_default_export: bool| -> Option<LegacyCall> {
        let Expr::Call(call) = unwrap_expr(expr) else {
            return None;
        };
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Ident(name) = unwrap_expr(callee) else {
            return None;
        };
        let (_, package, function) = legacy_names.iter().find(|(local, ..)| name.sym == *local)?;
        Some(LegacyCall {
            package: package.clone(),
            function: function.clone(),
            callee: parsed.range(name.span),
            is_default_export,
        })
    };
    let mut found = None;
    let mut legacy_call = None;
    for item in &parsed.module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                let start = parsed.range(export.span).start;
                if let Some(s) = subscription(&export.expr, true, start) {
                    return Ok((Some(s), legacy_import, None));
                }
                if let Some(call) = legacy(&export.expr, true) {
                    legacy_call = Some(call);
                }
            }
            ModuleItem::Stmt(Stmt::Expr(stmt)) => {
                if found.is_none() {
                    found = subscription(&stmt.expr, false, parsed.range(stmt.span).start);
                }
                if legacy_call.is_none() {
                    legacy_call = legacy(&stmt.expr, false);
                }
            }
            _ => {}
        }
    }
    if found.is_some() {
        legacy_call = None;
    }
    Ok((found, legacy_import, legacy_call))
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
    fn legacy_events_subpath_call() {
        let text = "import { onContactCreated as created } from \"@wix/crm/events\";\n\ncreated((event) => {});\n";
        let (subscription, import, call) = scan_handler("h.ts", text).unwrap();
        assert!(subscription.is_none());
        assert_eq!(import.unwrap().value, "@wix/crm/events");
        let call = call.unwrap();
        assert_eq!(
            (call.package.as_str(), call.function.as_str()),
            ("crm", "onContactCreated")
        );
        assert_eq!(&text[call.callee], "created");
        assert!(!call.is_default_export);
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
