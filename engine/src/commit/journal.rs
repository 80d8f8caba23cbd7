//! The journal: one commit written down before the app is touched, so that it can be finished
//! (rolled forward) or undone (rolled back) after a crash at any instant.
//!
//! Layout of the journal folder `J` (inside the place of [`super::place`]):
//!
//! ```text
//! J/journal      this file, JSON: every folder to create, file to write and file to remove
//! J/staged/<n>   the new content of write n, with its final permissions
//! J/backup/<n>   the file a write replaces (a hard link), or a file removed from the app
//! J/rollback     present while a roll-back runs: recovery then goes on rolling back
//! ```
//!
//! A commit: stage every new content and back up every file it replaces, write the journal,
//! **barrier 1** (every staged file, backup and folder of `J` made durable, in parallel); then
//! create folders, rename the staged files into place, move the removed files into
//! `J/backup`, remove the folders left empty; **barrier 2** (every touched folder of the app);
//! then remove `J`. New files are in place before any old file leaves, so an extension's
//! builder, with its id, exists at every instant under its old folder or its new one.
//!
//! Every step is idempotent, so recovery runs the same steps again. Nothing in the app is
//! touched before barrier 1, so a journal whose staged files are incomplete (a power loss
//! before the barrier finished) describes a commit that never started and is discarded.
//! This module holds at most [`SYNC_THREADS`] file descriptors at once, plus one.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::failpoint::hit;

/// The journal format's version; a journal of another version is left alone with an error.
pub const VERSION: u32 = 1;

/// The most files or folders made durable at once (one open descriptor each). Many at once
/// is what makes a barrier cheap: the file system commits its log once for all the `fsync`s
/// waiting on it (ext4 and XFS do), so 60 files cost about what one does.
pub const SYNC_THREADS: usize = 32;

/// One commit, as written to `J/journal`. Paths are relative to the app root, `/`-separated;
/// `staged` and `backup` are relative to the journal folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// [`VERSION`].
    pub version: u32,
    /// The app root, canonical, for people reading the file.
    pub app: String,
    /// Folders to create, parents first.
    pub create_dirs: Vec<String>,
    /// Files to write, in order.
    pub writes: Vec<WriteOp>,
    /// Files to remove (moved into the journal folder), after every write.
    pub removes: Vec<RemoveOp>,
    /// Folders to remove when empty, deepest first, after every removal.
    pub prune_dirs: Vec<String>,
}

/// A file written: its staged content is renamed over `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteOp {
    /// The target, relative to the app root.
    pub path: String,
    /// The staged file, relative to the journal folder.
    pub staged: String,
    /// The new content's length in bytes.
    pub len: u64,
    /// The new content's CRC-32 (IEEE), to tell a complete staged file, or a target that
    /// already holds the new content, from anything else.
    pub crc32: u32,
    /// Where the file this write replaces was kept, when the target existed.
    pub backup: Option<String>,
}

/// A file removed from the app: moved to `backup`, deleted with the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveOp {
    /// The file, relative to the app root.
    pub path: String,
    /// Where it goes, relative to the journal folder.
    pub backup: String,
}

/// The CRC-32 of `bytes`.
pub fn crc(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// An I/O failure with the path it happened on.
#[derive(Debug)]
pub struct StepError {
    /// The file or folder.
    pub path: PathBuf,
    /// The underlying error.
    pub source: io::Error,
}

impl StepError {
    fn at(path: &Path) -> impl FnOnce(io::Error) -> StepError + '_ {
        move |source| StepError {
            path: path.to_owned(),
            source,
        }
    }
}

/// Makes every path durable: `fsync` of each, at most [`SYNC_THREADS`] at once. Folders are
/// opened read-only to be synced (Unix); on other systems folders are skipped. A path that
/// cannot be opened for want of file descriptors (a low `ulimit -n`) is synced again once the
/// others are done, one at a time.
///
/// # Errors
///
/// The first path that could not be opened or synced.
pub fn barrier(paths: &[PathBuf]) -> Result<(), StepError> {
    let next = AtomicUsize::new(0);
    let threads = SYNC_THREADS.min(paths.len());
    let sync_one = |path: &Path| -> Result<(), StepError> {
        let is_dir = path.is_dir();
        if is_dir && cfg!(not(unix)) {
            return Ok(());
        }
        let file = File::open(path).map_err(StepError::at(path))?;
        if is_dir {
            file.sync_all()
        } else {
            file.sync_data()
        }
        .map_err(StepError::at(path))
    };
    let deferred = std::sync::Mutex::new(Vec::new());
    let work = || -> Result<(), StepError> {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(i) else {
                return Ok(());
            };
            match sync_one(path) {
                Err(e) if is_out_of_descriptors(&e.source) => {
                    deferred
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(path);
                }
                other => other?,
            }
        }
    };
    let result = if threads <= 1 {
        work()
    } else {
        run_threads(threads, &work)
    };
    result?;
    for path in deferred.into_inner().unwrap_or_else(|p| p.into_inner()) {
        sync_one(path)?;
    }
    Ok(())
}

/// `EMFILE` or `ENFILE`: the process or the system has no descriptor left.
fn is_out_of_descriptors(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(error.raw_os_error(), Some(23 | 24))
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// Runs `work` on `threads` threads and returns the first error.
fn run_threads(
    threads: usize,
    work: &(dyn Fn() -> Result<(), StepError> + Sync),
) -> Result<(), StepError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        let mut result = Ok(());
        for handle in handles {
            let outcome = handle.join().unwrap_or_else(|_| {
                Err(StepError {
                    path: PathBuf::new(),
                    source: io::Error::other("a durability thread panicked"),
                })
            });
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    })
}

/// Whether the file at `path` holds exactly `len` bytes with CRC `crc32`.
pub fn holds(path: &Path, len: u64, crc32: u32) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == len => {
            fs::read(path).is_ok_and(|bytes| crc(&bytes) == crc32)
        }
        _ => false,
    }
}

/// Whether anything is at `path` (a link counts; it is not followed).
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// What a step did, for the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Done {
    /// Files written into the app.
    pub written: usize,
    /// Files moved out of the app.
    pub removed: usize,
}

/// Runs the journal's app steps forward from wherever they stand: creates folders, renames
/// staged files into place, moves removed files out, removes emptied folders. Skips what is
/// already done; `skip` lists writes (by index) to leave alone.
///
/// # Errors
///
/// The first step the file system refused.
pub fn roll_forward(
    root: &Path,
    dir: &Path,
    journal: &Journal,
    skip: &BTreeSet<usize>,
) -> Result<Done, StepError> {
    let mut done = Done::default();
    for rel in &journal.create_dirs {
        let path = root.join(rel);
        if !exists(&path) {
            hit("mkdir").map_err(StepError::at(&path))?;
            match fs::create_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(StepError::at(&path)(e)),
            }
        }
    }
    for (i, write) in journal.writes.iter().enumerate() {
        let staged = dir.join(&write.staged);
        if skip.contains(&i) || !exists(&staged) {
            continue;
        }
        let target = root.join(&write.path);
        hit("rename").map_err(StepError::at(&target))?;
        fs::rename(&staged, &target).map_err(StepError::at(&target))?;
        done.written += 1;
    }
    for remove in &journal.removes {
        let path = root.join(&remove.path);
        let backup = dir.join(&remove.backup);
        if !exists(&path) || exists(&backup) {
            continue;
        }
        hit("remove").map_err(StepError::at(&path))?;
        fs::rename(&path, &backup).map_err(StepError::at(&path))?;
        done.removed += 1;
    }
    for rel in &journal.prune_dirs {
        let path = root.join(rel);
        if exists(&path) {
            hit("prune").map_err(StepError::at(&path))?;
            // Not empty (a file wixsync does not own): the folder stays, rightly.
            let _ = fs::remove_dir(&path);
        }
    }
    Ok(done)
}

/// Undoes the journal's app steps, from wherever they stand: puts removed files back, puts
/// replaced files back (or removes new ones), removes created folders. Returns the app paths
/// it restored, sorted.
///
/// # Errors
///
/// The first step the file system refused; the journal stays and the next run goes on.
pub fn roll_back(root: &Path, dir: &Path, journal: &Journal) -> Result<Vec<String>, StepError> {
    let marker = dir.join("rollback");
    if !exists(&marker) {
        File::create(&marker).map_err(StepError::at(&marker))?;
        barrier(&[marker.clone(), dir.to_owned()])?;
    }
    let mut restored = BTreeSet::new();
    let mut touched = BTreeSet::new();
    for remove in journal.removes.iter().rev() {
        let path = root.join(&remove.path);
        let backup = dir.join(&remove.backup);
        if exists(&backup) && !exists(&path) {
            hit("rollback").map_err(StepError::at(&path))?;
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(StepError::at(parent))?;
                touched.insert(parent.to_owned());
            }
            fs::rename(&backup, &path).map_err(StepError::at(&path))?;
            restored.insert(remove.path.clone());
        }
    }
    for write in journal.writes.iter().rev() {
        let staged = dir.join(&write.staged);
        let target = root.join(&write.path);
        if exists(&staged) {
            continue; // never renamed into the app
        }
        match &write.backup {
            Some(backup) => {
                let backup = dir.join(backup);
                if exists(&backup) {
                    hit("rollback").map_err(StepError::at(&target))?;
                    fs::rename(&backup, &target).map_err(StepError::at(&target))?;
                    restored.insert(write.path.clone());
                }
            }
            None => {
                if holds(&target, write.len, write.crc32) {
                    hit("rollback").map_err(StepError::at(&target))?;
                    fs::remove_file(&target).map_err(StepError::at(&target))?;
                    restored.insert(write.path.clone());
                }
            }
        }
        if let Some(parent) = target.parent() {
            touched.insert(parent.to_owned());
        }
    }
    for rel in journal.create_dirs.iter().rev() {
        let path = root.join(rel);
        if exists(&path) {
            hit("rollback").map_err(StepError::at(&path))?;
            let _ = fs::remove_dir(&path);
        }
        if let Some(parent) = path.parent() {
            touched.insert(parent.to_owned());
        }
    }
    let touched: Vec<PathBuf> = touched.into_iter().filter(|p| p.is_dir()).collect();
    barrier(&touched)?;
    Ok(restored.into_iter().collect())
}

/// The app's folders a journal's steps change: the parents of every file written or removed
/// and of every folder created or removed. Barrier 2 makes them durable.
pub fn touched_dirs(root: &Path, journal: &Journal) -> Vec<PathBuf> {
    let mut dirs = BTreeSet::new();
    let paths = journal
        .writes
        .iter()
        .map(|w| &w.path)
        .chain(journal.removes.iter().map(|r| &r.path))
        .chain(&journal.create_dirs)
        .chain(&journal.prune_dirs);
    for rel in paths {
        if let Some(parent) = root.join(rel).parent() {
            dirs.insert(parent.to_owned());
        }
    }
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}

/// Reads `J/journal`. `Ok(None)`: there is none, or it is incomplete (the commit never
/// reached barrier 1).
///
/// # Errors
///
/// The file exists but cannot be read, or has another [`VERSION`].
pub fn read(dir: &Path) -> Result<Option<Journal>, StepError> {
    let path = dir.join("journal");
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StepError { path, source: e }),
    };
    let Ok(journal) = serde_json::from_slice::<Journal>(&bytes) else {
        return Ok(None);
    };
    if journal.version != VERSION {
        return Err(StepError {
            path,
            source: io::Error::other(format!(
                "journal version {} is not {VERSION}: written by another wixsync release; \
                 finish it with that release",
                journal.version
            )),
        });
    }
    Ok(Some(journal))
}

/// Removes the journal folder: the journal file first (from then on what is left is garbage
/// to any reader), then the rest.
///
/// # Errors
///
/// A file of the folder could not be removed.
pub fn remove(dir: &Path) -> Result<(), StepError> {
    match fs::remove_file(dir.join("journal")) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(StepError::at(dir)(e)),
    }
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StepError::at(dir)(e)),
    }
}
