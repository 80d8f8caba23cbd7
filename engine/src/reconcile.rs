//! The pipeline, end to end short of writing: read the manifest and the app, scan, plan,
//! build the changeset and verify it.
//!
//! ```text
//! read manifest ─┐
//!                ├─> plan ─> changeset ─> verify ─> (commit) ─> render
//! scan the app ──┘
//! ```
//!
//! Reading happens here, first; everything after it is pure until `commit`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;
use uuid::Uuid;
use wixsync_schema::{Diagnostic, MANIFEST_FILE_NAME, Manifest, SourceFile};

use crate::changeset::{self, Changeset, ChangesetError};
use crate::git::{GitState, git_state};
use crate::plan::{Action, Plan, PlanInputs, plan};
use crate::scan::{ScanError, scan};
use crate::tree::{AppTree, LoadError};
use crate::verify::{VerifyError, verify};

/// How to reconcile.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The manifest; `<root>/wix-events.yaml` when `None`.
    pub manifest: Option<PathBuf>,
    /// Go ahead despite conflicts that only protect work (`--force`).
    pub force: bool,
    /// The UUIDs new extensions get, one per manifest entry; drawn at random when `None`.
    /// Tests pass fixed ones.
    pub fresh_ids: Option<Vec<Uuid>>,
}

/// The result of planning an app: everything `plan`, `apply --check` and `apply` show or write.
#[derive(Debug)]
pub struct Reconciliation {
    /// The checked manifest.
    pub manifest: Manifest,
    /// The app as read.
    pub tree: AppTree,
    /// The plan; its conflicts stop `apply`.
    pub plan: Plan,
    /// The verified changeset; empty when the plan has conflicts.
    pub changeset: Changeset,
}

impl Reconciliation {
    /// Whether the manifest or the plan has a warning (which `--strict` makes fail the run).
    pub fn has_warnings(&self) -> bool {
        !self.manifest.warnings.is_empty() || !self.plan.warnings.is_empty()
    }

    /// Every warning and conflict, as diagnostics ([`crate::diagnose::reconciliation`]).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        crate::diagnose::reconciliation(self)
    }
}

/// Why reconciling stopped before a plan could be shown. Every variant is an error (exit 1);
/// [`crate::diagnose::reconcile_error`] says it in words.
#[derive(Debug, Error)]
pub enum ReconcileError {
    /// DIR is not a Wix app.
    #[error("{name} is not a Wix app")]
    NotAnApp {
        /// DIR as given.
        name: String,
        /// Why not.
        reason: NotAnAppReason,
    },
    /// No DIR was given and no `wix-events.yaml` lies in the current folder or above it.
    #[error("no wix-events.yaml here or in any folder above")]
    NoManifestFound,
    /// The manifest cannot be read or breaks a rule: its diagnostics, all at once.
    #[error("the manifest has {} problem(s)", .0.len())]
    Manifest(Vec<Diagnostic>),
    /// The app cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Files the scan cannot read, with the app as read for their code frames.
    #[error("{} file(s) cannot be scanned", .errors.len())]
    Scan {
        /// What failed.
        errors: Vec<ScanError>,
        /// The app as read.
        tree: Box<AppTree>,
    },
    /// An apply is in progress on the app, or was interrupted and not yet finished.
    #[error("{0}")]
    Journal(Diagnostic),
    /// The changeset could not be built: a bug.
    #[error(transparent)]
    Changeset(#[from] ChangesetError),
    /// The changeset failed verification: a bug.
    #[error("the changeset failed {} check(s)", .0.len())]
    Verify(Vec<VerifyError>),
}

impl ReconcileError {
    /// The error as diagnostics ([`crate::diagnose::reconcile_error`]).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        crate::diagnose::reconcile_error(self)
    }
}

/// The app root to work on, found as git and npm find their roots: `dir` when given (it must
/// be a Wix app: a folder with a `wix-events.yaml`, or whose `package.json` depends on
/// `@wix/astro`, or whose `astro.config.*` uses it; docs/contract.md, "Commands and exit
/// codes"); else the folder of `manifest` when given; else the nearest folder holding
/// `wix-events.yaml`, from the current folder upward, as a relative path (`.`, `..`, ...).
///
/// # Errors
///
/// [`ReconcileError::NotAnApp`] for a `dir` that is missing, a file, or no Wix app;
/// [`ReconcileError::NoManifestFound`] when the walk upward finds no manifest.
pub fn locate_app(dir: Option<&Path>, manifest: Option<&Path>) -> Result<PathBuf, ReconcileError> {
    if let Some(dir) = dir {
        let not_an_app = |reason: NotAnAppReason| ReconcileError::NotAnApp {
            name: display_path(dir),
            reason,
        };
        if !dir.is_dir() {
            return Err(not_an_app(if dir.exists() {
                NotAnAppReason::IsAFile
            } else {
                NotAnAppReason::Missing
            }));
        }
        // With --manifest, DIR is the app the manifest describes.
        if manifest.is_some() || dir.join(MANIFEST_FILE_NAME).is_file() || uses_wix_astro(dir) {
            return Ok(dir.to_owned());
        }
        return Err(not_an_app(NotAnAppReason::NoWixApp));
    }
    if let Some(manifest) = manifest {
        return Ok(match manifest.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        });
    }
    let mut at = PathBuf::from(".");
    let cwd = std::env::current_dir().ok();
    let depth = cwd.as_ref().map_or(0, |c| c.ancestors().count());
    for _ in 0..depth.max(1) {
        if at.join(MANIFEST_FILE_NAME).is_file() {
            return Ok(at);
        }
        at = if at == Path::new(".") {
            PathBuf::from("..")
        } else {
            at.join("..")
        };
    }
    Err(ReconcileError::NoManifestFound)
}

/// Whether `dir` is a Wix app (docs/contract.md, "Commands and exit codes"): it holds a
/// `wix-events.yaml`, or its `package.json` or `astro.config.*` uses `@wix/astro`.
pub fn is_wix_app(dir: &Path) -> bool {
    dir.join(MANIFEST_FILE_NAME).is_file() || uses_wix_astro(dir)
}

/// Whether the folder's `package.json` depends on `@wix/astro`, or an `astro.config.*` in it
/// names it.
fn uses_wix_astro(dir: &Path) -> bool {
    let depends = fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|text| {
            serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')).ok()
        })
        .is_some_and(|json| {
            crate::scan::package_json::DEPENDENCY_KEYS
                .iter()
                .any(|key| json.get(key).and_then(|d| d.get("@wix/astro")).is_some())
        });
    depends
        || [
            "astro.config.mjs",
            "astro.config.ts",
            "astro.config.js",
            "astro.config.mts",
        ]
        .iter()
        .any(|name| {
            fs::read_to_string(dir.join(name)).is_ok_and(|text| text.contains("@wix/astro"))
        })
}

/// Why a DIR is not an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAnAppReason {
    /// Nothing is there.
    Missing,
    /// A file is there.
    IsAFile,
    /// A folder without `wix-events.yaml` and without `@wix/astro`.
    NoWixApp,
}

/// The manifest path as people read it: `app/wix-events.yaml`, without a leading `./`.
fn display_path(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// The largest manifest wixsync reads, in bytes: 1 MiB (about 20,000 entries).
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Reads and checks the manifest, against the SDK packages the app has installed in
/// `node_modules` for the packages it names ([`crate::sdk::read_installed`]).
///
/// # Errors
///
/// The manifest cannot be read, or breaks a rule ([`Manifest::parse`]).
pub fn read_manifest(root: &Path, options: &Options) -> Result<Manifest, ReconcileError> {
    let path = options
        .manifest
        .clone()
        .unwrap_or_else(|| root.join(MANIFEST_FILE_NAME));
    let name = display_path(&path);
    let failed = |d: Diagnostic| ReconcileError::Manifest(vec![d]);
    let read = |message: String, help: String| {
        failed(Diagnostic::error("manifest::read", message).help(help))
    };
    let text = match crate::tree::read_regular_file(&path, &name, MAX_MANIFEST_BYTES) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return Err(read(
                format!("cannot read {name}: it does not exist"),
                format!(
                    "create {MANIFEST_FILE_NAME} at the app root (the folder holding src/), with \
                     `version: 1` and an `events:` map; or name it with --manifest"
                ),
            ));
        }
        Err(_) if path.is_dir() => {
            return Err(read(
                format!("cannot read {name}: it is a folder"),
                "--manifest names the manifest file itself".to_owned(),
            ));
        }
        Err(LoadError::Io { source, .. }) => {
            return Err(read(
                format!("cannot read {name}: {source}"),
                "check the file's permissions".to_owned(),
            ));
        }
        Err(other) => {
            return Err(read(
                other.to_string(),
                "the manifest is a small YAML file: name a regular file of at most 1 MiB"
                    .to_owned(),
            ));
        }
    };
    let text = String::from_utf8(text).map_err(|_| {
        failed(
            Diagnostic::error("manifest::encoding", format!("{name} is not UTF-8 text"))
                .help("save the manifest as UTF-8"),
        )
    })?;
    let source = SourceFile::new(&name, text);
    // The app's installed SDK packages, for the packages the manifest names: the truth for
    // their events (crate::sdk).
    let installed = crate::sdk::read_installed(root, &Manifest::named_packages(&source));
    Manifest::parse_with(&source, &installed).map_err(ReconcileError::Manifest)
}

/// For every extension whose builder is missing, the id its builder has in git's `HEAD`.
fn recorded_ids(root: &Path, scanned: &crate::scan::Scan) -> BTreeMap<String, String> {
    scanned
        .extensions
        .iter()
        .filter(|x| x.is_extension && x.builder.is_none())
        .filter_map(|x| {
            let path = crate::tree::builder_path(&x.folder);
            let text = crate::git::head_file(root, &path)?;
            Some((x.folder.clone(), crate::scan::builder_id(&path, &text)?))
        })
        .collect()
}

/// Plans the app at `root` and builds and verifies the changeset. Writes nothing.
///
/// # Errors
///
/// A bad manifest, an app that cannot be read or scanned, or a changeset that fails
/// verification. Conflicts are not errors here: they are in the returned plan.
pub fn reconcile(root: &Path, options: &Options) -> Result<Reconciliation, ReconcileError> {
    if !root.is_dir() {
        return Err(ReconcileError::NotAnApp {
            name: display_path(root),
            reason: if root.exists() {
                NotAnAppReason::IsAFile
            } else {
                NotAnAppReason::Missing
            },
        });
    }
    crate::commit::session::refuse_half_written(root).map_err(ReconcileError::Journal)?;
    let manifest = read_manifest(root, options)?;
    let tree = AppTree::load(root)?;
    let scanned = match scan(&tree) {
        Ok(scanned) => scanned,
        Err(errors) => {
            return Err(ReconcileError::Scan {
                errors,
                tree: Box::new(tree),
            });
        }
    };
    let mut inputs = PlanInputs {
        fresh_ids: options
            .fresh_ids
            .clone()
            .unwrap_or_else(|| manifest.entries.iter().map(|_| Uuid::new_v4()).collect()),
        // Not read yet: git decides only whether a removal's files can be deleted.
        git: GitState::NoRepository,
        force: options.force,
        recorded_ids: recorded_ids(root, &scanned),
    };
    let mut plan = plan(&manifest, &scanned, &inputs);
    // Planning is pure and git changes nothing but the removals' conflicts, so git is asked
    // (a few processes, most of a no-op check's time) only when there is a removal, and the
    // app planned again with what it says.
    if plan
        .steps
        .iter()
        .any(|step| matches!(step.action, Action::Remove { .. }))
    {
        inputs.git = git_state(root, &tree.event_files());
        plan = crate::plan::plan(&manifest, &scanned, &inputs);
    }
    let changeset = if plan.conflicts.is_empty() {
        let changeset = changeset::build(&plan, &scanned, &tree)?;
        // With no steps and no changes the re-plan is this plan again: verifying it would
        // only scan the same tree twice (most of a no-op check's time).
        if !plan.steps.is_empty() || !changeset.changes.is_empty() {
            verify(&changeset, &tree, &manifest, &inputs).map_err(ReconcileError::Verify)?;
        }
        changeset
    } else {
        Changeset::default()
    };
    Ok(Reconciliation {
        manifest,
        tree,
        plan,
        changeset,
    })
}
