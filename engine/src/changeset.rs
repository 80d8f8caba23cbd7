//! Changeset: the plan turned into bytes, in memory.
//!
//! An existing file changes only by [`Edit`]s: non-overlapping replacements of byte ranges
//! found by the scan, so every byte outside them stays as it was (quotes, comments, blank
//! lines, CRLF, a BOM, a missing final newline). New code takes its quotes, semicolons, `.ts`
//! suffix, indentation and line ends from the file it goes into. New files are written whole.
//! Nothing here touches the disk.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use thiserror::Error;
use wixsync_schema::{EventRef, ExportStyle};

use crate::generate::{self, CodeStyle};
use crate::plan::{Action, Plan};
use crate::scan::{BuilderExport, EventExtension, LinkArg, Registry, Scan};
use crate::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH, builder_path, handler_path, handler_source};

/// One replacement: the bytes in `range` of the original become `text`. An empty range
/// inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the original file.
    pub range: Range<usize>,
    /// The replacement text.
    pub text: String,
}

/// Edits that cannot be applied.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditError {
    /// Two edits overlap: a bug in wixsync.
    #[error("two edits of {path} overlap at bytes {first:?} and {second:?}")]
    Overlap {
        /// The file.
        path: String,
        /// The first edit's range.
        first: Range<usize>,
        /// The second edit's range.
        second: Range<usize>,
    },
    /// An edit lies past the end of the file: a bug in wixsync.
    #[error("an edit of {path} at bytes {range:?} lies outside the file ({len} bytes)")]
    OutOfRange {
        /// The file.
        path: String,
        /// The edit's range.
        range: Range<usize>,
        /// The file's length.
        len: usize,
    },
}

/// Applies `edits` to `original`. Edits are applied in order of position; insertions at the
/// same position keep the order they were given in.
///
/// # Errors
///
/// [`EditError`] when two edits overlap or one lies outside `original`.
pub fn apply_edits(path: &str, original: &[u8], edits: &[Edit]) -> Result<Vec<u8>, EditError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = Vec::with_capacity(original.len() + 256);
    let mut at = 0;
    let mut previous: Option<&Edit> = None;
    for edit in sorted {
        if edit.range.end > original.len() || edit.range.start > edit.range.end {
            return Err(EditError::OutOfRange {
                path: path.to_owned(),
                range: edit.range.clone(),
                len: original.len(),
            });
        }
        if let Some(prev) = previous
            && edit.range.start < prev.range.end
        {
            return Err(EditError::Overlap {
                path: path.to_owned(),
                first: prev.range.clone(),
                second: edit.range.clone(),
            });
        }
        out.extend_from_slice(&original[at..edit.range.start]);
        out.extend_from_slice(edit.text.as_bytes());
        at = edit.range.end;
        previous = Some(edit);
    }
    out.extend_from_slice(&original[at..]);
    Ok(out)
}

/// Why a changeset could not be built.
#[derive(Debug, Error)]
pub enum ChangesetError {
    /// Edits that do not apply: a bug in wixsync.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// `package.json` cannot be edited.
    #[error(transparent)]
    PackageJson(#[from] crate::package_json::PackageJsonError),
}

/// What happens to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new file.
    Create {
        /// Path relative to the app root.
        path: String,
        /// Its content.
        content: Vec<u8>,
    },
    /// An existing file, edited in place and/or moved.
    Modify {
        /// Path now, relative to the app root.
        path: String,
        /// Path after a move, if it moves.
        move_to: Option<String>,
        /// Its content now.
        original: Vec<u8>,
        /// The edits; empty for a pure move.
        edits: Vec<Edit>,
    },
    /// A file deleted.
    Delete {
        /// Path relative to the app root.
        path: String,
        /// Its content now.
        original: Vec<u8>,
    },
}

impl Change {
    /// The path the file has before the change (for a new file, its path).
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. }
            | Change::Modify { path, .. }
            | Change::Delete { path, .. } => path,
        }
    }

    /// The path the file has after the change, or `None` when it is deleted.
    pub fn new_path(&self) -> Option<&str> {
        match self {
            Change::Create { path, .. } => Some(path),
            Change::Modify { path, move_to, .. } => Some(move_to.as_deref().unwrap_or(path)),
            Change::Delete { .. } => None,
        }
    }

    /// The content before, or `None` for a new file.
    pub fn before(&self) -> Option<&[u8]> {
        match self {
            Change::Create { .. } => None,
            Change::Modify { original, .. } | Change::Delete { original, .. } => Some(original),
        }
    }

    /// The content after, or `None` when the file is deleted.
    ///
    /// # Errors
    ///
    /// [`EditError`] when the edits do not apply.
    pub fn after(&self) -> Result<Option<Vec<u8>>, EditError> {
        match self {
            Change::Create { content, .. } => Ok(Some(content.clone())),
            Change::Modify {
                path,
                original,
                edits,
                ..
            } => apply_edits(path, original, edits).map(Some),
            Change::Delete { .. } => Ok(None),
        }
    }
}

/// Every file change of a plan, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changeset {
    /// The changes.
    pub changes: Vec<Change>,
}

impl Changeset {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The tree after the changeset.
    ///
    /// # Errors
    ///
    /// [`EditError`] when an edit does not apply.
    pub fn apply_to(&self, tree: &AppTree) -> Result<AppTree, EditError> {
        let mut next = tree.clone();
        for change in &self.changes {
            next.remove(change.path());
        }
        for change in &self.changes {
            if let (Some(path), Some(content)) = (change.new_path(), change.after()?) {
                next.insert(path.to_owned(), content);
            }
        }
        Ok(next)
    }
}

/// The style of what wixsync adds to `src/extensions.ts`, read off the file: its event
/// imports decide first, then its other imports, then what `wix generate` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryStyle {
    /// Quotes, semicolons and line ends.
    pub code: CodeStyle,
    /// Whether import paths end in `.ts`.
    pub ts_suffix: bool,
}

/// Reads the style of `src/extensions.ts`.
pub fn registry_style(registry: &Registry) -> RegistryStyle {
    let is_event = |spec: &str| spec.starts_with("./extensions/backend/events/");
    let relative: Vec<_> = registry
        .imports
        .iter()
        .filter(|i| i.specifier.value.starts_with("./"))
        .collect();
    let events: Vec<_> = relative
        .iter()
        .filter(|i| is_event(&i.specifier.value))
        .copied()
        .collect();
    let pick = |group: &[&crate::scan::Import],
                f: &dyn Fn(&crate::scan::Import) -> bool,
                fallback: bool| {
        let yes = group.iter().filter(|i| f(i)).count();
        let no = group.len() - yes;
        if yes == no {
            group.last().map_or(fallback, |i| f(i))
        } else {
            yes > no
        }
    };
    let source: Vec<&crate::scan::Import> = if events.is_empty() {
        registry.imports.iter().collect()
    } else {
        events.clone()
    };
    let suffix_group = if events.is_empty() {
        &relative
    } else {
        &events
    };
    let text = &registry.text;
    let double = pick(
        &source,
        &|i| text[i.specifier.range.clone()].starts_with('"'),
        false,
    );
    RegistryStyle {
        code: CodeStyle {
            quote: if double { '"' } else { '\'' },
            semicolons: pick(&source, &|i| i.semicolon, true),
            indent: "  ".to_owned(),
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
        },
        ts_suffix: pick(suffix_group, &|i| i.specifier.value.ends_with(".ts"), true),
    }
}

/// The start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, after its line end (or the end of the text).
fn line_end_after_eol(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The range to delete to take out `range` from `text`: the whole line when `range` stands
/// alone on its line (so no empty line is left), else just `range`.
fn deletion_range(text: &str, range: Range<usize>) -> Range<usize> {
    let start = line_start(text, range.start);
    let end = line_end_after_eol(text, range.end);
    let before_blank = text[start..range.start].trim().is_empty();
    let after_blank = text[range.end..end].trim().is_empty();
    if before_blank && after_blank {
        start..end
    } else {
        range
    }
}

/// Builds the changeset of `plan` over the app `tree` as `scan` read it.
///
/// # Errors
///
/// [`ChangesetError`] when `package.json` cannot be edited, or the edits of one file overlap
/// (a bug in wixsync).
pub fn build(
    plan: &Plan,
    scan: &Scan,
    tree: &AppTree,
    style: &CodeStyle,
) -> Result<Changeset, ChangesetError> {
    let mut builder = ChangesetBuilder {
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
    };
    for step in &plan.steps {
        builder.apply(&step.action);
    }
    builder.finish()
}

/// The pending additions to `src/extensions.ts`.
struct RegistryEdits<'a> {
    registry: Option<&'a Registry>,
    style: Option<RegistryStyle>,
    /// New import lines, without line ends.
    imports: Vec<String>,
    /// New `.use(...)` arguments.
    links: Vec<String>,
    /// Names bound at the top level, including those this changeset adds.
    bindings: BTreeSet<String>,
}

impl<'a> RegistryEdits<'a> {
    fn new(registry: Option<&'a Registry>) -> Self {
        RegistryEdits {
            registry,
            style: registry.map(registry_style),
            imports: Vec::new(),
            links: Vec::new(),
            bindings: registry
                .map(|r| r.bindings.iter().cloned().collect())
                .unwrap_or_else(|| ["app".to_owned()].into()),
        }
    }

    /// A free local name close to `wanted`.
    fn free_name(&mut self, wanted: &str) -> String {
        let mut name = if generate::is_bindable(wanted) {
            wanted.to_owned()
        } else {
            format!("{wanted}Event")
        };
        let base = name.clone();
        let mut n = 2;
        while self.bindings.contains(&name) || !generate::is_bindable(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.bindings.insert(name.clone());
        name
    }
}

struct ChangesetBuilder<'a> {
    scan: &'a Scan,
    tree: &'a AppTree,
    style: &'a CodeStyle,
    /// Edits of existing files, by current path.
    edits: BTreeMap<String, Vec<Edit>>,
    /// Moves of existing files: current path → new path.
    moves: BTreeMap<String, String>,
    /// New files.
    created: BTreeMap<String, String>,
    /// Deleted files.
    deleted: BTreeSet<String>,
    registry: RegistryEdits<'a>,
    /// Renamed folders: new name → the extension as scanned under its old name.
    renamed: BTreeMap<String, &'a EventExtension>,
    /// Packages to add to `package.json`: name and version range.
    dependencies: Vec<(String, String)>,
}

impl<'a> ChangesetBuilder<'a> {
    fn edit(&mut self, path: &str, range: Range<usize>, text: String) {
        self.edits
            .entry(path.to_owned())
            .or_default()
            .push(Edit { range, text });
    }

    /// The scanned extension that ends up in `folder` (renamed into it, or already there).
    fn extension(&self, folder: &str) -> Option<&'a EventExtension> {
        self.renamed
            .get(folder)
            .copied()
            .or_else(|| self.scan.extension(folder))
    }

    fn apply(&mut self, action: &Action) {
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

    fn register(&mut self, folder: &str) {
        // The builder's export as it will be after this changeset.
        let export = match self.extension(folder).and_then(|x| x.builder.as_ref()) {
            Some(builder) => builder.export.clone(),
            None => match self.created.get(&builder_path(folder)) {
                Some(text) if text.contains("export const ") => BuilderExport::Named {
                    name: generate::named_export_name(folder),
                    range: 0..0,
                },
                _ => BuilderExport::Default,
            },
        };
        let renamed = self.renamed.contains_key(folder);
        let (style, export_style) = (export.style(), export.style());
        // An existing import that binds the builder: only the `.use` is missing.
        if !renamed
            && let Some(registry) = self.registry.registry
            && let Some(builder) = self.extension(folder).and_then(|x| x.builder.as_ref())
            && let Some(registration) = registry.registration(&builder.path, &builder.export)
        {
            self.registry.links.push(registration.local);
            return;
        }
        let wanted = match export_style {
            ExportStyle::Default => generate::default_local_name(folder),
            ExportStyle::Named => generate::named_export_name(folder),
        };
        let local = self.registry.free_name(&wanted);
        let registry_style = self.registry.style.clone().unwrap_or(RegistryStyle {
            code: self.style.clone(),
            ts_suffix: true,
        });
        self.registry.imports.push(generate::registry_import(
            folder,
            style,
            &local,
            registry_style.ts_suffix,
            &registry_style.code,
        ));
        self.registry.links.push(local);
    }

    fn remove(&mut self, folder: &str) {
        for path in self.tree.files_in_folder(folder) {
            self.deleted.insert(path.to_owned());
        }
        let Some(extension) = self.scan.extension(folder) else {
            return;
        };
        let (Some(registry), Some(builder)) = (self.registry.registry, &extension.builder) else {
            return;
        };
        let Some(registration) = registry.registration(&builder.path, &builder.export) else {
            return;
        };
        self.remove_import(
            registry,
            registration.import,
            Some(&registration.binding_range),
        );
    }

    /// Takes out of `src/extensions.ts` one binding of an import (`Some(range)`) or the whole
    /// import (`None`), and every `.use(...)` of what it bound.
    fn remove_import(&mut self, registry: &Registry, index: usize, binding: Option<&Range<usize>>) {
        let text = registry.text.as_str();
        let import = &registry.imports[index];
        let bindings = import.named.len() + usize::from(import.default.is_some());
        let mut locals: Vec<&str> = Vec::new();
        if let Some((local, range)) = &import.default
            && binding.is_none_or(|b| b == range)
        {
            locals.push(local);
        }
        for named in &import.named {
            if binding.is_none_or(|b| *b == named.range) {
                locals.push(&named.local);
            }
        }
        match binding {
            Some(range) if bindings > 1 => {
                // Other names come from the same import: take out this specifier and its comma.
                let after = &text[range.end..];
                let comma = after
                    .find(|c: char| !c.is_whitespace())
                    .filter(|&i| after[i..].starts_with(','));
                let range = match comma {
                    Some(i) => {
                        let rest = &after[i + 1..];
                        range.start..range.end + i + 1 + (rest.len() - rest.trim_start().len())
                    }
                    None => match text[..range.start].trim_end().strip_suffix(',') {
                        Some(before) => before.len()..range.end,
                        None => range.clone(),
                    },
                };
                self.edit(REGISTRY_PATH, range, String::new());
            }
            _ => {
                let range = deletion_range(text, import.range.clone());
                self.edit(REGISTRY_PATH, range, String::new());
            }
        }
        for link in &registry.chain.links {
            if !matches!(&link.arg, LinkArg::Ident(name) if locals.contains(&name.as_str())) {
                continue;
            }
            let own_line = deletion_range(text, link.range.clone());
            let range = if own_line != link.range {
                own_line
            } else if text[link.prev_end..link.range.start].trim().is_empty()
                && text[line_start(text, link.range.start)..link.range.start]
                    .trim()
                    .is_empty()
            {
                // First on its line, with `;` or more after it: join what follows to the
                // previous link's line.
                link.prev_end..link.range.end
            } else {
                link.range.clone()
            };
            self.edit(REGISTRY_PATH, range, String::new());
        }
    }

    fn finish(mut self) -> Result<Changeset, ChangesetError> {
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

    /// Adds the pending imports and links to `src/extensions.ts`, or writes it new.
    fn finish_registry(&mut self) {
        if self.registry.links.is_empty() {
            return;
        }
        let Some(registry) = self.registry.registry else {
            let imports = std::mem::take(&mut self.registry.imports);
            let text = generate::registry(&imports, &self.registry.links, self.style);
            self.created.insert(REGISTRY_PATH.to_owned(), text);
            return;
        };
        let text = registry.text.as_str();
        let eol = self.registry.style.as_ref().map_or("\n", |s| s.code.eol);
        if !self.registry.imports.is_empty() {
            let (at, lines) = match registry.imports.last() {
                Some(last) => {
                    let at = line_end_after_eol(text, last.range.end);
                    let ends_with_eol = text[..at].ends_with('\n');
                    let mut lines = String::new();
                    if !ends_with_eol {
                        lines.push_str(eol);
                    }
                    for (i, line) in self.registry.imports.iter().enumerate() {
                        lines.push_str(line);
                        if ends_with_eol || i + 1 < self.registry.imports.len() {
                            lines.push_str(eol);
                        }
                    }
                    (at, lines)
                }
                None => {
                    let at = if text.starts_with('\u{feff}') { 3 } else { 0 };
                    let lines: String = self
                        .registry
                        .imports
                        .iter()
                        .map(|l| format!("{l}{eol}"))
                        .collect();
                    (at, lines)
                }
            };
            self.edit(REGISTRY_PATH, at..at, lines);
        }
        let chain = &registry.chain;
        let multiline = text[chain.range.clone()].contains('\n');
        let indent = match chain.links.last() {
            Some(link) if multiline => {
                let start = line_start(text, link.range.start);
                let line = &text[start..];
                line[..line.len() - line.trim_start().len()].to_owned()
            }
            _ => "  ".to_owned(),
        };
        let links: String = self
            .registry
            .links
            .iter()
            .map(|local| {
                if multiline {
                    format!("{eol}{indent}.use({local})")
                } else {
                    format!(".use({local})")
                }
            })
            .collect();
        // A comment after the chain's last link stays on that link's line: the new links go
        // after it, which a multi-line chain allows since the next line starts with `.`.
        let mut end = chain.range.end;
        if multiline {
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            let rest = text[end..line_end].trim_end_matches('\r').trim();
            let only_comment =
                rest.starts_with("//") || (rest.starts_with("/*") && rest.ends_with("*/"));
            if only_comment {
                end = line_end - usize::from(text[..line_end].ends_with('\r'));
            }
        }
        self.edit(REGISTRY_PATH, end..end, links);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, text: &str) -> Edit {
        Edit {
            range,
            text: text.to_owned(),
        }
    }

    #[test]
    fn edits_apply_in_position_order_and_keep_insertion_order() {
        let out = apply_edits(
            "f",
            b"abcdef",
            &[edit(4..4, "X"), edit(1..2, ""), edit(4..4, "Y")],
        )
        .unwrap();
        assert_eq!(out, b"acdXYef");
    }

    #[test]
    fn overlapping_edits_are_an_error() {
        let err = apply_edits("f", b"abcdef", &[edit(1..3, ""), edit(2..4, "")]).unwrap_err();
        assert_eq!(
            err,
            EditError::Overlap {
                path: "f".into(),
                first: 1..3,
                second: 2..4
            }
        );
        assert!(matches!(
            apply_edits("f", b"ab", &[edit(1..5, "")]),
            Err(EditError::OutOfRange { .. })
        ));
    }

    #[test]
    fn deletion_takes_the_whole_line_only_when_alone() {
        let text = "a\n  .use(x)\nb";
        assert_eq!(deletion_range(text, 4..11), 2..12);
        let text = "a.use(x).use(y);\n";
        assert_eq!(deletion_range(text, 1..8), 1..8);
    }
}
