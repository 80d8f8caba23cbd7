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

use std::fs;
use std::path::{Path, PathBuf};

use uuid::Uuid;
use wixsync_schema::{Diagnostic, MANIFEST_FILE_NAME, Manifest, SourceFile};

use crate::changeset::{self, Changeset, ChangesetError};
use crate::generate::app_style;
use crate::git::git_state;
use crate::package_json::PackageJsonError;
use crate::plan::{Plan, PlanInputs, plan};
use crate::scan::scan;
use crate::tree::AppTree;
use crate::verify::verify;

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

/// Why reconciling stopped: the diagnostics to show, all errors.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong, with file, line and column where there is one.
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Failure { diagnostics }
    }
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Self {
        Failure {
            diagnostics: vec![diagnostic],
        }
    }
}

/// The manifest path as people read it: `app/wix-events.yaml`, without a leading `./`.
fn display_path(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// Reads and checks the manifest.
///
/// # Errors
///
/// The manifest cannot be read, or breaks a rule ([`Manifest::parse`]).
pub fn read_manifest(root: &Path, options: &Options) -> Result<Manifest, Failure> {
    let path = options
        .manifest
        .clone()
        .unwrap_or_else(|| root.join(MANIFEST_FILE_NAME));
    let name = display_path(&path);
    let text = fs::read(&path).map_err(|e| {
        let help = if path.is_dir() {
            "this is a folder: --manifest names the manifest file itself".to_owned()
        } else if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "create {MANIFEST_FILE_NAME} at the app root (the folder holding src/), with \
                 `version: 1` and an `events:` map; or name it with --manifest"
            )
        } else {
            "check the file's permissions".to_owned()
        };
        Diagnostic::error("manifest::read", format!("cannot read {name}: {e}")).help(help)
    })?;
    let text = String::from_utf8(text).map_err(|_| {
        Diagnostic::error("manifest::encoding", format!("{name} is not UTF-8 text"))
            .help("save the manifest as UTF-8")
    })?;
    Ok(Manifest::parse(&SourceFile::new(&name, text))?)
}

fn changeset_error(tree: &AppTree, error: ChangesetError) -> Diagnostic {
    match error {
        ChangesetError::PackageJson(error) => {
            let offset = match &error {
                PackageJsonError::Syntax { offset, .. }
                | PackageJsonError::DependenciesNotAnObject { offset, .. } => *offset,
                PackageJsonError::NotAnObject { .. } => 0,
            };
            Diagnostic::error("package-json::edit", error.to_string())
                .in_source(&SourceFile::new("package.json", tree.text("package.json").unwrap_or_default()))
                .label(offset, 0, "here")
                .help("a handler needs a `@wix/*` package added to package.json's `dependencies`: fix the file so it is a JSON object with an object `dependencies`, then run wixsync again")
        }
        ChangesetError::Edit(error) => Diagnostic::error("changeset::bug", error.to_string())
            .help("this is a bug in wixsync, and nothing was written; please report it"),
    }
}

/// Plans the app at `root` and builds and verifies the changeset. Writes nothing.
///
/// # Errors
///
/// A bad manifest, an app that cannot be read or scanned, or a changeset that fails
/// verification. Conflicts are not errors here: they are in the returned plan.
pub fn reconcile(root: &Path, options: &Options) -> Result<Reconciliation, Failure> {
    if !root.is_dir() {
        let name = display_path(root);
        let (message, help) = if root.exists() {
            (
                format!("{name} is a file, not an app folder"),
                "DIR is the app root, the folder holding src/ and wix-events.yaml; to use another \
                 manifest file, name it with --manifest",
            )
        } else {
            (
                format!("{name} does not exist"),
                "DIR is the app root, the folder holding src/ and wix-events.yaml",
            )
        };
        return Err(Diagnostic::error("app::read", message).help(help).into());
    }
    crate::commit::session::refuse_half_written(root)?;
    let manifest = read_manifest(root, options)?;
    let tree = AppTree::load(root).map_err(|e| {
        Diagnostic::error("app::read", e.to_string())
            .help("run wixsync from the app root (the folder holding src/ and wix-events.yaml), or pass it as DIR")
    })?;
    let scanned = scan(&tree)?;
    let inputs = PlanInputs {
        fresh_ids: options
            .fresh_ids
            .clone()
            .unwrap_or_else(|| manifest.entries.iter().map(|_| Uuid::new_v4()).collect()),
        git: git_state(root),
        force: options.force,
        style: app_style(&tree),
    };
    let plan = plan(&manifest, &scanned, &tree, &inputs);
    let changeset = if plan.conflicts.is_empty() {
        let changeset = changeset::build(&plan, &scanned, &tree, &inputs.style)
            .map_err(|e| changeset_error(&tree, e))?;
        verify(&changeset, &tree, &manifest, &inputs)?;
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
