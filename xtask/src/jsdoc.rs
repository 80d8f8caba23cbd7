//! Reading each event's JSDoc out of a namespace package's `build/es/index.typings.d.mts`.
//!
//! The SDK generator documents every event function there (or in a `*.universal-*.d.mts` file
//! the typings file re-exports):
//!
//! ```ts
//! /**
//!  * Triggered when a contact is created.
//!  * @permissionScope Read Contacts
//!  * @permissionScopeId SCOPE.DC-CONTACTS.READ-CONTACTS
//!  * @permissionScope Manage Contacts
//!  * @permissionScopeId SCOPE.DC-CONTACTS.MANAGE-CONTACTS
//!  * @permissionId CONTACTS.VIEW
//!  * @webhook
//!  * @eventType wix.contacts.v4.contact_created
//!  */
//! declare function onContactCreated(handler: (event: ContactCreatedEnvelope) => void | Promise<void>): void;
//! ```
//!
//! [`event_docs`] finds each `declare function on…` with SWC, takes the block comment SWC
//! attaches in front of it, and reads the first description line, the
//! `@permissionScope`/`@permissionScopeId` pairs (each scope suffices on its own to receive the
//! event) and `@eventType`. The declarations are found in the syntax tree; only the comment's
//! own text is read line by line.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use swc_common::comments::{CommentKind, Comments, SingleThreadedComments};
use swc_common::{FileName, SourceMap, Spanned, sync::Lrc};
use swc_ecma_ast::{Decl, ModuleDecl, ModuleItem, Stmt};
use swc_ecma_parser::{Parser, StringInput, Syntax, TsSyntax};

use crate::dts::resolve_relative;
use crate::npm::Tarball;

/// A permission scope, as the JSDoc names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scope {
    /// `SCOPE.DC-CONTACTS.READ-CONTACTS`, from `@permissionScopeId`.
    pub id: String,
    /// `Read Contacts`, from `@permissionScope`: the name the app dashboard's Permissions
    /// page shows.
    pub name: String,
}

/// What an event function's JSDoc says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventDoc {
    /// The first line of the description: `Triggered when a contact is created.`
    pub description: String,
    /// Each `@permissionScope` with the `@permissionScopeId` after it, in the order written.
    pub scopes: Vec<Scope>,
    /// `@eventType`: the SDK's webhook slug, for checking against `EventDefinition`'s.
    pub event_type: Option<String>,
}

/// The docs of every `on…` function the typings file `path` of `tarball` declares, by function
/// name, following relative re-exports (`export … from './x.universal.mjs'`). Warnings (a
/// JSDoc tag without its pair) go to `warnings`.
pub fn event_docs(
    tarball: &Tarball,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, EventDoc>> {
    let mut docs = BTreeMap::new();
    let mut seen = BTreeSet::new();
    collect(tarball, path, &mut docs, &mut seen, warnings)?;
    Ok(docs)
}

fn collect(
    tarball: &Tarball,
    path: &str,
    docs: &mut BTreeMap<String, EventDoc>,
    seen: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    if !seen.insert(path.to_owned()) {
        return Ok(());
    }
    let label = format!("{}@{}/{path}", tarball.name, tarball.version);
    let src = tarball.text(path)?;
    let cm: Lrc<SourceMap> = Default::default();
    let file = cm.new_source_file(Lrc::new(FileName::Custom(label.clone())), src.to_owned());
    let comments = SingleThreadedComments::default();
    let syntax = Syntax::Typescript(TsSyntax {
        dts: true,
        ..Default::default()
    });
    let mut parser = Parser::new(syntax, StringInput::from(&*file), Some(&comments));
    let module = parser
        .parse_module()
        .map_err(|e| anyhow::anyhow!("{label}: parse error: {:?}", e.kind()))?;

    let mut relative = Vec::new();
    for item in &module.body {
        let function = match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Fn(function))) => Some(function),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => match &export.decl {
                Decl::Fn(function) => Some(function),
                _ => None,
            },
            ModuleItem::ModuleDecl(ModuleDecl::ExportAll(all)) => {
                relative.push(all.src.value.to_string_lossy().into_owned());
                None
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(named)) => {
                if let Some(src) = &named.src {
                    relative.push(src.value.to_string_lossy().into_owned());
                }
                None
            }
            ModuleItem::ModuleDecl(ModuleDecl::Import(import)) => {
                relative.push(import.src.value.to_string_lossy().into_owned());
                None
            }
            _ => None,
        };
        let Some(function) = function else { continue };
        let name = function.ident.sym.to_string();
        if !name.starts_with("on") {
            continue;
        }
        let leading = comments.get_leading(item.span_lo()).unwrap_or_default();
        let Some(block) = leading
            .iter()
            .rev()
            .find(|c| c.kind == CommentKind::Block && c.text.starts_with('*'))
        else {
            continue;
        };
        let doc = parse_doc(&block.text, &format!("{label}: `{name}`"), warnings);
        if doc.event_type.is_some() {
            docs.entry(name).or_insert(doc);
        }
    }
    for source in relative.iter().filter(|s| s.starts_with('.')) {
        let Some(target) = resolve_relative(tarball, path, source) else {
            bail!("{label}: cannot resolve `{source}`");
        };
        collect(tarball, &target, docs, seen, warnings)?;
    }
    Ok(())
}

/// Reads one JSDoc block (the text between `/*` and `*/`).
fn parse_doc(text: &str, label: &str, warnings: &mut Vec<String>) -> EventDoc {
    let mut doc = EventDoc::default();
    let mut pending_name: Option<String> = None;
    let mut in_description = true;
    for line in text.lines() {
        let line = line.trim().trim_start_matches('*').trim();
        if let Some(tag) = line.strip_prefix('@') {
            in_description = false;
            let (tag, value) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
            let value = value.trim();
            match tag {
                "permissionScope" => {
                    if let Some(name) = pending_name.replace(value.to_owned()) {
                        warnings.push(format!("{label}: @permissionScope {name} has no id"));
                    }
                }
                "permissionScopeId" => match pending_name.take() {
                    Some(name) => doc.scopes.push(Scope {
                        id: value.to_owned(),
                        name,
                    }),
                    None => {
                        warnings.push(format!("{label}: @permissionScopeId {value} has no name"));
                        doc.scopes.push(Scope {
                            id: value.to_owned(),
                            name: value.to_owned(),
                        });
                    }
                },
                "eventType" => doc.event_type = Some(value.to_owned()),
                _ => {}
            }
        } else if in_description && doc.description.is_empty() && !line.is_empty() {
            doc.description = line.to_owned();
        }
    }
    if let Some(name) = pending_name {
        warnings.push(format!("{label}: @permissionScope {name} has no id"));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPINGS: &str = r#"
import * as _wix_sdk_types from '@wix/sdk-types';
interface ContactCreatedEnvelope { entity: {} }
/**
 * Triggered when a contact is created.
 * Continues on a second line that is not kept.
 * @permissionScope Read Contacts
 * @permissionScopeId SCOPE.DC-CONTACTS.READ-CONTACTS
 * @permissionScope Manage Members and Contacts - all permissions
 * @permissionScopeId SCOPE.DC-CONTACTS-MEGA.MANAGE-MEMBERS-CONTACTS
 * @permissionId CONTACTS.VIEW
 * @webhook
 * @eventType wix.contacts.v4.contact_created
 * @slug created
 */
declare function onContactCreated(handler: (event: ContactCreatedEnvelope) => void | Promise<void>): void;
/** Creates a contact. */
declare function createContact(): void;
export { onContactCreated, createContact };
export { onContactDeleted } from './contacts.universal-abc.mjs';
"#;

    const UNIVERSAL: &str = r#"
/**
 * Triggered when a contact is deleted.
 * @permissionScope Read Contacts
 * @webhook
 * @eventType wix.contacts.v4.contact_deleted
 */
export declare function onContactDeleted(handler: () => void): void;
"#;

    #[test]
    fn reads_description_scopes_and_event_type_across_a_re_export() {
        let tarball = Tarball::from_files(
            "@wix/auto_sdk_test",
            &[
                ("build/es/index.typings.d.mts", TYPINGS),
                ("build/es/contacts.universal-abc.d.mts", UNIVERSAL),
            ],
        );
        let mut warnings = Vec::new();
        let docs = event_docs(&tarball, "build/es/index.typings.d.mts", &mut warnings).unwrap();
        assert_eq!(docs.len(), 2, "{docs:?}");
        let created = &docs["onContactCreated"];
        assert_eq!(created.description, "Triggered when a contact is created.");
        assert_eq!(
            created.scopes,
            [
                Scope {
                    id: "SCOPE.DC-CONTACTS.READ-CONTACTS".into(),
                    name: "Read Contacts".into()
                },
                Scope {
                    id: "SCOPE.DC-CONTACTS-MEGA.MANAGE-MEMBERS-CONTACTS".into(),
                    name: "Manage Members and Contacts - all permissions".into()
                },
            ]
        );
        assert_eq!(
            created.event_type.as_deref(),
            Some("wix.contacts.v4.contact_created")
        );
        let deleted = &docs["onContactDeleted"];
        assert_eq!(deleted.description, "Triggered when a contact is deleted.");
        assert!(deleted.scopes.is_empty());
        assert_eq!(
            warnings,
            [
                "@wix/auto_sdk_test@0.0.0/build/es/contacts.universal-abc.d.mts: \
              `onContactDeleted`: @permissionScope Read Contacts has no id"
            ]
        );
    }
}
