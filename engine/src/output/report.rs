//! The machine-readable report of one run: the data behind `--format json|github|sarif`.
//!
//! [`app_report`] is the one place that turns the engine's results (a [`Reconciliation`] or a
//! [`ReconcileError`], the command, and what `commit` did) into an [`AppReport`]; the renderers
//! (`json`, `github`, `sarif`) read only these types, never the engine's. The field names are
//! the contract of `/work/coord/FORMAT.md` and of the committed JSON Schema
//! (`schema/wixsync-output.schema.json`): within `format_version` 1, fields are only added,
//! never renamed or removed (the promise Terraform makes for `terraform show -json`).
//!
//! This module performs no I/O: paths are made relative to the current directory by the
//! caller, which passes them in [`AppPaths`].

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;
use wixsync_schema::{Diagnostic, Manifest, Severity, SourceFile};

use crate::changeset::Changeset;
use crate::commit::CommitReport;
use crate::import::{ImportError, Imported};
use crate::plan::{Action, Step, Verb};
use crate::reconcile::{ReconcileError, Reconciliation};
use crate::render::{Palette, render_diff};
use crate::tree::{EVENTS_DIR, REGISTRY_PATH, builder_path, handler_path};

/// The version of the document's shape. Within one version fields are only added.
pub const FORMAT_VERSION: &str = "1";

/// The whole document `--format json` prints.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Report {
    /// The shape's version, `"1"`: within a version, fields are only ever added.
    pub format_version: String,
    /// The program that wrote the document.
    pub tool: Tool,
    /// The command that ran.
    pub command: CommandName,
    /// The process's exit code: 0 in sync or applied, 1 error or conflict, 2 changes pending.
    pub exit_code: i32,
    /// One entry per app, in a stable order (one app today; every app of the monorepo with
    /// `--workspace`).
    pub apps: Vec<AppReport>,
    /// How many apps ended in each status.
    pub summary: Summary,
}

/// The program that wrote a report.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Tool {
    /// Always `wixsync`.
    pub name: String,
    /// Its version, as `wixsync --version` prints it: `0.1.0`.
    pub version: String,
}

/// The command a report is about.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CommandName {
    /// `wixsync plan`.
    Plan,
    /// `wixsync apply`.
    Apply,
    /// `wixsync apply --check`.
    Check,
    /// `wixsync import`.
    Import,
}

impl CommandName {
    /// The command line that runs it: `wixsync apply --check`.
    pub fn command_line(self) -> &'static str {
        match self {
            CommandName::Plan => "wixsync plan",
            CommandName::Apply => "wixsync apply",
            CommandName::Check => "wixsync apply --check",
            CommandName::Import => "wixsync import",
        }
    }
}

/// Where one app ended.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The app matches its manifest: nothing to do.
    InSync,
    /// `plan` or `apply --check` found changes to make.
    Pending,
    /// `apply` wrote the changes; `import` wrote the manifest.
    Applied,
    /// Planned, but conflicts stop `apply` (nothing was written).
    Conflict,
    /// Could not plan (a bad manifest, an unreadable app, a file that does not parse), or
    /// writing failed.
    Error,
}

/// One app's result.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct AppReport {
    /// The app root, relative to the current directory (`.` for it); absolute when the app lies
    /// outside the current directory.
    pub path: String,
    /// The manifest, relative to the current directory like `path`.
    pub manifest: String,
    /// Where the app ended.
    pub status: Status,
    /// Every step of the plan, in plan order (manifest order, removals last). Empty for an app
    /// with status `error` that could not be planned.
    pub steps: Vec<StepReport>,
    /// Every error and warning: the manifest's warnings, the plan's warnings and conflicts, or
    /// the errors that stopped planning or writing.
    pub diagnostics: Vec<DiagnosticReport>,
    /// How many steps of each kind.
    pub counts: Counts,
    /// A unified diff (git style, without colour) of the pending or applied changes; `""` when
    /// there are none, or when conflicts stop the plan.
    pub diff: String,
    /// What `apply` wrote; `null` for `plan` and `apply --check`, and when nothing was written.
    pub written: Option<Written>,
}

/// What `apply` wrote into one app.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Written {
    /// Files created, edited or moved into place.
    pub files: usize,
    /// Files deleted, moved-away originals included.
    pub deleted: usize,
}

/// The kind of a step.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A new extension: builder, handler and registration.
    Create,
    /// An extension's folder and files move to a new name; its UUID is kept.
    Rename,
    /// A kept handler is pointed at another SDK event.
    ChangeEvent,
    /// A builder's id is replaced by the one the manifest pins (with `--force`).
    ChangeId,
    /// An existing folder gets its import and `.use(...)` in `src/extensions.ts`.
    Register,
    /// An extension no entry matches loses its folder and registration.
    Remove,
    /// A missing default export, a wrong `source` or a dangling registration is fixed.
    Repair,
    /// A `@wix/*` package a handler imports is added to `package.json`.
    AddPackage,
    /// `wixsync import`: an existing event extension written into the manifest as an entry.
    Import,
    /// A legacy handler (an `/events` import, a subscription exported by name) is rewritten to
    /// the shape that builds, or a builder and its registration take the manifest's
    /// `export-style`.
    Migrate,
}

impl From<Verb> for StepKind {
    /// The plan's verb, as the document names it.
    fn from(verb: Verb) -> StepKind {
        match verb {
            Verb::Create => StepKind::Create,
            Verb::Rename => StepKind::Rename,
            Verb::ChangeEvent => StepKind::ChangeEvent,
            Verb::ChangeId => StepKind::ChangeId,
            Verb::Register => StepKind::Register,
            Verb::Remove => StepKind::Remove,
            Verb::Repair => StepKind::Repair,
            Verb::AddPackage => StepKind::AddPackage,
            Verb::Migrate => StepKind::Migrate,
        }
    }
}

impl StepKind {
    /// The kind as the JSON document spells it: `change_event`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Create => "create",
            StepKind::Rename => "rename",
            StepKind::ChangeEvent => "change_event",
            StepKind::ChangeId => "change_id",
            StepKind::Register => "register",
            StepKind::Remove => "remove",
            StepKind::Repair => "repair",
            StepKind::AddPackage => "add_package",
            StepKind::Import => "import",
            StepKind::Migrate => "migrate",
        }
    }

    /// Every kind, in the order of the JSON Schema.
    pub const ALL: [StepKind; 10] = [
        StepKind::Create,
        StepKind::Rename,
        StepKind::ChangeEvent,
        StepKind::ChangeId,
        StepKind::Register,
        StepKind::Remove,
        StepKind::Repair,
        StepKind::AddPackage,
        StepKind::Import,
        StepKind::Migrate,
    ];
}

/// One step of the plan.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct StepReport {
    /// What the step does.
    pub kind: StepKind,
    /// The event folder (after a rename, the new name); `null` for steps about no folder
    /// (`add_package`, and the `repair` of a registration whose file is gone).
    pub folder: Option<String>,
    /// The SDK event, `package.namespace.function`: the one created or pointed to, else the
    /// event of the manifest entry for the folder; `null` when the step is about no event
    /// (`remove`, `add_package`).
    pub event: Option<String>,
    /// One line, as `wixsync plan` shows it: `create contact-created (crm.contacts.onContactCreated)`.
    pub summary: String,
    /// Why, in one sentence a reviewer can check.
    pub reason: String,
    /// The files the step creates, edits, moves (old and new path) or deletes, relative to the
    /// app root, sorted.
    pub files: Vec<String>,
    /// The 1-based line of the manifest entry that causes the step. A removal (whose extension
    /// no entry names), a dangling registration and a package no entry's event needs point at
    /// the `events:` key, or line 1 when it cannot be found. `null` never occurs today but is
    /// allowed for steps of later versions that come from no manifest.
    pub manifest_line: Option<usize>,
}

/// Error or warning.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SeverityName {
    /// Stops wixsync: exit 1, nothing written.
    Error,
    /// Worth knowing; does not stop wixsync.
    Warning,
}

/// One diagnostic, with its place.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct DiagnosticReport {
    /// A stable code such as `manifest::unknown-event` or `plan::conflict`.
    pub code: String,
    /// Error or warning.
    pub severity: SeverityName,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, or `null`.
    pub help: Option<String>,
    /// The file it points into, relative to the current directory; `null` for problems about
    /// no one file.
    pub file: Option<String>,
    /// 1-based line of the primary place, or `null`.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the primary place, or `null`.
    pub column: Option<usize>,
    /// 1-based line where the primary place ends, or `null`.
    pub end_line: Option<usize>,
    /// 1-based column (in characters) just past the primary place, or `null`.
    pub end_column: Option<usize>,
}

/// How many steps of each kind one app has.
#[derive(Debug, Clone, Copy, Default, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Counts {
    /// `create` steps.
    pub created: usize,
    /// `rename` steps.
    pub renamed: usize,
    /// `change_event` steps.
    pub event_changed: usize,
    /// `change_id` steps.
    pub id_changed: usize,
    /// `register` steps.
    pub registered: usize,
    /// `remove` steps.
    pub removed: usize,
    /// `repair` steps.
    pub repaired: usize,
    /// `add_package` steps.
    pub packages_added: usize,
    /// `import` steps: the entries `wixsync import` wrote.
    pub imported: usize,
    /// `migrate` steps.
    pub migrated: usize,
}

/// How many apps ended in each status.
#[derive(Debug, Clone, Copy, Default, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Summary {
    /// Apps reported.
    pub apps: usize,
    /// Apps with status `in_sync`.
    pub in_sync: usize,
    /// Apps with status `pending`.
    pub pending: usize,
    /// Apps with status `applied`.
    pub applied: usize,
    /// Apps with status `conflict`.
    pub conflict: usize,
    /// Apps with status `error`.
    pub error: usize,
}

impl Report {
    /// The document for `apps`, with the summary counted and `exit_code` the worst app's: 1 if
    /// any app has an error or a conflict, else 2 if any has pending changes, else 0.
    pub fn new(command: CommandName, apps: Vec<AppReport>) -> Report {
        let mut summary = Summary {
            apps: apps.len(),
            ..Summary::default()
        };
        for app in &apps {
            match app.status {
                Status::InSync => summary.in_sync += 1,
                Status::Pending => summary.pending += 1,
                Status::Applied => summary.applied += 1,
                Status::Conflict => summary.conflict += 1,
                Status::Error => summary.error += 1,
            }
        }
        let exit_code = if summary.error + summary.conflict > 0 {
            1
        } else if summary.pending > 0 {
            2
        } else {
            0
        };
        Report {
            format_version: FORMAT_VERSION.to_owned(),
            tool: Tool {
                name: "wixsync".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            command,
            exit_code,
            apps,
            summary,
        }
    }
}

/// Where one app is, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    /// The app root relative to the current directory (`.`, `apps/shop`), or absolute.
    pub root: String,
    /// The manifest, named the same way.
    pub manifest: String,
    /// The display name the engine gives the manifest in its diagnostics (the path as given,
    /// without a leading `./`): a diagnostic in a file of that name is in the manifest; any
    /// other name is relative to the app root.
    pub manifest_source_name: String,
}

impl AppPaths {
    /// The path of a file the engine names `name` (see [`AppPaths::manifest_source_name`]),
    /// relative to the current directory.
    pub fn file(&self, name: &str) -> String {
        if name == self.manifest_source_name {
            self.manifest.clone()
        } else {
            join(&self.root, name)
        }
    }
}

/// `root/name`, without a leading `./`.
pub fn join(root: &str, name: &str) -> String {
    if root == "." || root.is_empty() {
        name.to_owned()
    } else {
        format!("{}/{name}", root.trim_end_matches('/'))
    }
}

/// What happened to one app: the input of [`app_report`].
#[derive(Debug)]
pub enum Outcome<'a> {
    /// Reconciling stopped before a plan.
    Failed(&'a ReconcileError),
    /// A plan; with `committed`, what `apply` wrote, or the error that stopped it.
    Planned {
        /// The plan and its changeset.
        reconciliation: &'a Reconciliation,
        /// `None` for `plan`, `apply --check`, and an `apply` that had nothing to write or
        /// was stopped by conflicts; `Some(Ok(..))` when `apply` wrote; `Some(Err(d))` when
        /// writing failed with `d`.
        committed: Option<Result<CommitReport, Diagnostic>>,
    },
}

/// Builds the report of one app: the one conversion from the engine's types.
pub fn app_report(command: CommandName, paths: &AppPaths, outcome: &Outcome<'_>) -> AppReport {
    let mut report = AppReport::empty(paths, Status::Error);
    let (reconciliation, committed) = match outcome {
        Outcome::Failed(failure) => {
            report.diagnostics = failure
                .diagnostics()
                .iter()
                .map(|d| diagnostic_report(paths, d))
                .collect();
            return report;
        }
        Outcome::Planned {
            reconciliation,
            committed,
        } => (*reconciliation, committed),
    };
    let plan = &reconciliation.plan;
    let manifest = &reconciliation.manifest;
    report.diagnostics = reconciliation
        .diagnostics()
        .iter()
        .map(|d| diagnostic_report(paths, d))
        .collect();
    report.steps = plan
        .steps
        .iter()
        .map(|step| step_report(step, manifest, &reconciliation.changeset))
        .collect();
    report.counts = counts(&report.steps);
    report.status = if !plan.conflicts.is_empty() {
        Status::Conflict
    } else if plan.steps.is_empty() {
        Status::InSync
    } else {
        match (command, committed) {
            (CommandName::Apply, Some(Ok(done))) => {
                report.written = Some(Written {
                    files: done.written,
                    deleted: done.deleted,
                });
                Status::Applied
            }
            (CommandName::Apply, Some(Err(error))) => {
                report.diagnostics.push(diagnostic_report(paths, error));
                Status::Error
            }
            _ => Status::Pending,
        }
    };
    if plan.conflicts.is_empty() {
        let mut diff = Vec::new();
        render_diff(&mut diff, &reconciliation.changeset, Palette::new(false))
            .expect("writing to memory does not fail");
        report.diff = String::from_utf8_lossy(&diff).into_owned();
    }
    report
}

/// Counts the steps of each kind.
fn counts(steps: &[StepReport]) -> Counts {
    let mut counts = Counts::default();
    for step in steps {
        let slot = match step.kind {
            StepKind::Create => &mut counts.created,
            StepKind::Rename => &mut counts.renamed,
            StepKind::ChangeEvent => &mut counts.event_changed,
            StepKind::ChangeId => &mut counts.id_changed,
            StepKind::Register => &mut counts.registered,
            StepKind::Remove => &mut counts.removed,
            StepKind::Repair => &mut counts.repaired,
            StepKind::AddPackage => &mut counts.packages_added,
            StepKind::Import => &mut counts.imported,
            StepKind::Migrate => &mut counts.migrated,
        };
        *slot += 1;
    }
    counts
}

/// The 1-based line of the `events:` key, or 1 when there is none at the start of a line.
fn events_line(source: &SourceFile) -> usize {
    source
        .text()
        .lines()
        .position(|line| {
            line.trim_start_matches('\u{feff}')
                .strip_prefix("events")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

fn step_report(step: &Step, manifest: &Manifest, changeset: &Changeset) -> StepReport {
    let entry_line = |folder: &str| {
        manifest
            .entries
            .iter()
            .find(|e| e.folder.as_str() == folder)
            .map(|e| manifest.source.line_col(e.key_place.offset).0)
    };
    let entry_event = |folder: &str| {
        manifest
            .entries
            .iter()
            .find(|e| e.folder.as_str() == folder)
            .map(|e| e.event.to_string())
    };
    let kind = StepKind::from(step.action.verb());
    let folder = step.action.folder();
    let event = match &step.action {
        Action::Create { event, .. } => Some(event.to_string()),
        Action::ChangeEvent { to, .. } => Some(to.to_string()),
        _ => None,
    };
    let event = match (kind, event, folder) {
        (StepKind::Remove, _, _) => None,
        (_, Some(event), _) => Some(event),
        (_, None, Some(folder)) => entry_event(folder),
        (_, None, None) => None,
    };
    let manifest_line = match (&step.action, folder) {
        (Action::Remove { .. }, _) => None,
        (Action::AddDependency { package, .. }, _) => manifest
            .entries
            .iter()
            .find(|e| e.event.npm_package() == *package)
            .map(|e| manifest.source.line_col(e.key_place.offset).0),
        (_, Some(folder)) => entry_line(folder),
        (_, None) => None,
    }
    .unwrap_or_else(|| events_line(&manifest.source));
    StepReport {
        kind,
        folder: folder.map(str::to_owned),
        event,
        summary: step.action.to_string(),
        reason: step.reason.clone(),
        files: step_files(&step.action, changeset),
        manifest_line: Some(manifest_line),
    }
}

/// The files a step touches, relative to the app root: taken from the changeset where it
/// has them (so a folder's extra files moved by a rename are listed), else the files the
/// action names (when conflicts left the changeset empty).
fn step_files(action: &Action, changeset: &Changeset) -> Vec<String> {
    let folder_dir = |folder: &str| format!("{EVENTS_DIR}/{folder}/");
    let (folders, registry, package_json): (Vec<String>, bool, bool) = match action {
        Action::Create { folder, .. } => (vec![folder.to_string()], false, false),
        Action::Register { .. } | Action::Unregister { .. } => (Vec::new(), true, false),
        Action::Rename { from, to, .. } => (vec![from.clone(), to.to_string()], true, false),
        Action::Remove { folder } => (vec![folder.clone()], true, false),
        Action::ChangeEvent { folder, .. }
        | Action::ChangeId { folder, .. }
        | Action::ExportDefault { folder }
        | Action::FixSource { folder, .. } => (vec![folder.to_string()], false, false),
        Action::Migrate { folder, .. } => (vec![folder.to_string()], true, false),
        Action::AddDependency { .. } => (Vec::new(), false, true),
    };
    let wanted = |path: &str| {
        folders.iter().any(|f| path.starts_with(&folder_dir(f)))
            || (registry && path == REGISTRY_PATH)
            || (package_json && path == "package.json")
    };
    let mut files = BTreeSet::new();
    for change in &changeset.changes {
        for path in [Some(change.path()), change.new_path()]
            .into_iter()
            .flatten()
        {
            if wanted(path) {
                files.insert(path.to_owned());
            }
        }
    }
    if changeset.is_empty() {
        for folder in &folders {
            files.insert(builder_path(folder));
            files.insert(handler_path(folder));
        }
        if registry {
            files.insert(REGISTRY_PATH.to_owned());
        }
        if package_json {
            files.insert("package.json".to_owned());
        }
    }
    files.into_iter().collect()
}

/// The report of an app that `import --workspace` skipped because it has its manifest
/// already: in sync, nothing written.
pub fn skipped_import_report(paths: &AppPaths) -> AppReport {
    AppReport::empty(paths, Status::InSync)
}

impl AppReport {
    /// The report of the app at `paths` with `status` and nothing else yet: no step, no
    /// diagnostic, no diff.
    fn empty(paths: &AppPaths, status: Status) -> AppReport {
        AppReport {
            path: paths.root.clone(),
            manifest: paths.manifest.clone(),
            status,
            steps: Vec::new(),
            diagnostics: Vec::new(),
            counts: Counts::default(),
            diff: String::new(),
            written: None,
        }
    }
}

/// Builds the report of one `wixsync import`: status `applied` with one `import` step per entry
/// (at its line of the new manifest) and the diff that creates the manifest, or status `error`
/// with the diagnostics that stopped it.
pub fn import_report(paths: &AppPaths, result: &Result<Imported, ImportError>) -> AppReport {
    let mut report = AppReport::empty(paths, Status::Error);
    let imported = match result {
        Err(error) => {
            report.diagnostics = error
                .diagnostics()
                .iter()
                .map(|d| diagnostic_report(paths, d))
                .collect();
            return report;
        }
        Ok(imported) => imported,
    };
    let source = SourceFile::new(&imported.path, imported.draft.text.clone());
    let line_of = |folder: &str| {
        let key = format!("  {folder}:");
        source
            .text()
            .lines()
            .position(|line| line.starts_with(&key))
            .map(|i| i + 1)
    };
    report.steps = imported
        .draft
        .entries
        .iter()
        .map(|entry| {
            let mut files: Vec<String> = entry
                .builder
                .iter()
                .cloned()
                .chain([entry.handler.clone()])
                .collect();
            files.sort();
            StepReport {
                kind: StepKind::Import,
                folder: Some(entry.folder.clone()),
                event: Some(entry.event.to_string()),
                summary: format!("import {} ({})", entry.folder, entry.event),
                reason: if entry.legacy {
                    format!(
                        "{} calls {} from @wix/{}/events, which the catalog has in namespace \
                         `{}` only; `wixsync apply` rewrites it to the shape that builds",
                        entry.handler,
                        entry.event.function,
                        entry.event.package,
                        entry.event.namespace
                    )
                } else {
                    format!(
                        "{} subscribes to {}.{} imported from {}",
                        entry.handler,
                        entry.event.namespace,
                        entry.event.function,
                        entry.event.npm_package()
                    )
                },
                files,
                manifest_line: line_of(&entry.folder),
            }
        })
        .collect();
    report.counts = counts(&report.steps);
    report.status = Status::Applied;
    report.written = Some(Written {
        files: imported.written.written,
        deleted: imported.written.deleted,
    });
    let mut diff = Vec::new();
    render_diff(&mut diff, &imported.changeset, Palette::new(false))
        .expect("writing to memory does not fail");
    report.diff = String::from_utf8_lossy(&diff).into_owned();
    report
}

/// The report of one diagnostic: its primary label's start and end as 1-based lines and
/// columns, in the file named relative to the current directory.
pub fn diagnostic_report(paths: &AppPaths, diagnostic: &Diagnostic) -> DiagnosticReport {
    let file = diagnostic.source.as_ref().map(|s| paths.file(s.name()));
    let place = diagnostic
        .source
        .as_ref()
        .zip(diagnostic.labels.first())
        .map(|(source, label)| {
            (
                source.line_col(label.offset),
                source.line_col(label.offset + label.len),
            )
        });
    DiagnosticReport {
        code: diagnostic.code.to_owned(),
        severity: match diagnostic.severity {
            Severity::Error => SeverityName::Error,
            Severity::Warning => SeverityName::Warning,
        },
        message: diagnostic.message.clone(),
        help: diagnostic.help.clone(),
        file,
        line: place.map(|((line, _), _)| line),
        column: place.map(|((_, column), _)| column),
        end_line: place.map(|(_, (line, _))| line),
        end_column: place.map(|(_, (_, column))| column),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> AppPaths {
        AppPaths {
            root: "apps/shop".to_owned(),
            manifest: "apps/shop/wix-events.yaml".to_owned(),
            manifest_source_name: "apps/shop/wix-events.yaml".to_owned(),
        }
    }

    #[test]
    fn a_diagnostic_names_its_file_from_the_current_directory() {
        let manifest = SourceFile::new(
            "apps/shop/wix-events.yaml",
            "version: 1\nevents:\n  a-b: crm.contacts.onX\n",
        );
        let d = Diagnostic::error("manifest::event", "bad")
            .in_source(&manifest)
            .label(26, 16, "here");
        let r = diagnostic_report(&paths(), &d);
        assert_eq!(r.file.as_deref(), Some("apps/shop/wix-events.yaml"));
        assert_eq!((r.line, r.column), (Some(3), Some(8)));
        assert_eq!((r.end_line, r.end_column), (Some(3), Some(24)));

        let registry = SourceFile::new("src/extensions.ts", "x\ny\n");
        let d = Diagnostic::error("registry::shape", "bad")
            .in_source(&registry)
            .label(2, 1, "here");
        let r = diagnostic_report(&paths(), &d);
        assert_eq!(r.file.as_deref(), Some("apps/shop/src/extensions.ts"));
        assert_eq!(
            (r.line, r.column, r.end_column),
            (Some(2), Some(1), Some(2))
        );

        let r = diagnostic_report(&paths(), &Diagnostic::warning("app::check", "w"));
        assert_eq!(
            (r.file, r.line, r.severity),
            (None, None, SeverityName::Warning)
        );
    }

    #[test]
    fn the_events_key_is_found_or_line_1() {
        let s = |t: &str| SourceFile::new("m", t);
        assert_eq!(events_line(&s("# c\nversion: 1\nevents:\n  a: b\n")), 3);
        assert_eq!(events_line(&s("version: 1\nevents : {}\n")), 2);
        assert_eq!(events_line(&s("version: 1\n  eventsx: 1\n")), 1);
    }

    #[test]
    fn exit_code_is_the_worst_apps() {
        let app = |status| AppReport {
            path: ".".to_owned(),
            manifest: "wix-events.yaml".to_owned(),
            status,
            steps: Vec::new(),
            diagnostics: Vec::new(),
            counts: Counts::default(),
            diff: String::new(),
            written: None,
        };
        let r = Report::new(
            CommandName::Plan,
            vec![app(Status::InSync), app(Status::Pending)],
        );
        assert_eq!(r.exit_code, 2);
        assert_eq!(
            (r.summary.apps, r.summary.in_sync, r.summary.pending),
            (2, 1, 1)
        );
        let r = Report::new(
            CommandName::Plan,
            vec![app(Status::Error), app(Status::Pending)],
        );
        assert_eq!(r.exit_code, 1);
        assert_eq!(
            Report::new(CommandName::Apply, vec![app(Status::Applied)]).exit_code,
            0
        );
    }
}
