//! Changeset: the plan turned into bytes, in memory.
//!
//! An existing file changes only by [`Edit`]s: non-overlapping replacements of byte ranges
//! found by the scan, so every byte outside them stays as it was (quotes, comments, blank
//! lines, CRLF, a BOM, a missing final newline). New code takes its quotes, semicolons, `.ts`
//! suffix, indentation and line ends from the file it goes into. New files are written whole.
//! Nothing here touches the disk.

mod builder;
mod registry;

use std::ops::Range;

use thiserror::Error;

pub use registry::{RegistryStyle, registry_style};

use crate::generate::CodeStyle;
use crate::plan::Plan;
use crate::scan::Scan;
use crate::tree::AppTree;
use builder::ChangesetBuilder;

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
    let mut builder = ChangesetBuilder::new(scan, tree, style);
    for step in &plan.steps {
        builder.apply(&step.action);
    }
    builder.finish()
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
}
