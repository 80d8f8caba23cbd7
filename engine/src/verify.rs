//! Verify: check a changeset before anything is written.
//!
//! Three checks, kept in release builds, because a failure here is a bug in wixsync and the
//! app must not pay for it: (1) every edited file keeps, byte for byte, everything outside its
//! edited ranges and keeps all its comments; (2) every TypeScript file the changeset creates
//! or edits parses (a file only moved keeps its bytes, parsed or not); (3) scanning and
//! planning the resulting tree again gives an empty plan, so the next `apply` writes nothing.

use thiserror::Error;
use wixsync_schema::Manifest;

use crate::changeset::{Change, Changeset};
use crate::edit::{Edit, EditError};
use crate::parse::parse_module;
use crate::plan::{PlanInputs, plan};
use crate::scan::{ScanError, scan};
use crate::tree::AppTree;

/// A changeset that fails a check: each is a bug in wixsync, found before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The edits do not apply.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// An edited file would differ outside its edited ranges.
    #[error("the edit of {path} would change bytes it did not mean to")]
    ChangesUntouchedBytes {
        /// The file.
        path: String,
    },
    /// An edited file would hold fewer comments than before, and no edit removed one.
    #[error("the edit of {path} would lose a comment")]
    LostComment {
        /// The file.
        path: String,
    },
    /// A TypeScript file written would not be UTF-8.
    #[error("the new {path} is not UTF-8")]
    NotUtf8 {
        /// The file.
        path: String,
    },
    /// A TypeScript file written would not parse.
    #[error("the new {path} would not parse: {message}")]
    WouldNotParse {
        /// The file.
        path: String,
        /// The parser's message, with the file and place.
        message: String,
    },
    /// The resulting app would not scan.
    #[error("the result would not scan: {0}")]
    WouldNotScan(ScanError),
    /// Planning the resulting app again would still find something to do.
    #[error("after this apply, wixsync would still want to: {}", .steps.join("; "))]
    NotIdempotent {
        /// The steps the second plan has, as plan output shows them.
        steps: Vec<String>,
    },
}

/// Verifies `changeset` over `tree`; returns the tree it produces.
///
/// # Errors
///
/// A [`VerifyError`] per failed check.
pub fn verify(
    changeset: &Changeset,
    tree: &AppTree,
    manifest: &Manifest,
    inputs: &PlanInputs,
) -> Result<AppTree, Vec<VerifyError>> {
    let mut errors = Vec::new();
    for change in &changeset.changes {
        let after = match change.after() {
            Ok(after) => after,
            Err(error) => {
                errors.push(error.into());
                continue;
            }
        };
        let (Some(path), Some(after)) = (change.new_path(), after) else {
            continue;
        };
        if let Change::Modify { edits, .. } = change
            && edits.is_empty()
        {
            // A pure move keeps every byte: nothing to check, and a file of the app's own
            // that never parsed (a draft beside a handler, say) is not wixsync's to fix.
            continue;
        }
        if let Change::Modify {
            original, edits, ..
        } = change
            && !untouched_bytes_kept(original, edits, &after)
        {
            errors.push(VerifyError::ChangesUntouchedBytes {
                path: change.path().to_owned(),
            });
        }
        if path.ends_with(".ts") || path.ends_with(".tsx") {
            let Ok(text) = std::str::from_utf8(&after) else {
                errors.push(VerifyError::NotUtf8 {
                    path: path.to_owned(),
                });
                continue;
            };
            match parse_module(path, text) {
                Ok(parsed) => {
                    if let Some(before) = change.before().and_then(|b| std::str::from_utf8(b).ok())
                        && let Ok(old) = parse_module(change.path(), before)
                        && parsed.comment_count() < old.comment_count()
                        && !edits_delete_comments(change)
                    {
                        errors.push(VerifyError::LostComment {
                            path: path.to_owned(),
                        });
                    }
                }
                Err(error) => errors.push(VerifyError::WouldNotParse {
                    path: path.to_owned(),
                    message: error.to_string(),
                }),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let next = changeset
        .apply_to(tree)
        .map_err(|e| vec![VerifyError::Edit(e)])?;
    let rescan = scan(&next).map_err(|errors| {
        errors
            .into_iter()
            .map(VerifyError::WouldNotScan)
            .collect::<Vec<_>>()
    })?;
    let again = plan(manifest, &rescan, inputs);
    if !again.steps.is_empty() {
        return Err(vec![VerifyError::NotIdempotent {
            steps: again.steps.iter().map(|s| s.action.to_string()).collect(),
        }]);
    }
    Ok(next)
}

/// Whether a modification removes text that held a comment (a removed registration line may
/// carry one).
fn edits_delete_comments(change: &Change) -> bool {
    let Change::Modify {
        original, edits, ..
    } = change
    else {
        return false;
    };
    edits.iter().any(|e| {
        let removed = &original[e.range.clone()];
        removed.windows(2).any(|w| w == b"//" || w == b"/*")
    })
}

/// Whether `after` equals `original` outside the edited ranges.
fn untouched_bytes_kept(original: &[u8], edits: &[Edit], after: &[u8]) -> bool {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let (mut from, mut to) = (0, 0);
    for edit in sorted {
        let kept = &original[from..edit.range.start];
        if after.get(to..to + kept.len()) != Some(kept) {
            return false;
        }
        to += kept.len() + edit.text.len();
        from = edit.range.end;
    }
    after.get(to..) == Some(&original[from..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untouched_bytes_are_checked() {
        let edits = [Edit {
            range: 1..2,
            text: "XY".into(),
        }];
        assert!(untouched_bytes_kept(b"abc", &edits, b"aXYc"));
        assert!(!untouched_bytes_kept(b"abc", &edits, b"aXYd"));
        assert!(!untouched_bytes_kept(b"abc", &edits, b"zXYc"));
    }
}
