//! Edits: byte-range replacements over a file's original bytes.
//!
//! An existing file changes only by [`Edit`]s. Every byte outside their ranges stays as it was,
//! which is what keeps quotes, comments, blank lines, CRLF line ends, a byte-order mark and a
//! missing final newline intact. [`FileEdits`] collects the edits of many files and refuses an
//! edit that overlaps one already added, naming the action behind each, so that a bug in
//! wixsync is reported where it happens and not when the files are assembled. Nothing here
//! reads or writes a file.

use std::collections::BTreeMap;
use std::ops::Range;

use thiserror::Error;

/// One replacement: the bytes in `range` of the original become `text`. An empty range
/// inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the original file.
    pub range: Range<usize>,
    /// The replacement text.
    pub text: String,
}

/// Edits that cannot be applied: each is a bug in wixsync.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum EditError {
    /// Two edits of one file overlap.
    #[error(
        "two edits of {path} overlap: bytes {first:?} (for `{first_cause}`) and {second:?} \
         (for `{second_cause}`)"
    )]
    Overlap {
        /// The file, relative to the app root.
        path: String,
        /// The range of the edit added first.
        first: Range<usize>,
        /// The action that asked for it.
        first_cause: String,
        /// The range of the edit that overlaps it.
        second: Range<usize>,
        /// The action that asked for that one.
        second_cause: String,
    },
    /// An edit lies past the end of the file, or its range is reversed.
    #[error("an edit of {path} at bytes {range:?} lies outside the file ({len} bytes)")]
    OutOfRange {
        /// The file, relative to the app root.
        path: String,
        /// The edit's range.
        range: Range<usize>,
        /// The file's length in bytes.
        len: usize,
    },
}

/// Whether two ranges share a byte, or an insertion point lies strictly inside a replaced
/// range. Two insertions at one point never overlap: they apply in the order given.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The edits of several files, by path relative to the app root, each with the action that
/// asked for it.
#[derive(Debug, Clone, Default)]
pub struct FileEdits {
    files: BTreeMap<String, Vec<(Edit, String)>>,
}

impl FileEdits {
    /// Adds the edit `range → text` of `path`, asked for by `cause` (an action as plan output
    /// shows it).
    ///
    /// # Errors
    ///
    /// [`EditError::Overlap`] when it overlaps an edit of `path` already added.
    pub fn add(
        &mut self,
        path: &str,
        range: Range<usize>,
        text: String,
        cause: &str,
    ) -> Result<(), EditError> {
        let edits = self.files.entry(path.to_owned()).or_default();
        if let Some((first, first_cause)) = edits.iter().find(|(e, _)| overlaps(&e.range, &range)) {
            return Err(EditError::Overlap {
                path: path.to_owned(),
                first: first.range.clone(),
                first_cause: first_cause.clone(),
                second: range,
                second_cause: cause.to_owned(),
            });
        }
        edits.push((Edit { range, text }, cause.to_owned()));
        Ok(())
    }

    /// The paths that have edits, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Takes the edits of `path`, in the order they were added.
    pub fn take(&mut self, path: &str) -> Vec<Edit> {
        self.files
            .remove(path)
            .unwrap_or_default()
            .into_iter()
            .map(|(edit, _)| edit)
            .collect()
    }
}

/// Applies `edits` to `original`, the bytes of `path`. Edits are applied in order of position;
/// insertions at the same position keep the order they were given in.
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
                first_cause: String::new(),
                second: edit.range.clone(),
                second_cause: String::new(),
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
        assert!(matches!(
            err,
            EditError::Overlap { first, second, .. } if first == (1..3) && second == (2..4)
        ));
        assert!(matches!(
            apply_edits("f", b"ab", &[edit(1..5, "")]),
            Err(EditError::OutOfRange { .. })
        ));
    }

    #[test]
    fn an_overlap_is_refused_when_added_naming_both_actions() {
        let mut edits = FileEdits::default();
        edits.add("f", 2..6, String::new(), "remove a").unwrap();
        // Insertions at either end of a replaced range, and two at one point, are fine.
        edits.add("f", 2..2, "x".into(), "create b").unwrap();
        edits.add("f", 6..6, "y".into(), "create b").unwrap();
        edits.add("f", 6..6, "z".into(), "create c").unwrap();
        let err = edits.add("f", 4..4, "w".into(), "rename d").unwrap_err();
        assert_eq!(
            err.to_string(),
            "two edits of f overlap: bytes 2..6 (for `remove a`) and 4..4 (for `rename d`)"
        );
        edits.add("g", 4..4, "w".into(), "rename d").unwrap();
        assert_eq!(edits.paths().collect::<Vec<_>>(), ["f", "g"]);
        let f = edits.take("f");
        assert_eq!(f.len(), 4);
        assert_eq!(f[3].text, "z");
    }
}
