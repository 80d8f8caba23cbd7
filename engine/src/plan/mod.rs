//! Plan: what must change for the app to match its manifest, and why.
//!
//! A pure function of the manifest, the scan and a few facts gathered beforehand (fresh
//! UUIDs, which files git can restore). It performs no I/O, reads no clock and draws no
//! random numbers, and its output is in manifest order, so the same inputs always give the
//! same plan. It says what to do; `changeset` works out the bytes.
//!
//! Matching a manifest entry to an existing extension follows docs/contract.md's four rules ("Matching"), first
//! rule that applies: (1) a folder with the entry's name; (2) a folder named in
//! `renamed-from`, or whose builder has the pinned `id`; (3) the only unmatched extension
//! subscribing to the entry's event; (4) otherwise create it.

mod checks;
mod conflict;
mod handler;
mod safety;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use uuid::Uuid;
use wixsync_schema::{Entry, EventRef, ExportStyle, FolderName, Manifest};

pub use conflict::{Conflict, Refusal, Warning};

use crate::generate;
use crate::git::GitState;
use crate::scan::{EventExtension, Scan};
use crate::tree::{REGISTRY_PATH, builder_path, moved_path};

/// Facts the plan needs that are gathered before planning, so that planning stays pure.
#[derive(Debug, Clone)]
pub struct PlanInputs {
    /// One fresh UUID v4 per manifest entry (by index), used when an entry is created without
    /// a pinned `id`.
    pub fresh_ids: Vec<Uuid>,
    /// Which files git can restore.
    pub git: GitState,
    /// `--force`: go ahead despite conflicts that only protect work.
    pub force: bool,
    /// For folders whose builder is missing, the id their builder had in `HEAD`: a builder
    /// written anew keeps it (git.rs, [`crate::git::head_file`]).
    pub recorded_ids: BTreeMap<String, String>,
}

/// One change to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write the builder and/or handler of a new (or incomplete) extension.
    Create {
        /// The folder.
        folder: FolderName,
        /// The event its handler subscribes to.
        event: EventRef,
        /// The extension's UUID.
        id: String,
        /// How the builder exports the extension.
        export: ExportStyle,
        /// Whether the builder file is written.
        builder: bool,
        /// Whether the handler file is written.
        handler: bool,
    },
    /// Move an extension's folder and files to a new name, keeping its UUID.
    Rename {
        /// The folder now.
        from: String,
        /// The folder after.
        to: FolderName,
        /// Its UUID, which stays.
        id: Option<String>,
    },
    /// Point a kept handler at another SDK event.
    ChangeEvent {
        /// The folder (after any rename).
        folder: FolderName,
        /// The event the handler subscribes to now.
        from: EventRef,
        /// The event of the manifest.
        to: EventRef,
    },
    /// Replace a builder's id with the one the manifest pins (only with `--force`).
    ChangeId {
        /// The folder (after any rename).
        folder: FolderName,
        /// The id now.
        from: String,
        /// The pinned id.
        to: String,
    },
    /// Import the builder in `src/extensions.ts` and add `.use(...)` for it.
    Register {
        /// The folder (after any rename).
        folder: FolderName,
        /// The name the builder exports the extension as once the changeset is applied, or
        /// `None` for its default export.
        export: Option<String>,
    },
    /// Delete an extension's folder and its registration.
    Remove {
        /// The folder.
        folder: String,
    },
    /// Put `export default` in front of a handler's subscription call, which `@wix/astro`
    /// requires ("Expected event listener call to be the default export").
    ExportDefault {
        /// The folder (after any rename).
        folder: FolderName,
    },
    /// Point a builder's `source` at its handler.
    FixSource {
        /// The folder (after any rename).
        folder: FolderName,
        /// The `source` now.
        from: String,
    },
    /// Add a `@wix/*` package a handler imports to `package.json`'s `dependencies`.
    AddDependency {
        /// The npm package: `@wix/crm`.
        package: String,
        /// The version range: `^1.0.1643`, the catalog's version.
        version: String,
    },
    /// Take out of `src/extensions.ts` the registrations of a file that no longer exists:
    /// every import with this specifier (one step per specifier), and the `.use` of each.
    Unregister {
        /// The imports' module specifier.
        specifier: String,
    },
    /// Rewrite an extension to the shape that builds, or to the manifest's `export-style`
    /// (docs/contract.md; DESIGN "Migrations are declarative").
    Migrate {
        /// The folder.
        folder: FolderName,
        /// What changes.
        migration: Migration,
    },
}

/// A declarative migration of one extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migration {
    /// `import { onX } from '@wix/<pkg>/events'` and a bare `onX(...)` call become
    /// `import { ns } from '@wix/<pkg>'` and `export default ns.onX(...)`; the callback stays.
    LegacyHandler {
        /// The `/events` specifier now: `@wix/crm/events`.
        specifier: String,
        /// The manifest entry's event, which names the namespace.
        event: EventRef,
        /// The local name the namespace is used by.
        namespace_local: String,
        /// What happens to the imports.
        import: LegacyImport,
    },
    /// `export const <name> = ns.onX(...)` becomes the default export: the declaration
    /// itself, or with `keep`, an added `export default <name>;` after it.
    NamedSubscription {
        /// The exported name.
        name: String,
        /// Whether something imports the name, so it stays exported.
        keep: bool,
    },
    /// The builder's export, and its registration in `src/extensions.ts`, take the style the
    /// manifest's `export-style` names.
    ExportStyle {
        /// The style now.
        from: ExportStyle,
        /// The style of the manifest.
        to: ExportStyle,
    },
}

/// What a legacy handler's imports become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyImport {
    /// The `/events` import becomes the root package's: `{ ns } from '@wix/<pkg>'`.
    Rewrite,
    /// The `/events` import goes; the namespace joins the root package's import.
    Merge,
    /// The `/events` import goes; the root package's import binds the namespace already.
    Reuse,
}

/// What an action does, as plan output names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verb {
    /// Write a new extension (or the missing files of one).
    Create,
    /// Move an extension to a new folder.
    Rename,
    /// Point a handler at another event.
    ChangeEvent,
    /// Give a builder another id.
    ChangeId,
    /// Register an extension in `src/extensions.ts`.
    Register,
    /// Delete an extension.
    Remove,
    /// Add a package to `package.json`.
    AddPackage,
    /// Fix what the Wix tools do not check.
    Repair,
    /// Rewrite a legacy shape, or convert the export style.
    Migrate,
}

impl Verb {
    /// The verb as plan output shows it: `create`, `change event`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::Rename => "rename",
            Verb::ChangeEvent => "change event",
            Verb::ChangeId => "change id",
            Verb::Register => "register",
            Verb::Remove => "remove",
            Verb::AddPackage => "add package",
            Verb::Repair => "repair",
            Verb::Migrate => "migrate",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    /// What the action does.
    pub fn verb(&self) -> Verb {
        match self {
            Action::Create { .. } => Verb::Create,
            Action::Rename { .. } => Verb::Rename,
            Action::ChangeEvent { .. } => Verb::ChangeEvent,
            Action::ChangeId { .. } => Verb::ChangeId,
            Action::Register { .. } => Verb::Register,
            Action::Remove { .. } => Verb::Remove,
            Action::AddDependency { .. } => Verb::AddPackage,
            Action::Migrate { .. } => Verb::Migrate,
            Action::ExportDefault { .. } | Action::FixSource { .. } | Action::Unregister { .. } => {
                Verb::Repair
            }
        }
    }

    /// What it acts on, as plan output shows it after the verb:
    /// `contact-created (crm.contacts.onContactCreated)`.
    pub fn subject(&self) -> String {
        match self {
            Action::Create {
                folder,
                event,
                builder,
                handler,
                ..
            } => {
                let what = match (builder, handler) {
                    (true, false) => " (builder only)",
                    (false, true) => " (handler only)",
                    _ => "",
                };
                format!("{folder} ({event}){what}")
            }
            Action::Rename { from, to, id } => match id {
                Some(id) => format!("{from} → {to} (id {id} kept)"),
                None => format!("{from} → {to}"),
            },
            Action::ChangeEvent { folder, from, to } => format!("{folder}: {from} → {to}"),
            Action::ChangeId { folder, from, to } => format!("{folder}: {from} → {to}"),
            Action::Register { folder, .. } => format!("{folder} in {REGISTRY_PATH}"),
            Action::Remove { folder } => folder.clone(),
            Action::AddDependency { package, version } => {
                format!("{package}@{version} to package.json")
            }
            Action::ExportDefault { folder } => {
                format!("{folder}: make the subscription the handler's default export")
            }
            Action::FixSource { folder, from } => {
                format!("{folder}: point `source` at the handler instead of {from}")
            }
            Action::Unregister { specifier } => {
                format!("{REGISTRY_PATH}: remove the registration of missing {specifier}")
            }
            Action::Migrate { folder, migration } => match migration {
                Migration::LegacyHandler {
                    specifier, event, ..
                } => format!(
                    "{folder}: '{specifier}' → {}.{} from '{}', as the default export",
                    event.namespace,
                    event.function,
                    event.npm_package()
                ),
                Migration::NamedSubscription { name, keep: true } => {
                    format!("{folder}: default-export `{name}` too")
                }
                Migration::NamedSubscription { name, keep: false } => {
                    format!("{folder}: `export const {name}` → `export default`")
                }
                Migration::ExportStyle { from, to } => {
                    format!("{folder}: builder export {from} → {to}")
                }
            },
        }
    }

    /// The extension folder the action is about (after any rename), if any.
    pub fn folder(&self) -> Option<&str> {
        match self {
            Action::Create { folder, .. }
            | Action::ChangeEvent { folder, .. }
            | Action::ChangeId { folder, .. }
            | Action::Register { folder, .. }
            | Action::ExportDefault { folder }
            | Action::Migrate { folder, .. }
            | Action::FixSource { folder, .. } => Some(folder.as_str()),
            Action::Rename { to, .. } => Some(to.as_str()),
            Action::Remove { folder } => Some(folder),
            Action::AddDependency { .. } | Action::Unregister { .. } => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb(), self.subject())
    }
}

/// An action and the reason the rules gave for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What to do.
    pub action: Action,
    /// Why, in one sentence a reviewer can check.
    pub reason: String,
}

/// The plan: the steps that make the app match the manifest, and the conflicts that stop it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The steps, in manifest order, removals last.
    pub steps: Vec<Step>,
    /// Problems that stop `apply` (exit 1). Empty when the plan can be applied.
    pub conflicts: Vec<Conflict>,
    /// Things worth knowing that do not stop `apply`.
    pub warnings: Vec<Warning>,
    /// The export style new builders use.
    pub export_style: ExportStyle,
}

impl Plan {
    /// Whether the app already matches (nothing to do, nothing in the way).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.conflicts.is_empty()
    }
}

/// How an entry found its extension.
#[derive(Debug, Clone)]
enum Match {
    /// Rule 1: the folder exists.
    Folder(usize),
    /// Rule 2 or 3: rename this extension, for this reason.
    Rename(usize, String),
    /// Rule 4.
    Create,
}

/// Plans the changes that make the app of `scan` match `manifest`.
pub fn plan(manifest: &Manifest, scan: &Scan, inputs: &PlanInputs) -> Plan {
    let export_style = manifest.export_style.unwrap_or_else(|| {
        let styles: Vec<ExportStyle> = scan
            .extensions
            .iter()
            .filter_map(EventExtension::export_style)
            .collect();
        if !styles.is_empty() && styles.iter().all(|s| *s == ExportStyle::Named) {
            ExportStyle::Named
        } else {
            ExportStyle::Default
        }
    });
    let mut planner = Planner {
        lost_pins: BTreeSet::new(),
        manifest,
        scan,
        inputs,
        plan: Plan {
            export_style,
            ..Plan::default()
        },
    };
    let matches = planner.match_entries();
    for (index, (entry, matched)) in manifest.entries.iter().zip(&matches).enumerate() {
        planner.plan_entry(index, entry, matched);
    }
    let matched: BTreeSet<usize> = matches
        .iter()
        .filter_map(|m| match m {
            Match::Folder(i) | Match::Rename(i, _) => Some(*i),
            Match::Create => None,
        })
        .collect();
    for (i, extension) in scan.extensions.iter().enumerate() {
        if !matched.contains(&i) && extension.is_extension {
            planner.plan_removal(extension);
        }
    }
    // A `renamed-from` name that is no folder is normal once the rename is done; one that is
    // a near miss of a folder about to be removed is a typo that would cost its UUID.
    for (e, entry) in manifest.entries.iter().enumerate() {
        if !matches!(matches[e], Match::Create) {
            continue;
        }
        for old in &entry.renamed_from {
            let near = scan.extensions.iter().enumerate().find(|(i, x)| {
                !matched.contains(i)
                    && x.is_extension
                    && x.folder != old.as_str()
                    // The length test first: it bounds the distance from below, and a long
                    // name's distance would cost the product of the lengths.
                    && x.folder.chars().count().abs_diff(old.as_str().len()) <= 2
                    && strsim::levenshtein(&x.folder, old.as_str()) <= 2
            });
            if let Some((_, x)) = near {
                planner.conflict(Conflict::RenamedFromTypo {
                    entry: e,
                    name: old.to_string(),
                    folder: x.folder.clone(),
                });
            }
        }
    }
    planner.plan_dependencies();
    planner.check_dangling();
    planner.check_duplicate_ids(&matched);
    planner.check_other_handlers();
    planner.plan
}

struct Planner<'a> {
    /// Entries whose pinned id belongs to an extension another entry holds (`--force`): they
    /// are created with a fresh id.
    lost_pins: BTreeSet<usize>,
    manifest: &'a Manifest,
    scan: &'a Scan,
    inputs: &'a PlanInputs,
    plan: Plan,
}

impl Planner<'_> {
    fn step(&mut self, action: Action, reason: String) {
        self.plan.steps.push(Step { action, reason });
    }

    /// A conflict; with `--force` a forceable one is only a warning.
    fn conflict(&mut self, conflict: Conflict) {
        if conflict.forceable() && self.inputs.force {
            self.plan.warnings.push(Warning::Forced(conflict));
        } else {
            self.plan.conflicts.push(conflict);
        }
    }

    /// Applies the four matching rules to every entry.
    fn match_entries(&mut self) -> Vec<Match> {
        let entries = &self.manifest.entries;
        let extensions = &self.scan.extensions;
        let mut matches = vec![Match::Create; entries.len()];
        // Which entry holds each extension, by extension index.
        let mut holder: BTreeMap<usize, usize> = BTreeMap::new();

        // Rule 1: same folder.
        for (e, entry) in entries.iter().enumerate() {
            if let Some(x) = extensions
                .iter()
                .position(|x| x.is_extension && x.folder == entry.folder.as_str())
            {
                matches[e] = Match::Folder(x);
                holder.insert(x, e);
            }
        }
        // Rule 2: renamed-from or pinned id.
        for (e, entry) in entries.iter().enumerate() {
            if !matches!(matches[e], Match::Create) {
                continue;
            }
            let mut candidates: Vec<(usize, String)> = Vec::new();
            for old in &entry.renamed_from {
                if let Some(x) = extensions
                    .iter()
                    .position(|x| x.is_extension && x.folder == old.as_str())
                {
                    candidates.push((x, format!("`{old}` is listed in its `renamed-from`")));
                }
            }
            if let Some(id) = entry.id {
                let id = id.to_string();
                if let Some(x) = extensions.iter().position(|x| x.id() == Some(id.as_str()))
                    && !candidates.iter().any(|(c, _)| *c == x)
                {
                    let folder = &extensions[x].folder;
                    candidates.push((
                        x,
                        format!("the builder in `{folder}` has the pinned id {id}"),
                    ));
                }
            }
            match &candidates[..] {
                [] => {}
                [(x, reason)] => {
                    if let Some(&other) = holder.get(x) {
                        self.claimed_twice(*x, other, e);
                        self.lost_pins.insert(e);
                    } else {
                        matches[e] = Match::Rename(*x, reason.clone());
                        holder.insert(*x, e);
                    }
                }
                _ => {
                    let folders = candidates
                        .iter()
                        .map(|(x, _)| extensions[*x].folder.clone())
                        .collect();
                    self.conflict(Conflict::SeveralRenameSources { entry: e, folders });
                }
            }
        }
        // Rule 3: the only unmatched extension subscribing to the same event.
        for (e, entry) in entries.iter().enumerate() {
            if !matches!(matches[e], Match::Create) {
                continue;
            }
            let same_event: Vec<usize> = extensions
                .iter()
                .enumerate()
                .filter(|(x, ext)| !holder.contains_key(x) && ext.event() == Some(&entry.event))
                .map(|(x, _)| x)
                .collect();
            match same_event[..] {
                [x] => {
                    let reason = format!(
                        "`{}` is the only extension no entry names that subscribes to {}",
                        extensions[x].folder, entry.event
                    );
                    matches[e] = Match::Rename(x, reason);
                    holder.insert(x, e);
                }
                [] => {}
                ref several => {
                    let folders = several
                        .iter()
                        .map(|x| extensions[*x].folder.clone())
                        .collect();
                    self.conflict(Conflict::AmbiguousRename { entry: e, folders });
                }
            }
        }
        // An entry that kept its own folder and also names another extension in
        // `renamed-from`, which nothing holds: the rename it asks for cannot happen.
        for (e, entry) in entries.iter().enumerate() {
            if !matches!(matches[e], Match::Folder(_)) {
                continue;
            }
            for old in &entry.renamed_from {
                let beside = extensions.iter().enumerate().find(|(x, ext)| {
                    ext.is_extension && ext.folder == old.as_str() && !holder.contains_key(x)
                });
                if beside.is_some() {
                    self.conflict(Conflict::RenameSourceBesideTarget {
                        entry: e,
                        from: old.to_string(),
                    });
                }
            }
        }
        matches
    }

    fn claimed_twice(&mut self, extension: usize, first: usize, second: usize) {
        let folder = self.scan.extensions[extension].folder.clone();
        self.conflict(Conflict::ClaimedTwice {
            folder,
            first,
            second,
        });
    }

    fn plan_entry(&mut self, index: usize, entry: &Entry, matched: &Match) {
        let extension = match matched {
            Match::Create => {
                let id = entry
                    .id
                    .filter(|_| !self.lost_pins.contains(&index))
                    .or_else(|| self.inputs.fresh_ids.get(index).copied())
                    .unwrap_or_else(Uuid::nil)
                    .to_string();
                let reason = format!(
                    "no folder `{}`{}, and no extension without an entry subscribes to {}",
                    entry.folder,
                    if entry.renamed_from.is_empty() && entry.id.is_none() {
                        ""
                    } else {
                        " nor one it was renamed from or with its pinned id"
                    },
                    entry.event
                );
                self.step(
                    Action::Create {
                        folder: entry.folder.clone(),
                        event: entry.event.clone(),
                        id,
                        export: self.plan.export_style,
                        builder: true,
                        handler: true,
                    },
                    reason,
                );
                let export = match self.plan.export_style {
                    ExportStyle::Default => None,
                    ExportStyle::Named => Some(generate::named_export_name(entry.folder.as_str())),
                };
                // src/extensions.ts may still import and `.use` the builder of a folder that
                // is gone: the new builder takes that registration over.
                if !self.is_registered(entry.folder.as_str(), export.as_deref()) {
                    self.step(
                        Action::Register {
                            folder: entry.folder.clone(),
                            export,
                        },
                        "a new extension exists for Wix only once src/extensions.ts registers it"
                            .to_owned(),
                    );
                }
                return;
            }
            Match::Folder(x) => &self.scan.extensions[*x],
            Match::Rename(x, reason) => {
                let extension = &self.scan.extensions[*x];
                // A folder left behind at the new name (empty, or with stray files) takes the
                // extension's files, unless one of them is there already.
                if let Some(stray) = self.scan.extension(entry.folder.as_str()) {
                    for path in &extension.files {
                        let target = moved_path(path, &extension.folder, entry.folder.as_str());
                        if stray.files.contains(&target) {
                            self.conflict(Conflict::RenameTargetTaken {
                                from: extension.folder.clone(),
                                to: entry.folder.to_string(),
                                path: target,
                            });
                        }
                    }
                }
                self.step(
                    Action::Rename {
                        from: extension.folder.clone(),
                        to: entry.folder.clone(),
                        id: extension.id().map(str::to_owned),
                    },
                    reason.clone(),
                );
                extension
            }
        };
        self.plan_kept(index, entry, extension);
    }

    /// An entry whose extension exists (kept or renamed): complete, re-point and register it.
    fn plan_kept(&mut self, index: usize, entry: &Entry, extension: &EventExtension) {
        let folder = entry.folder.clone();
        let has_builder = extension.builder.is_some();
        let has_handler = extension.handler.is_some();
        if extension.builder_not_an_event {
            // Completing the folder would write over the app's own file.
            self.conflict(Conflict::BuilderNotAnEvent {
                path: builder_path(&extension.folder),
            });
            return;
        }
        if !has_builder || !has_handler {
            let recorded = self.inputs.recorded_ids.get(&extension.folder);
            let id = extension
                .id()
                .map(str::to_owned)
                .or_else(|| recorded.cloned())
                .or_else(|| entry.id.map(|id| id.to_string()))
                .or_else(|| self.inputs.fresh_ids.get(index).map(Uuid::to_string))
                .unwrap_or_default();
            if !has_builder {
                self.plan.warnings.push(match recorded {
                    Some(_) => Warning::BuilderIdFromHead {
                        folder: extension.folder.clone(),
                        id: id.clone(),
                    },
                    None => Warning::NewBuilder {
                        folder: extension.folder.clone(),
                        id: id.clone(),
                    },
                });
            }
            let missing = match (has_builder, has_handler) {
                (false, false) => "has neither builder nor handler",
                (false, true) => "has no builder",
                _ => "has no handler",
            };
            self.step(
                Action::Create {
                    folder: folder.clone(),
                    event: entry.event.clone(),
                    id,
                    export: extension.export_style().unwrap_or(self.plan.export_style),
                    builder: !has_builder,
                    handler: !has_handler,
                },
                format!("the folder `{}` {missing}", extension.folder),
            );
        }
        self.plan_handler(index, entry, extension);
        self.plan_source(entry, extension);
        self.check_builder_id(index, entry, extension);
        if let (Some(pinned), Some(current)) = (entry.id, extension.id())
            && Uuid::try_parse(current).is_ok()
        {
            let pinned = pinned.to_string();
            let holder = self
                .scan
                .extensions
                .iter()
                .find(|x| x.folder != extension.folder && x.id() == Some(pinned.as_str()));
            if pinned != current && self.inputs.force && holder.is_some() {
                // `--force` gave the pinned id's extension to another entry: this one keeps
                // its own id rather than duplicate that one.
                let other = holder.map(|x| x.folder.clone()).unwrap_or_default();
                self.plan.warnings.push(Warning::PinnedIdTaken {
                    entry: index,
                    current: current.to_owned(),
                    other,
                });
            } else if pinned != current {
                self.conflict(Conflict::PinnedIdDiffers {
                    entry: index,
                    pinned: pinned.clone(),
                    current: current.to_owned(),
                });
                if self.inputs.force {
                    self.step(
                        Action::ChangeId {
                            folder: folder.clone(),
                            from: current.to_owned(),
                            to: pinned,
                        },
                        "--force: the manifest pins another id; Wix will see a new component"
                            .to_owned(),
                    );
                }
            }
        }
        let converts = self.plan_export_style(index, entry, extension);
        let export_now = self.export_after(extension, &extension.folder);
        let registered = self.is_registered(&extension.folder, export_now.as_deref())
            || (!converts
                && extension.folder != folder.as_str()
                && self.takes_over_registration(extension, folder.as_str())
                && self.is_registered(
                    folder.as_str(),
                    self.export_after(extension, folder.as_str()).as_deref(),
                ));
        if !registered {
            let export = match (converts, self.plan.export_style) {
                (true, ExportStyle::Named) => Some(generate::named_export_name(folder.as_str())),
                (true, ExportStyle::Default) => None,
                (false, _) => self.export_after(extension, folder.as_str()),
            };
            self.step(
                Action::Register { folder, export },
                format!(
                    "`{}` exists but src/extensions.ts does not register it, so Wix does not see it",
                    extension.folder
                ),
            );
        }
    }

    /// The name the extension's builder exports it as once it lives in `folder`, `None` for
    /// its default export: the builder's own export (a rename rewrites a named one to the new
    /// folder's name), or for a builder about to be written, the plan's export style.
    fn export_after(&self, extension: &EventExtension, folder: &str) -> Option<String> {
        let style = extension.export_style().unwrap_or(self.plan.export_style);
        match extension.builder.as_ref().and_then(|b| b.export.name()) {
            Some(name) if extension.folder == folder => Some(name.to_owned()),
            _ => (style == ExportStyle::Named).then(|| generate::named_export_name(folder)),
        }
    }

    /// Whether a rename of `extension` into folder `to` takes over an import of the builder
    /// there that is dangling now: the extension has no import of its own builder (which
    /// the rename would take along), and `src/extensions.ts` imports `to`'s builder as the
    /// renamed one will export it (a user who renamed the import by hand first).
    fn takes_over_registration(&self, extension: &EventExtension, to: &str) -> bool {
        let Some(registry) = &self.scan.registry else {
            return false;
        };
        let own = extension
            .builder
            .as_ref()
            .map_or_else(|| builder_path(&extension.folder), |b| b.path.clone());
        registry.imports_of(&own).is_empty()
            && registry
                .registration(
                    &builder_path(to),
                    self.export_after(extension, to).as_deref(),
                )
                .is_some()
    }

    /// Whether `src/extensions.ts` imports the builder of `folder` (exported as `export`) and
    /// `.use`s it; the builder file need not exist.
    fn is_registered(&self, folder: &str, export: Option<&str>) -> bool {
        let Some(registry) = &self.scan.registry else {
            return false;
        };
        registry
            .registration(&builder_path(folder), export)
            .is_some_and(|r| !r.links.is_empty())
    }
}
