//! Changeset: the plan turned into bytes, in memory.
//!
//! An existing file changes only by [`Edit`]s: non-overlapping replacements of byte ranges
//! found by the scan, so every byte outside them stays as it was (quotes, comments, blank
//! lines, CRLF, a BOM, a missing final newline). New code takes its quotes, semicolons, `.ts`
//! suffix, indentation and line ends from the file it goes into. New files are written whole.
//! Nothing here touches the disk.

mod draft;
mod package_json;
mod registry;

use thiserror::Error;

pub use crate::edit::{Edit, EditError, apply_edits};
use crate::plan::Plan;
use crate::scan::Scan;
use crate::tree::AppTree;
use draft::Draft;

/// Why a changeset could not be built: a bug in wixsync, since the plan only asks for
/// edits the scan made possible.
#[derive(Debug, Error)]
pub enum ChangesetError {
    /// Edits that overlap or do not fit their file.
    #[error(transparent)]
    Edit(#[from] EditError),
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

/// Builds the changeset of `plan` over the app `tree` as `scan` read it. The tree gives only
/// the original bytes of the files that change; every fact comes from the scan.
///
/// # Errors
///
/// [`ChangesetError`] when two edits of one file overlap (named with the actions that asked
/// for them) or an edit lies outside its file: a bug in wixsync.
pub fn build(plan: &Plan, scan: &Scan, tree: &AppTree) -> Result<Changeset, ChangesetError> {
    let mut draft = Draft::new(scan, tree);
    for step in &plan.steps {
        if let crate::plan::Action::Migrate {
            folder,
            migration: crate::plan::Migration::ExportStyle { .. },
        } = &step.action
        {
            draft.converting.insert(folder.to_string());
        }
    }
    for step in &plan.steps {
        draft.apply(&step.action);
    }
    draft.finish()
}
