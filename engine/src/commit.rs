//! Commit: the only stage that writes.
//!
//! Writes happen in two phases so that a failure leaves the app as it was wherever the file
//! system allows: first every new content goes to a temporary file beside its target; only
//! when all of them are written are they renamed over their targets (atomically, each keeping
//! the permissions of the file it replaces), and only then are files deleted and emptied
//! folders removed. Every path stays inside the app root, and no symbolic link is followed.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use atomic_write_file::AtomicWriteFile;
use thiserror::Error;

use crate::changeset::{Change, Changeset, EditError};
use crate::tree::EVENTS_DIR;

/// A failure to write.
#[derive(Debug, Error)]
pub enum CommitError {
    /// A file could not be written, renamed or deleted.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A path would leave the app root or pass through a symbolic link.
    #[error("refusing to write {path}: {why}")]
    Unsafe {
        /// The path, relative to the app root.
        path: String,
        /// Why.
        why: &'static str,
    },
    /// The changeset's edits do not apply (a bug; verify catches it first).
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// A failed commit: the error, and what was already done when it happened (both zero when
/// the failure came before the first rename, which leaves the app as it was).
#[derive(Debug)]
pub struct CommitFailure {
    /// What failed.
    pub error: CommitError,
    /// What was done before.
    pub done: CommitReport,
}

impl std::fmt::Display for CommitFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({} file(s) written and {} deleted before it)",
            self.error, self.done.written, self.done.deleted
        )
    }
}

impl std::error::Error for CommitFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// What commit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitReport {
    /// Files written (created, edited or moved into place).
    pub written: usize,
    /// Files deleted, moved-away originals included.
    pub deleted: usize,
}

/// Checks that `rel` stays inside `root` and that no existing part of it is a symbolic link.
fn safe_path(root: &Path, rel: &str) -> Result<PathBuf, CommitError> {
    let unsafe_path = |why| CommitError::Unsafe {
        path: rel.to_owned(),
        why,
    };
    let relative = Path::new(rel);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(unsafe_path("the path leaves the app root"));
    }
    let mut at = root.to_path_buf();
    for component in relative.components() {
        at.push(component);
        if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(unsafe_path("part of the path is a symbolic link"));
        }
    }
    Ok(at)
}

/// Writes `changeset` into the app at `root`.
///
/// # Errors
///
/// [`CommitFailure`]: the error, with the path that failed, and what was done before it. A failure before the renames leaves every file
/// as it was; a failure after them (a rename or a deletion refused by the file system) leaves
/// the files renamed so far written.
pub fn commit(root: &Path, changeset: &Changeset) -> Result<CommitReport, CommitFailure> {
    let mut report = CommitReport::default();
    write_all(root, changeset, &mut report).map_err(|error| CommitFailure {
        error,
        done: report.clone(),
    })?;
    Ok(report)
}

fn write_all(
    root: &Path,
    changeset: &Changeset,
    report: &mut CommitReport,
) -> Result<(), CommitError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| CommitError::Io { path, source }
    };
    // Phase 1: every new content into a temporary file.
    let mut pending = Vec::new();
    let mut removals = Vec::new();
    for change in &changeset.changes {
        let old = safe_path(root, change.path())?;
        match (change.new_path(), change.after()?) {
            (Some(new_path), Some(content)) => {
                let target = safe_path(root, new_path)?;
                let unchanged_in_place =
                    new_path == change.path() && change.before() == Some(&content[..]);
                if unchanged_in_place {
                    continue;
                }
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(io_error(parent))?;
                }
                let mut file = AtomicWriteFile::options()
                    .open(&target)
                    .map_err(io_error(&target))?;
                file.write_all(&content).map_err(io_error(&target))?;
                if new_path != change.path() {
                    pending.push((target, file, Some(old.clone())));
                    removals.push(old);
                } else {
                    pending.push((target, file, None));
                }
            }
            _ => {
                if matches!(change, Change::Delete { .. }) {
                    removals.push(old);
                }
            }
        }
    }
    // Phase 2: rename them into place.
    for (target, file, moved_from) in pending {
        file.commit().map_err(io_error(&target))?;
        // A moved file keeps its permissions (an executable bit, a read-only mode).
        if let Some(from) = moved_from {
            let permissions = fs::metadata(&from).map_err(io_error(&from))?.permissions();
            fs::set_permissions(&target, permissions).map_err(io_error(&target))?;
        }
        report.written += 1;
    }
    // Phase 3: deletions, then the folders they emptied.
    for path in &removals {
        match fs::remove_file(path) {
            Ok(()) => report.deleted += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(path)(e)),
        }
    }
    // Only folders inside the events folder: it and its parents stay even when empty.
    let events = root.join(EVENTS_DIR);
    for path in &removals {
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == events || !d.starts_with(&events) || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let root = tempfile::tempdir().unwrap();
        assert!(safe_path(root.path(), "src/a.ts").is_ok());
        assert!(matches!(
            safe_path(root.path(), "../a.ts"),
            Err(CommitError::Unsafe { .. })
        ));
        assert!(matches!(
            safe_path(root.path(), "/etc/passwd"),
            Err(CommitError::Unsafe { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("src")).unwrap();
        assert!(matches!(
            safe_path(root.path(), "src/a.ts"),
            Err(CommitError::Unsafe { .. })
        ));
    }
}
