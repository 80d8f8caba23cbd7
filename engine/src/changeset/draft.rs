//! The draft of a changeset: plan steps turned, one by one, into new files, moves, deletions
//! and edits of existing files at the byte ranges the scan found.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use wixsync_schema::{EventRef, ExportStyle};

use super::registry::RegistryEdits;
use super::{Change, Changeset, ChangesetError};
use crate::edit::{EditError, FileEdits};
use crate::generate::{self, CodeStyle};
use crate::plan::{Action, LegacyImport, Migration};
use crate::scan::{BuilderExport, EventExtension, Scan, StrLit};
use crate::tree::{
    AppTree, PACKAGE_JSON, REGISTRY_PATH, builder_path, handler_path, handler_source, moved_path,
};

pub(super) struct Draft<'a> {
    pub(super) scan: &'a Scan,
    /// The app as read: the original bytes of the files that change.
    pub(super) tree: &'a AppTree,
    pub(super) style: &'a CodeStyle,
    /// Edits of existing files, by current path.
    pub(super) edits: FileEdits,
    /// The action being drafted, as plan output shows it: what an edit is for.
    pub(super) cause: String,
    /// The first edit that overlapped another, if any.
    pub(super) overlap: Option<EditError>,
    /// Moves of existing files: current path → new path.
    pub(super) moves: BTreeMap<String, String>,
    /// New files.
    pub(super) created: BTreeMap<String, String>,
    /// Deleted files.
    pub(super) deleted: BTreeSet<String>,
    pub(super) registry: RegistryEdits<'a>,
    /// Renamed folders: new name → the extension as scanned under its old name.
    pub(super) renamed: BTreeMap<String, &'a EventExtension>,
    /// Registrations that followed a rename: new folder name → the builder's export after
    /// the rename (`None`: default) and the local name the import binds it to.
    pub(super) followed: BTreeMap<String, (Option<String>, String)>,
    /// Packages to add to `package.json`: name and version range.
    pub(super) dependencies: Vec<(String, String)>,
    /// Folders (after any rename) whose builder's export style is converted.
    pub(super) converting: BTreeSet<String>,
}

/// `value` as a string literal with the quotes of `literal`.
fn requote(literal: &StrLit, value: &str) -> String {
    CodeStyle {
        quote: literal.quote,
        ..CodeStyle::default()
    }
    .quoted(value)
}

impl<'a> Draft<'a> {
    pub(super) fn new(scan: &'a Scan, tree: &'a AppTree) -> Self {
        Draft {
            scan,
            tree,
            style: &scan.style,
            edits: FileEdits::default(),
            cause: String::new(),
            overlap: None,
            moves: BTreeMap::new(),
            created: BTreeMap::new(),
            deleted: BTreeSet::new(),
            registry: RegistryEdits::new(scan.registry.as_ref()),
            renamed: BTreeMap::new(),
            followed: BTreeMap::new(),
            dependencies: Vec::new(),
            converting: BTreeSet::new(),
        }
    }

    /// Adds an edit for the action being drafted; the first one that overlaps another is
    /// kept to be reported.
    pub(super) fn edit(&mut self, path: &str, range: Range<usize>, text: String) {
        self.edit_for(path, range, text, None);
    }

    /// Adds an edit for `cause`, or for the action being drafted.
    pub(super) fn edit_for(
        &mut self,
        path: &str,
        range: Range<usize>,
        text: String,
        cause: Option<&str>,
    ) {
        let cause = cause.unwrap_or(&self.cause).to_owned();
        if let Err(error) = self.edits.add(path, range, text, &cause) {
            self.overlap.get_or_insert(error);
        }
    }

    /// The scanned extension that ends up in `folder` (renamed into it, or already there).
    pub(super) fn extension(&self, folder: &str) -> Option<&'a EventExtension> {
        self.renamed
            .get(folder)
            .copied()
            .or_else(|| self.scan.extension(folder))
    }

    pub(super) fn apply(&mut self, action: &Action) {
        self.cause = action.to_string();
        match action {
            Action::Create {
                folder,
                event,
                id,
                export,
                builder,
                handler,
            } => {
                let folder = folder.as_str();
                if *builder {
                    self.created.insert(
                        builder_path(folder),
                        generate::builder(folder, id, *export, self.style),
                    );
                }
                if *handler {
                    self.created.insert(
                        handler_path(folder),
                        generate::handler(folder, event, self.style),
                    );
                }
            }
            Action::Rename { from, to, .. } => self.rename(from, to.as_str()),
            Action::ChangeEvent { folder, from, to } => {
                self.change_event(folder.as_str(), from, to)
            }
            Action::ChangeId { folder, to, .. } => {
                if let Some(builder) = self
                    .extension(folder.as_str())
                    .and_then(|x| x.builder.as_ref())
                    && let Some(id) = &builder.id
                {
                    self.edit(&builder.path, id.range.clone(), requote(id, to));
                }
            }
            Action::Register { folder, export } => {
                self.register(folder.as_str(), export.as_deref())
            }
            Action::Remove { folder } => self.remove(folder),
            Action::ExportDefault { folder } => {
                if let Some(handler) = self
                    .extension(folder.as_str())
                    .and_then(|x| x.handler.as_ref())
                    && let Some(subscription) = &handler.subscription
                {
                    let at = subscription.statement_start;
                    self.edit(&handler.path, at..at, "export default ".to_owned());
                }
            }
            Action::FixSource { folder, .. } => {
                if let Some(extension) = self.extension(folder.as_str())
                    && let Some(builder) = &extension.builder
                    && let Some(source) = &builder.source
                {
                    // A missing handler is created at its default path (`Action::Create`).
                    let handler = extension
                        .handler
                        .as_ref()
                        .map_or_else(|| handler_path(folder.as_str()), |h| h.path.clone());
                    let expected =
                        format!("./{}", handler.strip_prefix("src/").unwrap_or(&handler));
                    self.edit(
                        &builder.path,
                        source.range.clone(),
                        requote(source, &expected),
                    );
                }
            }
            Action::AddDependency { package, version } => {
                self.dependencies.push((package.clone(), version.clone()));
            }
            Action::Migrate { folder, migration } => self.migrate(folder.as_str(), migration),
            Action::Unregister { specifier } => {
                if let Some(registry) = self.registry.registry {
                    for (index, import) in registry.imports.iter().enumerate() {
                        if &import.specifier.value == specifier {
                            self.remove_import(registry, index);
                        }
                    }
                }
            }
        }
    }

    /// Points a registration's import specifier (a literal of `src/extensions.ts`) from the
    /// builder of folder `from` to that of `to`, in place and in its own quotes.
    fn move_specifier(&mut self, specifier: &StrLit, from: &str, to: &str) {
        let old_tail = format!("/{from}/{from}.extension");
        if let Some(at) = specifier.value.rfind(&old_tail) {
            let value = format!(
                "{}/{to}/{to}.extension{}",
                &specifier.value[..at],
                &specifier.value[at + old_tail.len()..]
            );
            self.edit(
                REGISTRY_PATH,
                specifier.range.clone(),
                requote(specifier, &value),
            );
        }
    }

    fn rename(&mut self, from: &str, to: &str) {
        let Some(extension) = self.scan.extension(from) else {
            return;
        };
        self.renamed.insert(to.to_owned(), extension);
        for path in &extension.files {
            self.moves
                .insert(path.to_owned(), moved_path(path, from, to));
        }
        self.relabel_handler(extension, to);
        // Imports of its files from elsewhere in src/ follow it.
        for import in self.scan.folder_imports.iter().filter(|i| i.folder == from) {
            let value = import.renamed(to);
            let literal = requote(&import.specifier, &value);
            self.edit(&import.path, import.specifier.range.clone(), literal);
        }
        let Some(builder) = &extension.builder else {
            // A folder that lost its builder gets a new one under the new name, exported as
            // its registration expects (scan's `registered_style`); the registration follows.
            let export = (extension.export_style() == Some(ExportStyle::Named))
                .then(|| generate::named_export_name(from));
            let old_builder = builder_path(from);
            if !self.follow_registration(&old_builder, export.as_deref(), from, to)
                && let Some(registry) = self.registry.registry
            {
                // Imports of the old builder that bind something no builder will export: they
                // would dangle once the folder is gone, and the plan registers the new one.
                for index in registry.imports_of(&old_builder) {
                    self.remove_import(registry, index);
                }
            }
            return;
        };
        if let Some(source) = &builder.source {
            let handler = extension
                .handler
                .as_ref()
                .and_then(|h| self.moves.get(&h.path))
                .and_then(|p| p.strip_prefix("src/"))
                .map_or_else(|| handler_source(to), |p| format!("./{p}"));
            self.edit(
                &builder.path,
                source.range.clone(),
                requote(source, &handler),
            );
        }
        let converting = self.converting.contains(to);
        if let Some(registry) = self.registry.registry {
            // Every import of the builder points at its new path. `follow_registration` moves
            // the registration's own, unless the export-style conversion rewrites the export,
            // the binding and its uses. Any other import (one that binds a name the builder
            // does not export, say) keeps its bindings and follows the file.
            let registration = registry
                .registration(&builder.path, builder.export.name())
                .map(|r| r.import);
            for index in registry.imports_of(&builder.path) {
                if converting || Some(index) != registration {
                    self.move_specifier(&registry.imports[index].specifier, from, to);
                }
            }
        }
        if converting {
            return;
        }
        if let BuilderExport::Named { range, .. } = &builder.export {
            self.edit(
                &builder.path,
                range.clone(),
                generate::named_export_name(to),
            );
        }
        self.follow_registration(&builder.path, builder.export.name(), from, to);
    }

    /// The registration of the builder at `builder_path` (exported as `export`, `None` for
    /// its default export) follows a rename of its folder `from` → `to`, in place: the import's
    /// path, the binding when it is the one wixsync would generate, and every use of it.
    /// Returns whether there was such a registration; if so, it is recorded in `followed`
    /// for a register step of `to` to reuse.
    fn follow_registration(
        &mut self,
        builder_path: &str,
        export: Option<&str>,
        from: &str,
        to: &str,
    ) -> bool {
        let Some(registry) = self.registry.registry else {
            return false;
        };
        let Some(registration) = registry.registration(builder_path, export) else {
            return false;
        };
        let import = &registry.imports[registration.import];
        self.move_specifier(&import.specifier, from, to);
        let (new_export, new_local) = match export {
            None => (None, {
                if registration.local == generate::default_local_name(from) {
                    let wanted = generate::default_local_name(to);
                    let local = self.registry.free_name(&wanted);
                    self.edit(
                        REGISTRY_PATH,
                        registration.binding_range.clone(),
                        local.clone(),
                    );
                    local
                } else {
                    registration.local.clone()
                }
            }),
            Some(name) => {
                let new_name = generate::named_export_name(to);
                let local = if registration.local == name {
                    // `{ eventOld }` → `{ eventNew }`: imported and local names are one.
                    let local = self.registry.free_name(&new_name);
                    let text = if local == new_name {
                        new_name.clone()
                    } else {
                        format!("{new_name} as {local}")
                    };
                    self.edit(REGISTRY_PATH, registration.binding_range.clone(), text);
                    local
                } else {
                    // `{ eventOld as local }`: only the imported name changes.
                    self.edit(
                        REGISTRY_PATH,
                        registration.imported_range.clone(),
                        new_name.clone(),
                    );
                    registration.local.clone()
                };
                (Some(new_name), local)
            }
        };
        // Every use of the old local name follows it: `.use(old)` links and the app's own
        // uses (`export const all = [old]`, `const alias = old`); `.use(alias)` stays.
        if new_local != registration.local {
            for reference in &registry.references {
                if reference.local == registration.local {
                    self.edit(REGISTRY_PATH, reference.range.clone(), new_local.clone());
                }
            }
        }
        self.followed.insert(to.to_owned(), (new_export, new_local));
        true
    }

    fn migrate(&mut self, folder: &str, migration: &Migration) {
        let Some(extension) = self.extension(folder) else {
            return;
        };
        match migration {
            Migration::LegacyHandler {
                event,
                namespace_local,
                import,
                ..
            } => {
                let Some(handler) = &extension.handler else {
                    return;
                };
                let Some(legacy) = &handler.legacy else {
                    return;
                };
                let path = handler.path.as_str();
                match import {
                    LegacyImport::Rewrite => {
                        self.edit(
                            path,
                            legacy.import_specifier.clone(),
                            namespace_local.clone(),
                        );
                        self.edit(
                            path,
                            legacy.specifier.range.clone(),
                            requote(&legacy.specifier, &event.npm_package()),
                        );
                    }
                    LegacyImport::Merge => {
                        self.edit(path, legacy.import_lines.clone(), String::new());
                        if let Some(at) = legacy.root_import.as_ref().and_then(|r| r.insert_at) {
                            self.edit(path, at..at, format!(", {namespace_local}"));
                        }
                    }
                    LegacyImport::Reuse => {
                        self.edit(path, legacy.import_lines.clone(), String::new());
                    }
                }
                if !legacy.is_default_export {
                    let at = legacy.statement_start;
                    self.edit(path, at..at, "export default ".to_owned());
                }
                self.edit(
                    path,
                    legacy.callee.clone(),
                    format!("{namespace_local}.{}", event.function),
                );
            }
            Migration::NamedSubscription { name, keep } => {
                let Some(handler) = &extension.handler else {
                    return;
                };
                let Some(named) = handler
                    .subscription
                    .as_ref()
                    .and_then(|s| s.named_export.as_ref())
                else {
                    return;
                };
                if *keep {
                    let at = named.statement_end;
                    let semi = if named.semicolon { ";" } else { "" };
                    let text = format!("{}export default {name}{semi}", handler.eol);
                    self.edit(&handler.path, at..at, text);
                } else {
                    self.edit(
                        &handler.path,
                        named.head.clone(),
                        "export default ".to_owned(),
                    );
                }
            }
            Migration::ExportStyle { to, .. } => self.convert_export(extension, folder, *to),
        }
    }

    /// The builder's export in style `to`, and its registration with it: the import's binding
    /// (`contactCreated` ↔ `{ eventContactCreated }`) and every use of its local name.
    fn convert_export(&mut self, extension: &'a EventExtension, folder: &str, to: ExportStyle) {
        let Some(builder) = &extension.builder else {
            return;
        };
        let head = match to {
            ExportStyle::Default => "export default ".to_owned(),
            ExportStyle::Named => {
                format!("export const {} = ", generate::named_export_name(folder))
            }
        };
        self.edit(&builder.path, builder.head.clone(), head);
        let Some(registry) = self.registry.registry else {
            return;
        };
        let Some(registration) = registry.registration(&builder.path, builder.export.name()) else {
            return;
        };
        let import = &registry.imports[registration.import];
        // A local name that follows the convention follows the new one; any other stays.
        let conventional = match &builder.export {
            BuilderExport::Default => generate::default_local_name(&extension.folder),
            BuilderExport::Named { name, .. } => name.clone(),
        };
        let wanted = match to {
            ExportStyle::Default => generate::default_local_name(folder),
            ExportStyle::Named => generate::named_export_name(folder),
        };
        let local = if registration.local != conventional || registration.local == wanted {
            registration.local.clone()
        } else {
            self.registry.free_name(&wanted)
        };
        let binding = match to {
            ExportStyle::Default => local.clone(),
            ExportStyle::Named => {
                let name = generate::named_export_name(folder);
                if name == local {
                    format!("{{ {name} }}")
                } else {
                    format!("{{ {name} as {local} }}")
                }
            }
        };
        self.edit(
            REGISTRY_PATH,
            import.range.start..import.specifier.range.start,
            format!("import {binding} from "),
        );
        if local != registration.local {
            for reference in &registry.references {
                if reference.local == registration.local {
                    self.edit(REGISTRY_PATH, reference.range.clone(), local.clone());
                }
            }
        }
    }

    /// A handler that is exactly what wixsync generated logs its folder's name: after a rename
    /// it logs the new one. A handler edited by hand is never touched.
    fn relabel_handler(&mut self, extension: &EventExtension, to: &str) {
        let (Some(handler), Some(event)) = (&extension.handler, extension.event()) else {
            return;
        };
        if handler.text != generate::handler(&extension.folder, event, self.style) {
            return;
        }
        let old = generate::handler_log_labels(&extension.folder, self.style);
        let new = generate::handler_log_labels(to, self.style);
        // The text is our own template, so each label stands in it exactly once.
        for (old, new) in old.iter().zip(new) {
            if let Some(at) = handler.text.find(old.as_str()) {
                self.edit(&handler.path, at..at + old.len(), new);
            }
        }
    }

    fn change_event(&mut self, folder: &str, from: &EventRef, to: &EventRef) {
        let Some(handler) = self.extension(folder).and_then(|x| x.handler.as_ref()) else {
            return;
        };
        let Some(subscription) = &handler.subscription else {
            return;
        };
        if from.package != to.package {
            let literal = &subscription.package_literal;
            self.edit(
                &handler.path,
                literal.range.clone(),
                requote(literal, &to.npm_package()),
            );
        }
        if from.namespace != to.namespace {
            self.edit(
                &handler.path,
                subscription.namespace_import.clone(),
                to.namespace.clone(),
            );
            self.edit(
                &handler.path,
                subscription.callee_namespace.clone(),
                to.namespace.clone(),
            );
        }
        if from.function != to.function {
            self.edit(
                &handler.path,
                subscription.callee_function.clone(),
                to.function.clone(),
            );
        }
    }

    fn remove(&mut self, folder: &str) {
        let Some(extension) = self.scan.extension(folder) else {
            return;
        };
        self.deleted.extend(extension.files.iter().cloned());
        let Some(registry) = self.registry.registry else {
            return;
        };
        // The builder is deleted (or lost already): every import of it goes, with the `.use`
        // of whatever it binds, whether or not that is the name the builder exports.
        let builder = extension
            .builder
            .as_ref()
            .map_or_else(|| builder_path(folder), |b| b.path.clone());
        for index in registry.imports_of(&builder) {
            self.remove_import(registry, index);
        }
    }

    pub(super) fn finish(mut self) -> Result<Changeset, ChangesetError> {
        self.cause = "finish src/extensions.ts".to_owned();
        self.finish_registry();
        if !self.dependencies.is_empty()
            && let Some(Ok(package_json)) = &self.scan.package_json
        {
            let wanted: Vec<(&str, &str)> = self
                .dependencies
                .iter()
                .map(|(name, version)| (name.as_str(), version.as_str()))
                .collect();
            let cause = format!(
                "add {} to package.json",
                wanted
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for edit in super::package_json::add_dependencies(package_json, &wanted) {
                self.edit_for(PACKAGE_JSON, edit.range, edit.text, Some(&cause));
            }
        }
        if let Some(error) = self.overlap {
            return Err(error.into());
        }
        let mut changes = Vec::new();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        touched.extend(self.edits.paths().map(str::to_owned));
        touched.extend(self.moves.keys().cloned());
        for path in &touched {
            if self.deleted.contains(path) {
                continue;
            }
            let original = self.tree.bytes(path).unwrap_or_default().to_vec();
            let change = Change::Modify {
                path: path.clone(),
                move_to: self.moves.get(path).cloned(),
                original,
                edits: self.edits.take(path),
            };
            change.after()?;
            changes.push(change);
        }
        for path in &self.deleted {
            changes.push(Change::Delete {
                path: path.clone(),
                original: self.tree.bytes(path).unwrap_or_default().to_vec(),
            });
        }
        for (path, content) in self.created {
            changes.push(Change::Create {
                path,
                content: content.into_bytes(),
            });
        }
        changes.sort_by(|a, b| a.path().cmp(b.path()));
        Ok(Changeset { changes })
    }
}
