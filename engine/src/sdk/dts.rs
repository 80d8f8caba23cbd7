//! Reading the SDK's declaration files (`.d.mts`) with SWC.
//!
//! Two questions are asked of them:
//! - a root package's entry (`@wix/crm`'s `build/es/index.d.mts`): which namespaces does it
//!   export, under which name, from which module? ([`namespace_exports`]);
//! - a namespace package's entry (`@wix/auto_sdk_crm_contacts`): which events does it export,
//!   with which webhook slug? ([`events`]).
//!
//! Both answers come from the syntax tree, never from the package names.
//!
//! The files come from a [`PackageFiles`]: an npm tarball for the catalog generator
//! (`cargo catalog`, in `xtask`), a package installed in the app's `node_modules` for
//! [`crate::sdk::read_installed`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use swc_common::{FileName, SourceMap, sync::Lrc};
use swc_ecma_ast::{
    Decl, ExportSpecifier, ImportSpecifier, Module, ModuleDecl, ModuleExportName, ModuleItem, Pat,
    Stmt, Str, TsEntityName, TsLit, TsType, TsTypeQuery, TsTypeQueryExpr, TsTypeRef, VarDecl,
};
use swc_ecma_parser::{Parser, StringInput, Syntax, TsSyntax};
use swc_ecma_visit::{Visit, VisitWith};
use thiserror::Error;

/// The files of one npm package, by their path relative to the package root
/// (`package.json`, `build/es/index.d.mts`).
pub trait PackageFiles {
    /// The package as messages name it: `@wix/crm@1.0.1643`.
    fn label(&self) -> String;
    /// Whether the package has the file `path`.
    fn has(&self, path: &str) -> bool;
    /// The text of the file `path`.
    ///
    /// # Errors
    ///
    /// [`DtsError::File`] when it is missing, unreadable or not UTF-8.
    fn text(&self, path: &str) -> Result<Cow<'_, str>, DtsError>;
}

/// Why a package's declarations could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DtsError {
    /// A file is missing, cannot be read, or is not UTF-8; the message says which and why.
    #[error("{0}")]
    File(String),
    /// A declaration file does not parse as TypeScript declarations.
    #[error("{label}: parse error: {message}")]
    Parse {
        /// `package@version/path`.
        label: String,
        /// SWC's error kind.
        message: String,
    },
    /// An `export * from './x'` names no declaration file of the package.
    #[error("{label}: cannot resolve `{specifier}`")]
    Unresolved {
        /// `package@version/path`.
        label: String,
        /// The specifier: `./x`.
        specifier: String,
    },
    /// A declaration of an unexpected shape.
    #[error("{label}: {message}")]
    Shape {
        /// `package@version/path`.
        label: String,
        /// What is unexpected.
        message: String,
    },
}

/// Parses a declaration file; `label` names it in errors.
///
/// # Errors
///
/// [`DtsError::Parse`] when SWC cannot parse it.
pub fn parse(src: &str, label: &str) -> Result<Module, DtsError> {
    let cm: Lrc<SourceMap> = Default::default();
    let file = cm.new_source_file(Lrc::new(FileName::Custom(label.to_owned())), src.to_owned());
    let syntax = Syntax::Typescript(TsSyntax {
        dts: true,
        ..Default::default()
    });
    let mut parser = Parser::new(syntax, StringInput::from(&*file), None);
    let failed = |message: String| DtsError::Parse {
        label: label.to_owned(),
        message,
    };
    let module = parser
        .parse_module()
        .map_err(|e| failed(format!("{:?}", e.kind())))?;
    if let Some(error) = parser.take_errors().into_iter().next() {
        return Err(failed(format!("{:?}", error.kind())));
    }
    Ok(module)
}

fn text(s: &Str) -> String {
    s.value.to_string_lossy().into_owned()
}

fn export_name(name: &ModuleExportName) -> String {
    name.atom().to_string()
}

/// A namespace the root entry exports: `export * as contacts from '@wix/auto_sdk_crm_contacts'`
/// or, as tsup writes it, `import * as x from '…'; export { x as contacts };`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NamespaceExport {
    /// The name a handler imports (`contacts` in `import { contacts } from '@wix/crm'`).
    pub name: String,
    /// The module it re-exports (`@wix/auto_sdk_crm_contacts`).
    pub module: String,
}

/// What a root entry exports, as far as the catalog cares.
#[derive(Debug, Default)]
pub struct RootExports {
    /// The namespaces, sorted and without repeats.
    pub namespaces: Vec<NamespaceExport>,
    /// Exports that are not a whole package re-exported as a namespace (reported, not used).
    pub other: Vec<String>,
}

/// The namespaces exported by the root entry `entry` of `tarball`, following `export * from`
/// relative files inside the package.
///
/// # Errors
///
/// A file that cannot be read or parsed, or an `export * from './x'` that names no file.
pub fn namespace_exports(
    tarball: &(impl PackageFiles + ?Sized),
    entry: &str,
) -> Result<RootExports, DtsError> {
    let mut out = RootExports::default();
    let mut seen = BTreeSet::new();
    collect_root(tarball, entry, &mut out, &mut seen)?;
    out.namespaces.sort();
    out.namespaces.dedup();
    Ok(out)
}

fn collect_root(
    tarball: &(impl PackageFiles + ?Sized),
    path: &str,
    out: &mut RootExports,
    seen: &mut BTreeSet<String>,
) -> Result<(), DtsError> {
    if !seen.insert(path.to_owned()) {
        return Ok(());
    }
    let label = format!("{}/{path}", tarball.label());
    let module = parse(&tarball.text(path)?, &label)?;

    // `import * as local from 'module'`
    let mut star_imports: HashMap<String, String> = HashMap::new();
    for item in &module.body {
        if let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item {
            for specifier in &import.specifiers {
                if let ImportSpecifier::Namespace(ns) = specifier {
                    star_imports.insert(ns.local.sym.to_string(), text(&import.src));
                }
            }
        }
    }

    for item in &module.body {
        let ModuleItem::ModuleDecl(decl) = item else {
            continue;
        };
        match decl {
            ModuleDecl::ExportAll(all) => {
                let source = text(&all.src);
                if source.starts_with('.') {
                    let target = resolve_relative(tarball, path, &source).ok_or_else(|| {
                        DtsError::Unresolved {
                            label: label.clone(),
                            specifier: source.clone(),
                        }
                    })?;
                    collect_root(tarball, &target, out, seen)?;
                } else {
                    out.other.push(format!("export * from '{source}'"));
                }
            }
            ModuleDecl::ExportNamed(named) => {
                for specifier in &named.specifiers {
                    match (specifier, &named.src) {
                        (ExportSpecifier::Namespace(ns), Some(src)) => {
                            out.namespaces.push(NamespaceExport {
                                name: export_name(&ns.name),
                                module: text(src),
                            });
                        }
                        (ExportSpecifier::Named(n), None) => {
                            let local = export_name(&n.orig);
                            let name = n.exported.as_ref().map_or(local.clone(), export_name);
                            match star_imports.get(&local) {
                                Some(module) => out.namespaces.push(NamespaceExport {
                                    name,
                                    module: module.clone(),
                                }),
                                None => out.other.push(name),
                            }
                        }
                        (ExportSpecifier::Named(n), Some(src)) => {
                            let name = n.exported.as_ref().unwrap_or(&n.orig);
                            out.other
                                .push(format!("{} from '{}'", export_name(name), text(src)));
                        }
                        (other, _) => out.other.push(format!("{other:?}")),
                    }
                }
            }
            ModuleDecl::ExportDecl(_) | ModuleDecl::ExportDefaultDecl(_) => {
                out.other.push("a declaration".to_owned());
            }
            _ => {}
        }
    }
    Ok(())
}

/// Resolves `./x` from the file `from` to a declaration file of the package: `x.d.mts`,
/// `x.d.ts`, `x/index.d.mts` or `x/index.d.ts` (a `.mjs`/`.js` extension is dropped first).
pub fn resolve_relative(
    tarball: &(impl PackageFiles + ?Sized),
    from: &str,
    source: &str,
) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in source.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let base = parts.join("/");
    let stem = base
        .strip_suffix(".mjs")
        .or_else(|| base.strip_suffix(".js"))
        .unwrap_or(&base);
    [
        format!("{stem}.d.mts"),
        format!("{stem}.d.ts"),
        format!("{stem}/index.d.mts"),
        format!("{stem}/index.d.ts"),
    ]
    .into_iter()
    .find(|candidate| tarball.has(candidate))
}

/// One event a namespace exports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventExport {
    /// The exported name (`onContactCreated`).
    pub function: String,
    /// The webhook slug, the second type argument of `EventDefinition` (`wix.contacts.v4.contact_created`).
    pub slug: String,
}

/// What a namespace entry declares about events.
#[derive(Debug, Default)]
pub struct Events {
    /// The exported events, sorted by function.
    pub events: Vec<EventExport>,
    /// Things worth a look (an `EventDefinition` used in an unexpected place, one not exported).
    pub warnings: Vec<String>,
}

/// The events a namespace's declaration file exports.
///
/// The shape, as the Wix SDK generator writes it:
///
/// ```ts
/// import { EventDefinition, BuildEventDefinition } from '@wix/sdk-types';
/// declare const onContactCreated$1: EventDefinition<ContactCreatedEnvelope, "wix.contacts.v4.contact_created">;
/// declare const onContactCreated: BuildEventDefinition<typeof onContactCreated$1> & typeof onContactCreated$1;
/// export { …, onContactCreated, … };
/// ```
///
/// A declaration is a *definition* when its type is `EventDefinition<_, "<slug>">` (the name
/// `EventDefinition` resolved through the file's imports, so an alias is followed), and a
/// *wrapper* when its type mentions `typeof <definition>`. An exported name that leads to a
/// definition, directly or through a wrapper, is an event.
///
/// # Errors
///
/// The file does not parse, a definition has no string slug, or a wrapper refers to several
/// definitions.
pub fn events(src: &str, label: &str) -> Result<Events, DtsError> {
    let module = parse(src, label)?;
    let mut out = Events::default();

    // Local names that mean `EventDefinition` of `@wix/sdk-types`.
    let mut definition_type_names = BTreeSet::new();
    for item in &module.body {
        if let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item {
            for specifier in &import.specifiers {
                if let ImportSpecifier::Named(named) = specifier {
                    let imported = named
                        .imported
                        .as_ref()
                        .map_or_else(|| named.local.sym.to_string(), export_name);
                    if imported == "EventDefinition" {
                        definition_type_names.insert(named.local.sym.to_string());
                    }
                }
            }
        }
    }

    // Every `declare const name: Type`, exported or not.
    let mut declared: Vec<(String, &TsType)> = Vec::new();
    let mut exported: BTreeMap<String, String> = BTreeMap::new(); // exported name -> local
    fn push_var<'m>(var: &'m VarDecl, declared: &mut Vec<(String, &'m TsType)>) {
        for d in &var.decls {
            if let Pat::Ident(binding) = &d.name
                && let Some(annotation) = &binding.type_ann
            {
                declared.push((binding.id.sym.to_string(), &*annotation.type_ann));
            }
        }
    }
    for item in &module.body {
        match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Var(var))) => push_var(var, &mut declared),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => {
                if let Decl::Var(var) = &export.decl {
                    let before = declared.len();
                    push_var(var, &mut declared);
                    for (name, _) in &declared[before..] {
                        exported.insert(name.clone(), name.clone());
                    }
                }
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(named)) if named.src.is_none() => {
                for specifier in &named.specifiers {
                    if let ExportSpecifier::Named(n) = specifier {
                        let local = export_name(&n.orig);
                        let name = n.exported.as_ref().map_or(local.clone(), export_name);
                        exported.insert(name, local);
                    }
                }
            }
            _ => {}
        }
    }

    // Definitions: local name -> slug.
    let mut definitions: BTreeMap<String, String> = BTreeMap::new();
    for (name, ty) in &declared {
        if let TsType::TsTypeRef(reference) = ty
            && let Some(ident) = entity_ident(&reference.type_name)
            && definition_type_names.contains(ident)
        {
            let params = reference.type_params.as_ref().map(|p| &p.params[..]);
            let slug = match params {
                Some([_, slug]) => match &**slug {
                    TsType::TsLitType(lit) => match &lit.lit {
                        TsLit::Str(s) => Some(text(s)),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            };
            let Some(slug) = slug else {
                return Err(DtsError::Shape {
                    label: label.to_owned(),
                    message: format!("`{name}` is an EventDefinition without a string slug"),
                });
            };
            definitions.insert(name.clone(), slug);
        }
    }

    // Wrappers: local name -> the definition its type refers to with `typeof`.
    let mut wrappers: BTreeMap<String, String> = BTreeMap::new();
    for (name, ty) in &declared {
        if definitions.contains_key(name) {
            continue;
        }
        let mut queries = TypeQueries::default();
        ty.visit_with(&mut queries);
        let targets: BTreeSet<&String> = queries
            .names
            .iter()
            .filter(|n| definitions.contains_key(*n))
            .collect();
        match targets.len() {
            0 => {}
            1 => {
                wrappers.insert(name.clone(), (*targets.first().unwrap()).clone());
            }
            _ => {
                return Err(DtsError::Shape {
                    label: label.to_owned(),
                    message: format!("`{name}` refers to several event definitions: {targets:?}"),
                });
            }
        }
    }

    let mut reached = BTreeSet::new();
    for (function, local) in &exported {
        let definition = if definitions.contains_key(local) {
            local
        } else if let Some(definition) = wrappers.get(local) {
            definition
        } else {
            continue;
        };
        reached.insert(definition.clone());
        out.events.push(EventExport {
            function: function.clone(),
            slug: definitions[definition].clone(),
        });
    }
    for name in definitions.keys() {
        if !reached.contains(name) {
            out.warnings.push(format!(
                "{label}: `{name}` ({}) is declared but not exported",
                definitions[name]
            ));
        }
    }

    // Every mention of `EventDefinition` should be one of the declarations read above.
    let mut mentions = TypeRefs {
        names: &definition_type_names,
        count: 0,
    };
    module.visit_with(&mut mentions);
    if mentions.count != definitions.len() {
        out.warnings.push(format!(
            "{label}: EventDefinition is mentioned {} times but {} events were read",
            mentions.count,
            definitions.len()
        ));
    }
    if definition_type_names.is_empty() && src.contains("EventDefinition<") {
        out.warnings.push(format!(
            "{label}: mentions EventDefinition without importing it from @wix/sdk-types"
        ));
    }

    out.events.sort();
    Ok(out)
}

fn entity_ident(name: &TsEntityName) -> Option<&str> {
    match name {
        TsEntityName::Ident(ident) => Some(&ident.sym),
        _ => None,
    }
}

/// Collects the names of `typeof name` queries in a type.
#[derive(Default)]
struct TypeQueries {
    names: Vec<String>,
}

impl Visit for TypeQueries {
    fn visit_ts_type_query(&mut self, query: &TsTypeQuery) {
        if let TsTypeQueryExpr::TsEntityName(name) = &query.expr_name
            && let Some(ident) = entity_ident(name)
        {
            self.names.push(ident.to_owned());
        }
        query.visit_children_with(self);
    }
}

/// Counts type references to any of `names`.
struct TypeRefs<'a> {
    names: &'a BTreeSet<String>,
    count: usize,
}

impl Visit for TypeRefs<'_> {
    fn visit_ts_type_ref(&mut self, reference: &TsTypeRef) {
        if entity_ident(&reference.type_name).is_some_and(|n| self.names.contains(n)) {
            self.count += 1;
        }
        reference.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A package made of the given files.
    struct Files(Vec<(&'static str, &'static str)>);

    impl PackageFiles for Files {
        fn label(&self) -> String {
            "@wix/test@0.0.0".to_owned()
        }
        fn has(&self, path: &str) -> bool {
            self.0.iter().any(|(p, _)| *p == path)
        }
        fn text(&self, path: &str) -> Result<Cow<'_, str>, DtsError> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| Cow::Borrowed(*text))
                .ok_or_else(|| DtsError::File(format!("no file {path}")))
        }
    }

    const NAMESPACE: &str = r#"
import { HttpClient, EventDefinition, BuildEventDefinition, MaybeContext } from '@wix/sdk-types';
interface ContactCreatedEnvelope { entity: {} }
declare function createContact$1(httpClient: HttpClient): () => void;
declare const onContactCreated$1: EventDefinition<ContactCreatedEnvelope, "wix.contacts.v4.contact_created">;
declare const onContactDeleted$1: EventDefinition<ContactCreatedEnvelope, "wix.contacts.v4.contact_deleted">;
declare const hidden$1: EventDefinition<ContactCreatedEnvelope, "wix.contacts.v4.hidden">;
declare const createContact: MaybeContext<typeof createContact$1>;
/** Triggered when a contact is created. */
declare const onContactCreated: BuildEventDefinition<typeof onContactCreated$1> & typeof onContactCreated$1;
declare const onContactDeleted: BuildEventDefinition<typeof onContactDeleted$1> & typeof onContactDeleted$1;
export { ContactCreatedEnvelope, createContact, onContactCreated, onContactDeleted as onGone };
"#;

    #[test]
    fn reads_events_through_wrappers_and_aliases() {
        let found = events(NAMESPACE, "test.d.mts").unwrap();
        let pairs: Vec<(&str, &str)> = found
            .events
            .iter()
            .map(|e| (e.function.as_str(), e.slug.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("onContactCreated", "wix.contacts.v4.contact_created"),
                ("onGone", "wix.contacts.v4.contact_deleted"),
            ]
        );
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        assert!(found.warnings[0].contains("hidden$1"));
    }

    #[test]
    fn reads_namespace_exports_in_every_form() {
        let tarball = Files(vec![
            (
                "build/es/index.d.mts",
                r#"
import * as auto_sdk_test_contactsV5 from '@wix/auto_sdk_test_contacts-v-5';
export { auto_sdk_test_contactsV5 as contactsV5 };
import '@wix/auto_sdk_test_contacts-v-5/meta';
export * as labels from '@wix/auto_sdk_test_labels';
export * from './more';
"#,
            ),
            (
                "build/es/more.d.mts",
                "import * as x from '@wix/auto_sdk_test_notes';\nexport { x as notes, x as notesAgain };\ndeclare const y: number;\nexport { y };\n",
            ),
        ]);
        let exports = namespace_exports(&tarball, "build/es/index.d.mts").unwrap();
        let found: Vec<(&str, &str)> = exports
            .namespaces
            .iter()
            .map(|n| (n.name.as_str(), n.module.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("contactsV5", "@wix/auto_sdk_test_contacts-v-5"),
                ("labels", "@wix/auto_sdk_test_labels"),
                ("notes", "@wix/auto_sdk_test_notes"),
                ("notesAgain", "@wix/auto_sdk_test_notes"),
            ]
        );
        assert_eq!(exports.other, ["y"]);
    }

    #[test]
    fn follows_an_aliased_import_of_event_definition() {
        let src = r#"
import { EventDefinition as ED } from '@wix/sdk-types';
export declare const onThing: ED<{}, "wix.things.v1.thing_created">;
"#;
        let found = events(src, "alias.d.mts").unwrap();
        assert_eq!(found.events[0].function, "onThing");
        assert_eq!(found.events[0].slug, "wix.things.v1.thing_created");
        assert!(found.warnings.is_empty());
    }
}
