//! Turning plan steps into file changes: new files, moves, and edits of existing files at the
//! byte ranges the scan found.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use wixsync_schema::EventRef;

use super::registry::RegistryEdits;
use super::{Change, Changeset, ChangesetError, Edit};
use crate::generate::{self, CodeStyle};
use crate::plan::Action;
use crate::scan::{BuilderExport, EventExtension, Scan};
use crate::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH, builder_path, handler_path, handler_source};

pub(super) struct ChangesetBuilder<'a> {
    pub(super) scan: &'a Scan,
    pub(super) tree: &'a AppTree,
    pub(super) style: &'a CodeStyle,
    /// Edits of existing files, by current path.
    pub(super) edits: BTreeMap<String, Vec<Edit>>,
    /// Moves of existing files: current path → new path.
    pub(super) moves: BTreeMap<String, String>,
    /// New files.
    pub(super) created: BTreeMap<String, String>,
    /// Deleted files.
    pub(super) deleted: BTreeSet<String>,
    pub(super) registry: RegistryEdits<'a>,
    /// Renamed folders: new name → the extension as scanned under its old name.
    pub(super) renamed: BTreeMap<String, &'a EventExtension>,
    /// Packages to add to `package.json`: name and version range.
    pub(super) dependencies: Vec<(String, String)>,
}

/// `value` as a string literal with the quotes of `literal` (a literal as written).
fn requote(literal: &str, value: &str) -> String {
    let quote = if literal.starts_with('"') { '"' } else { '\'' };
    CodeStyle {
        quote,
        ..CodeStyle::default()
    }
    .quoted(value)
}

impl<'a> ChangesetBuilder<'a> {
    pub(super) fn new(scan: &'a Scan, tree: &'a AppTree, style: &'a CodeStyle) -> Self {
        ChangesetBuilder {
            scan,
            tree,
            style,
            edits: BTreeMap::new(),
            moves: BTreeMap::new(),
            created: BTreeMap::new(),
            deleted: BTreeSet::new(),
            registry: RegistryEdits::new(scan.registry.as_ref()),
            renamed: BTreeMap::new(),
            dependencies: Vec::new(),
        }
    }

    pub(super) fn edit(&mut self, path: &str, range: Range<usize>, text: String) {
        self.edits
            .entry(path.to_owned())
            .or_default()
            .push(Edit { range, text });
    }

    /// The scanned extension that ends up in `folder` (renamed into it, or already there).
    pub(super) fn extension(&self, folder: &str) -> Option<&'a EventExtension> {
        self.renamed
            .get(folder)
            .copied()
            .or_else(|| self.scan.extension(folder))
    }

    pub(super) fn apply(&mut self, action: &Action) {
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
                    let text = requote(
                        &self.tree.text(&builder.path).unwrap_or_default()[id.range.clone()],
                        to,
                    );
                    self.edit(&builder.path, id.range.clone(), text);
                }
            }
            Action::Register { folder } => self.register(folder.as_str()),
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
                    && let (Some(builder), Some(handler)) = (&extension.builder, &extension.handler)
                    && let Some(source) = &builder.source
                {
                    let text = self.tree.text(&builder.path).unwrap_or_default();
                    let expected = format!(
                        "./{}",
                        handler.path.strip_prefix("src/").unwrap_or(&handler.path)
                    );
                    let new = requote(&text[source.range.clone()], &expected);
                    self.edit(&builder.path, source.range.clone(), new);
                }
            }
            Action::AddDependency { package, version } => {
                self.dependencies.push((package.clone(), version.clone()));
            }
            Action::Unregister { specifier } => {
                if let Some(registry) = self.registry.registry
                    && let Some(index) = registry
                        .imports
                        .iter()
                        .position(|i| &i.specifier.value == specifier)
                {
                    self.remove_import(registry, index, None);
                }
            }
        }
    }

    fn rename(&mut self, from: &str, to: &str) {
        let Some(extension) = self.scan.extension(from) else {
            return;
        };
        self.renamed.insert(to.to_owned(), extension);
        let old_dir = format!("{EVENTS_DIR}/{from}/");
        for path in self.tree.files_in_folder(from) {
            let rest = &path[old_dir.len()..];
            let renamed = if rest == format!("{from}.extension.ts") {
                format!("{to}.extension.ts")
            } else if let Some(ext) = rest.strip_prefix(from).filter(|r| r.starts_with('.')) {
                format!("{to}{ext}")
            } else {
                rest.to_owned()
            };
            self.moves
                .insert(path.to_owned(), format!("{EVENTS_DIR}/{to}/{renamed}"));
        }
        let Some(builder) = &extension.builder else {
            return;
        };
        let text = self.tree.text(&builder.path).unwrap_or_default();
        if let Some(source) = &builder.source {
            let handler = extension
                .handler
                .as_ref()
                .and_then(|h| self.moves.get(&h.path))
                .and_then(|p| p.strip_prefix("src/"))
                .map_or_else(|| handler_source(to), |p| format!("./{p}"));
            let new = requote(&text[source.range.clone()], &handler);
            self.edit(&builder.path, source.range.clone(), new);
        }
        if let BuilderExport::Named { range, .. } = &builder.export {
            self.edit(
                &builder.path,
                range.clone(),
                generate::named_export_name(to),
            );
        }
        // The registration: path, binding and `.use` arguments, in place.
        let Some(registry) = self.registry.registry else {
            return;
        };
        let Some(registration) = registry.registration(&builder.path, &builder.export) else {
            return;
        };
        let import = &registry.imports[registration.import];
        let literal = &registry.text[import.specifier.range.clone()];
        let new_literal = literal.replace(
            &format!("/{from}/{from}.extension"),
            &format!("/{to}/{to}.extension"),
        );
        self.edit(REGISTRY_PATH, import.specifier.range.clone(), new_literal);
        let new_local = match &builder.export {
            BuilderExport::Default => {
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
            }
            BuilderExport::Named { name, .. } => {
                let new_name = generate::named_export_name(to);
                let binding = &registry.text[registration.binding_range.clone()];
                if registration.local == *name {
                    // `{ eventOld }` → `{ eventNew }`: imported and local names are one.
                    let local = self.registry.free_name(&new_name);
                    let text = if local == new_name {
                        new_name
                    } else {
                        format!("{new_name} as {local}")
                    };
                    self.edit(REGISTRY_PATH, registration.binding_range.clone(), text);
                    local
                } else {
                    // `{ eventOld as local }`: only the imported name changes.
                    let start = registration.binding_range.start;
                    let len = binding.find(name.as_str()).map_or(0, |i| i + name.len());
                    self.edit(REGISTRY_PATH, start..start + len, new_name);
                    registration.local.clone()
                }
            }
        };
        if new_local != registration.local {
            for &link in &registration.links {
                let range = registry.chain.links[link].arg_range.clone();
                self.edit(REGISTRY_PATH, range, new_local.clone());
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
        let text = self.tree.text(&handler.path).unwrap_or_default();
        if from.package != to.package {
            let literal = &text[subscription.package_literal.clone()];
            self.edit(
                &handler.path,
                subscription.package_literal.clone(),
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
        for path in self.tree.files_in_folder(folder) {
            self.deleted.insert(path.to_owned());
        }
        let Some(registry) = self.registry.registry else {
            return;
        };
        match self.scan.extension(folder).and_then(|x| x.builder.as_ref()) {
            Some(builder) => {
                if let Some(registration) = registry.registration(&builder.path, &builder.export) {
                    self.remove_import(
                        registry,
                        registration.import,
                        Some(&registration.binding_range),
                    );
                }
            }
            // No builder left: every import of its path goes.
            None => {
                for index in registry.imports_of(&builder_path(folder)) {
                    self.remove_import(registry, index, None);
                }
            }
        }
    }

    pub(super) fn finish(mut self) -> Result<Changeset, ChangesetError> {
        self.finish_registry();
        if !self.dependencies.is_empty()
            && let Some(text) = self.tree.text("package.json")
        {
            let wanted: Vec<(&str, &str)> = self
                .dependencies
                .iter()
                .map(|(name, version)| (name.as_str(), version.as_str()))
                .collect();
            let edits = crate::package_json::add_dependencies(text, &wanted)?;
            self.edits
                .entry("package.json".to_owned())
                .or_default()
                .extend(edits);
        }
        let mut changes = Vec::new();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        touched.extend(self.edits.keys().cloned());
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
                edits: self.edits.remove(path).unwrap_or_default(),
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
