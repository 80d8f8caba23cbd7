//! Commit: the only stage that writes, all or nothing, surviving `kill -9` and power loss.
//!
//! [`commit`] records the whole changeset in a journal (every folder to create, file to write
//! and file to remove, each new content staged beside the journal) before the first write into
//! the app, makes it durable, performs it, and removes the journal: see [`journal`] for the
//! order of operations, which keeps every extension's builder, with its id, on disk at every
//! instant. Two durability barriers per commit, not one per file. A failure part-way rolls
//! back through the same journal; a crash is finished by [`recover`], which every command runs
//! first ([`session`]). [`lock`] keeps one writer per app. Every path stays inside the app
//! root, and no symbolic link is followed. Nothing here plans or decides: the changeset says
//! what to write.

mod failpoint;
pub mod journal;
pub mod lock;
pub mod place;
pub mod recover;
pub mod session;

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use crate::changeset::{Change, Changeset, EditError};
use crate::tree::EVENTS_DIR;
pub use failpoint::FAILPOINTS;
use failpoint::hit;
use journal::{Journal, RemoveOp, StepError, WriteOp};
use place::Place;

/// A failure to write.
#[derive(Debug, Error)]
pub enum CommitError {
    /// A file or folder could not be written, renamed, removed or made durable.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A path would leave the app root, pass through a symbolic link, or names a folder where
    /// a file goes.
    #[error("refusing to write {path}: {why}")]
    Unsafe {
        /// The path, relative to the app root.
        path: String,
        /// Why.
        why: &'static str,
    },
    /// A journal of an earlier commit is still there: it must be finished first
    /// ([`recover::recover`]).
    #[error("an earlier apply's journal is still at {path}")]
    JournalPresent {
        /// The journal folder.
        path: PathBuf,
    },
    /// The changeset's edits do not apply (a bug; verify catches it first).
    #[error(transparent)]
    Edit(#[from] EditError),
}

impl CommitError {
    /// What to do about it, in one sentence for people.
    pub fn help(&self) -> &'static str {
        match self {
            CommitError::Unsafe { .. } => {
                "wixsync never writes through a symbolic link, outside the app, or over a \
                 folder: replace the link or move the folder or file the message names"
            }
            CommitError::JournalPresent { .. } => {
                "run `wixsync apply` again: it finishes the earlier apply first"
            }
            CommitError::Edit(_) => "this is a bug in wixsync; please report it",
            CommitError::Io { source, .. } => match source.kind() {
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                    "free some disk space (wixsync needs about twice the size of the files it \
                     writes while it works), then run `wixsync apply` again"
                }
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                    "make the file and its folder writable, then run `wixsync apply` again"
                }
                _ if source.raw_os_error() == Some(24) => {
                    "too many open files: raise the limit (`ulimit -n`), then run `wixsync \
                     apply` again"
                }
                _ => "check the file and its folder, then run `wixsync apply` again",
            },
        }
    }
}

impl From<StepError> for CommitError {
    fn from(e: StepError) -> Self {
        CommitError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

/// What a failed commit left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The failure came before the first change to the app: every file is as it was.
    Untouched,
    /// Changes had been made and were undone: every file is as it was again. The paths put
    /// back (relative to the app root, sorted).
    RolledBack {
        /// Files restored or removed again.
        paths: Vec<String>,
    },
    /// The roll-back failed too: the journal stays, and the next wixsync command on the app
    /// finishes the commit (or its roll-back) before anything else.
    Stuck {
        /// The journal folder.
        journal: PathBuf,
        /// Why the roll-back stopped.
        error: String,
    },
}

/// A failed commit: the error, and what it left.
#[derive(Debug)]
pub struct CommitFailure {
    /// What failed.
    pub error: CommitError,
    /// What is on disk now.
    pub outcome: Outcome,
}

impl std::fmt::Display for CommitFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}", self.error, self.outcome_text())
    }
}

impl CommitFailure {
    /// What the failure left, in one sentence for people.
    pub fn outcome_text(&self) -> String {
        match &self.outcome {
            Outcome::Untouched => "nothing was written".to_owned(),
            Outcome::RolledBack { paths } => {
                let mut list = paths
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if paths.len() > 10 {
                    list.push_str(&format!(" and {} more", paths.len() - 10));
                }
                format!(
                    "the {} change(s) already made were rolled back, and every file is as it \
                     was ({list})",
                    paths.len()
                )
            }
            Outcome::Stuck { journal, error } => format!(
                "rolling back failed too ({error}): the app is part-way; its journal is at {}, \
                 and the next `wixsync plan` or `wixsync apply` finishes or undoes the commit \
                 before anything else",
                journal.display()
            ),
        }
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

/// One write, prepared: where it goes and what it holds.
struct Staging {
    /// The target, absolute.
    target: PathBuf,
    /// The new content.
    content: Vec<u8>,
    /// The file whose permissions it takes: the one it replaces, or the one it moves.
    mode_from: Option<PathBuf>,
}

/// Turns the changeset into a journal (without its folder) and the content to stage,
/// refusing unsafe paths and folders where files go before anything is written.
fn prepare(root: &Path, changeset: &Changeset) -> Result<(Journal, Vec<Staging>), CommitError> {
    let mut journal = Journal {
        version: journal::VERSION,
        app: root.display().to_string(),
        create_dirs: Vec::new(),
        writes: Vec::new(),
        removes: Vec::new(),
        prune_dirs: Vec::new(),
    };
    let mut staging = Vec::new();
    let mut removals = Vec::new();
    let mut created = BTreeSet::new();
    for change in &changeset.changes {
        let old = safe_path(root, change.path())?;
        match (change.new_path(), change.after()?) {
            (Some(new_path), Some(content)) => {
                let target = safe_path(root, new_path)?;
                let moved = new_path != change.path();
                if !moved && change.before() == Some(&content[..]) {
                    continue;
                }
                let existing = fs::symlink_metadata(&target).ok();
                if existing.as_ref().is_some_and(|m| !m.is_file()) {
                    return Err(CommitError::Unsafe {
                        path: new_path.to_owned(),
                        why: "a folder (or another non-file) stands where this file goes; move \
                              it away",
                    });
                }
                // The folders to create, parents first; a file in the way is refused.
                let mut missing = Vec::new();
                for dir in Path::new(new_path).ancestors().skip(1) {
                    if dir.as_os_str().is_empty() {
                        break;
                    }
                    match fs::symlink_metadata(root.join(dir)) {
                        Ok(m) if m.is_dir() => break,
                        Ok(_) => {
                            return Err(CommitError::Unsafe {
                                path: slash(dir),
                                why: "a file stands where wixsync needs a folder; move it away",
                            });
                        }
                        Err(_) => missing.push(slash(dir)),
                    }
                }
                for dir in missing.into_iter().rev() {
                    if created.insert(dir.clone()) {
                        journal.create_dirs.push(dir);
                    }
                }
                let n = journal.writes.len();
                journal.writes.push(WriteOp {
                    path: new_path.to_owned(),
                    staged: format!("staged/{n}"),
                    len: content.len() as u64,
                    crc32: journal::crc(&content),
                    backup: existing.is_some().then(|| format!("backup/w{n}")),
                });
                staging.push(Staging {
                    mode_from: if existing.is_some() {
                        Some(target.clone())
                    } else if moved {
                        Some(old.clone())
                    } else {
                        None
                    },
                    target,
                    content,
                });
                if moved {
                    removals.push(change.path().to_owned());
                }
            }
            _ => {
                if matches!(change, Change::Delete { .. }) {
                    removals.push(change.path().to_owned());
                }
            }
        }
    }
    // A path that is also written is replaced, not removed (its old file is the backup).
    let written: BTreeSet<&str> = journal.writes.iter().map(|w| w.path.as_str()).collect();
    let mut prune = BTreeSet::new();
    for path in removals {
        if written.contains(path.as_str()) || !journal::exists(&root.join(&path)) {
            continue;
        }
        // Only folders inside the events folder: it and its parents stay even when empty.
        for dir in Path::new(&path).ancestors().skip(1) {
            let dir = slash(dir);
            if !dir.starts_with(&format!("{EVENTS_DIR}/")) {
                break;
            }
            prune.insert(dir);
        }
        let n = journal.removes.len();
        journal.removes.push(RemoveOp {
            path,
            backup: format!("backup/r{n}"),
        });
    }
    // Deepest first.
    let mut prune: Vec<String> = prune.into_iter().collect();
    prune.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    journal.prune_dirs = prune;
    Ok((journal, staging))
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes `changeset` into the app at `root`, all or nothing.
///
/// The caller holds the app's lock ([`session`] takes it for the command line) and has run
/// [`recover::recover`]; a journal still present is refused.
///
/// # Errors
///
/// [`CommitFailure`]: the error, with the path that failed, and what it left: nothing touched,
/// everything rolled back (with the paths), or, when the roll-back failed too, a journal that
/// the next run finishes.
// A failed commit is rare and its report (what was rolled back) is the point of the error.
#[allow(clippy::result_large_err)]
pub fn commit(root: &Path, changeset: &Changeset) -> Result<CommitReport, CommitFailure> {
    let untouched = |error| CommitFailure {
        error,
        outcome: Outcome::Untouched,
    };
    let (journal, staging) = prepare(root, changeset).map_err(untouched)?;
    if journal.writes.is_empty() && journal.removes.is_empty() {
        return Ok(CommitReport::default());
    }
    let place = place::place(root).map_err(|source| {
        untouched(CommitError::Io {
            path: root.to_owned(),
            source,
        })
    })?;
    for candidate in &place.candidates {
        let dir = Place::journal_dir(candidate);
        if journal::exists(&dir) {
            return Err(untouched(CommitError::JournalPresent { path: dir }));
        }
    }
    let dir = Place::journal_dir(&place.base);
    let result = stage(&place, &dir, journal, &staging);
    let journal = match result {
        Ok(journal) => journal,
        Err(error) => {
            let _ = journal::remove(&dir);
            cleanup_base(&place.base);
            return Err(untouched(error));
        }
    };
    let applied = journal::roll_forward(&place.root, &dir, &journal, &BTreeSet::new())
        .map_err(CommitError::from)
        .and_then(|done| {
            let mut dirs = journal::touched_dirs(&place.root, &journal);
            dirs.push(dir.join("backup"));
            journal::barrier(&dirs)?;
            hit("app-durable").map_err(|source| CommitError::Io {
                path: dir.clone(),
                source,
            })?;
            Ok(done)
        });
    match applied {
        Ok(_) => {
            // The commit is complete and durable; a journal left by a failure here is
            // finished (a no-op) and removed by the next run.
            let _ = journal::remove(&dir);
            cleanup_base(&place.base);
            let _ = hit("journal-removed");
            Ok(CommitReport {
                written: journal.writes.len(),
                deleted: journal.removes.len(),
            })
        }
        Err(error) => {
            let outcome = match journal::roll_back(&place.root, &dir, &journal) {
                Ok(paths) => {
                    let _ = journal::remove(&dir);
                    cleanup_base(&place.base);
                    if paths.is_empty() {
                        Outcome::Untouched
                    } else {
                        Outcome::RolledBack { paths }
                    }
                }
                Err(e) => Outcome::Stuck {
                    journal: dir.clone(),
                    error: CommitError::from(e).to_string(),
                },
            };
            Err(CommitFailure { error, outcome })
        }
    }
}

/// Stages every new content and backup in the journal folder, writes the journal and makes
/// it all durable (barrier 1). Touches nothing in the app. One file descriptor at a time,
/// [`journal::SYNC_THREADS`] during the barrier.
fn stage(
    place: &Place,
    dir: &Path,
    journal: Journal,
    staging: &[Staging],
) -> Result<Journal, CommitError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CommitError::Io { path, source }
    };
    hit("commit-start").map_err(io(dir))?;
    fs::create_dir_all(dir.join("staged")).map_err(io(dir))?;
    fs::create_dir_all(dir.join("backup")).map_err(io(dir))?;
    let mut durable = Vec::with_capacity(staging.len() * 2 + 6);
    for (write, staged) in journal.writes.iter().zip(staging) {
        let path = dir.join(&write.staged);
        hit("stage").map_err(io(&path))?;
        write_file(&path, &staged.content).map_err(io(&path))?;
        if let Some(from) = &staged.mode_from {
            let permissions = fs::metadata(from).map_err(io(from))?.permissions();
            fs::set_permissions(&path, permissions).map_err(io(&path))?;
        }
        durable.push(path);
        if let Some(backup) = &write.backup {
            let backup = dir.join(backup);
            // A hard link keeps the very file (and its permissions) at no cost; where links
            // are not allowed, a copy.
            if fs::hard_link(&staged.target, &backup).is_err() {
                fs::copy(&staged.target, &backup).map_err(io(&backup))?;
                durable.push(backup);
            }
        }
    }
    let text = serde_json::to_vec_pretty(&journal).map_err(|e| CommitError::Io {
        path: dir.to_owned(),
        source: io::Error::other(e),
    })?;
    let draft = dir.join("journal.draft");
    write_file(&draft, &text).map_err(io(&draft))?;
    let final_path = dir.join("journal");
    fs::rename(&draft, &final_path).map_err(io(&final_path))?;
    hit("journal-written").map_err(io(&final_path))?;
    durable.push(final_path);
    durable.push(dir.join("staged"));
    durable.push(dir.join("backup"));
    durable.push(dir.to_owned());
    durable.push(place.base.clone());
    if let Some(parent) = place.base.parent() {
        durable.push(parent.to_owned());
    }
    journal::barrier(&durable)?;
    hit("journal-durable").map_err(io(dir))?;
    Ok(journal)
}

/// Writes `bytes` to a new file at `path` and closes it.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// Removes the place's folder (and the `wixsync` folder of the git directory) when empty:
/// a commit run without a lock leaves nothing behind either.
fn cleanup_base(base: &Path) {
    if fs::remove_dir(base).is_ok()
        && let Some(parent) = base.parent()
        && parent.file_name().is_some_and(|n| n == "wixsync")
    {
        let _ = fs::remove_dir(parent);
    }
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
