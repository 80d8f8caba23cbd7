//! Verify: check a changeset before anything is written.
//!
//! Three checks, kept in release builds, because a failure here is a bug in wixsync and the
//! app must not pay for it: (1) every edited file keeps, byte for byte, everything outside its
//! edited ranges and keeps all its comments; (2) every TypeScript file the changeset writes
//! parses; (3) scanning and planning the resulting tree again gives an empty plan, so the
//! next `apply` writes nothing.

use wixsync_schema::{Diagnostic, Manifest};

use crate::changeset::{Change, Changeset, Edit};
use crate::plan::{PlanInputs, plan};
use crate::scan::scan;
use crate::source::parse_module;
use crate::tree::AppTree;

/// Verifies `changeset` over `tree`; returns the tree it produces.
///
/// # Errors
///
/// A [`Diagnostic`] per failed check, each saying it is a bug in wixsync.
pub fn verify(
    changeset: &Changeset,
    tree: &AppTree,
    manifest: &Manifest,
    inputs: &PlanInputs,
) -> Result<AppTree, Vec<Diagnostic>> {
    let bug = |message: String| {
        Diagnostic::error("verify::bug", message).help(
            "this is a bug in wixsync, and nothing was written; please report it with the \
             manifest and the files named",
        )
    };
    let mut errors = Vec::new();
    for change in &changeset.changes {
        let after = match change.after() {
            Ok(after) => after,
            Err(error) => {
                errors.push(bug(error.to_string()));
                continue;
            }
        };
        let (Some(path), Some(after)) = (change.new_path(), after) else {
            continue;
        };
        if let Change::Modify {
            original, edits, ..
        } = change
            && let Err(message) = untouched_bytes_kept(change.path(), original, edits, &after)
        {
            errors.push(bug(message));
        }
        if path.ends_with(".ts") || path.ends_with(".tsx") {
            let Ok(text) = std::str::from_utf8(&after) else {
                errors.push(bug(format!("the new {path} is not UTF-8")));
                continue;
            };
            match parse_module(path, text) {
                Ok(parsed) => {
                    if let Some(before) = change.before().and_then(|b| std::str::from_utf8(b).ok())
                        && let Ok(old) = parse_module(change.path(), before)
                        && parsed.comment_count() < old.comment_count()
                        && !edits_delete_comments(change)
                    {
                        errors.push(bug(format!("the edit of {path} would lose a comment")));
                    }
                }
                Err(error) => errors.push(bug(format!(
                    "the new {path} would not parse: {}",
                    error.message
                ))),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let next = changeset
        .apply_to(tree)
        .map_err(|e| vec![bug(e.to_string())])?;
    let rescan = scan(&next).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| bug(format!("the result would not scan: {e}")))
            .collect::<Vec<_>>()
    })?;
    let again = plan(manifest, &rescan, &next, inputs);
    if !again.steps.is_empty() {
        let steps: Vec<String> = again.steps.iter().map(|s| s.action.to_string()).collect();
        return Err(vec![bug(format!(
            "after this apply, wixsync would still want to: {}",
            steps.join("; ")
        ))]);
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

/// Checks that `after` equals `original` outside the edited ranges.
fn untouched_bytes_kept(
    path: &str,
    original: &[u8],
    edits: &[Edit],
    after: &[u8],
) -> Result<(), String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let (mut from, mut to) = (0, 0);
    for edit in sorted {
        let kept = &original[from..edit.range.start];
        if after.get(to..to + kept.len()) != Some(kept) {
            return Err(format!(
                "the edit of {path} would change bytes it did not mean to"
            ));
        }
        to += kept.len() + edit.text.len();
        from = edit.range.end;
    }
    if after.get(to..) != Some(&original[from..]) {
        return Err(format!(
            "the edit of {path} would change bytes it did not mean to"
        ));
    }
    Ok(())
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
        assert!(untouched_bytes_kept("f", b"abc", &edits, b"aXYc").is_ok());
        assert!(untouched_bytes_kept("f", b"abc", &edits, b"aXYd").is_err());
        assert!(untouched_bytes_kept("f", b"abc", &edits, b"zXYc").is_err());
    }
}
