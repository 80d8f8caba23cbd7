//! The app lock: one writer per app at a time.
//!
//! An OS file lock (`flock` on Unix, `LockFileEx` on Windows, through [`std::fs::File::lock`])
//! on `<base>/lock`. The kernel releases it when the process dies, so a killed run never leaves
//! a stale lock; the file itself is removed by the writer that holds it, and whoever takes the
//! lock checks that the file it locked is still the one at the path (else it tries again), so
//! removing it is safe. Readers (`plan`, `apply --check`) take it shared, wait a second at most, and leave
//! no file behind. This module does not read or write the app's own files.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long `apply` waits for another one by default, in seconds; `WIXSYNC_LOCK_TIMEOUT`
/// (seconds) overrides it.
pub const DEFAULT_WAIT_SECS: u64 = 20;

/// The wait `apply` allows: `WIXSYNC_LOCK_TIMEOUT` seconds when set and a number, else
/// [`DEFAULT_WAIT_SECS`].
pub fn wait_limit() -> Duration {
    let secs = std::env::var("WIXSYNC_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(DEFAULT_WAIT_SECS as f64);
    Duration::from_secs_f64(secs)
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process held it for the whole wait.
    Busy {
        /// The lock file.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },
    /// The lock file could not be created or locked.
    Io {
        /// The lock file or its folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// The exclusive lock on one app, held until dropped. Dropping it removes the lock file and
/// the folders wixsync created for it, when they are empty.
#[derive(Debug)]
pub struct AppLock {
    file: Option<File>,
    path: PathBuf,
    base: PathBuf,
}

impl AppLock {
    /// The folder holding the lock file (and the journal while a commit runs).
    pub fn base(&self) -> &Path {
        &self.base
    }
}

impl Drop for AppLock {
    fn drop(&mut self) {
        // Remove the file while holding the lock: a process that opened it before sees, once
        // it gets the lock, that the path no longer names its file, and starts again.
        let _ = fs::remove_file(&self.path);
        drop(self.file.take());
        // Best effort: fails while a journal or another process's lock file is inside.
        if fs::remove_dir(&self.base).is_ok()
            && let Some(parent) = self.base.parent()
            && parent.file_name().is_some_and(|n| n == "wixsync")
        {
            let _ = fs::remove_dir(parent);
        }
    }
}

/// A shared lock held by a reader while it reads the app, released when dropped. The last
/// reader out removes the lock file and its folder, as a writer does.
#[derive(Debug)]
pub struct ReadLock {
    file: Option<File>,
    path: PathBuf,
    base: PathBuf,
}

impl Drop for ReadLock {
    fn drop(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        // Turning the shared lock exclusive succeeds only when no one else holds it: then no
        // one needs the file, and it goes, as a writer's does.
        if file.try_lock().is_ok() && still_at(&file, &self.path).unwrap_or(false) {
            drop(AppLock {
                file: Some(file),
                path: std::mem::take(&mut self.path),
                base: std::mem::take(&mut self.base),
            });
        }
    }
}

/// Whether `file` is still the file at `path` (it was not removed and replaced meanwhile).
fn still_at(file: &File, path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let held = file.metadata()?;
        match fs::metadata(path) {
            Ok(now) => Ok(now.dev() == held.dev() && now.ino() == held.ino()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(path.exists())
    }
}

/// Takes the exclusive lock in `base` (creating the folder), waiting at most `wait`;
/// `on_wait` is called once, when the lock is found taken.
///
/// # Errors
///
/// [`LockError::Busy`] after `wait`; [`LockError::Io`] when the file cannot be created or
/// locked.
pub fn lock(base: &Path, wait: Duration, on_wait: &mut dyn FnMut()) -> Result<AppLock, LockError> {
    let (file, path) = acquire(base, Mode::Exclusive, wait, on_wait)?
        .expect("an exclusive lock is taken or fails, never skipped");
    Ok(AppLock {
        file: Some(file),
        path,
        base: base.to_owned(),
    })
}

/// How long a reader waits for a writer before it reports an apply in progress: long enough
/// for a killed writer's last child process (a `git` between `fork` and `exec`, which holds
/// the lock for an instant) to go, too short to notice.
pub const READ_GRACE: Duration = Duration::from_secs(1);

/// Takes the lock in `base` shared, waiting at most `grace`. The lock file is created when it can be;
/// `Ok(None)` when it cannot (a read-only app, a read-only git directory): the reader then
/// goes ahead unguarded, which is all a read-only app allows.
///
/// # Errors
///
/// [`LockError::Busy`] when a writer holds it all along; [`LockError::Io`] when the
/// file exists but cannot be locked.
pub fn lock_shared(base: &Path, grace: Duration) -> Result<Option<ReadLock>, LockError> {
    let taken = acquire(base, Mode::Shared, grace, &mut || {})?;
    Ok(taken.map(|(file, path)| ReadLock {
        file: Some(file),
        path,
        base: base.to_owned(),
    }))
}

/// Which lock [`acquire`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A writer's: the folder and file must be created, and every failure is an error.
    Exclusive,
    /// A reader's: where the file cannot be created or opened, it goes ahead unlocked.
    Shared,
}

/// The one wait loop behind [`lock`] and [`lock_shared`]: opens (creating) `<base>/lock`, locks
/// it in `mode` without blocking, and polls until `wait` has passed; a file that was removed
/// and replaced while we waited is opened again. `Ok(None)` only for [`Mode::Shared`], when
/// the folder or file cannot be made or opened.
fn acquire(
    base: &Path,
    mode: Mode,
    wait: Duration,
    on_wait: &mut dyn FnMut(),
) -> Result<Option<(File, PathBuf)>, LockError> {
    let path = base.join("lock");
    let io_error = |path: &Path, source| LockError::Io {
        path: path.to_owned(),
        source,
    };
    let poll = match mode {
        Mode::Exclusive => Duration::from_millis(50),
        Mode::Shared => Duration::from_millis(20),
    };
    let start = Instant::now();
    let mut told = false;
    loop {
        if let Err(e) = fs::create_dir_all(base) {
            return match mode {
                Mode::Exclusive => Err(io_error(base, e)),
                Mode::Shared => Ok(None),
            };
        }
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        let file = match (opened, mode) {
            (Ok(file), _) => file,
            // The holder removed the folder between our two calls: start again.
            (Err(e), _) if e.kind() == io::ErrorKind::NotFound => continue,
            (Err(e), Mode::Exclusive) => return Err(io_error(&path, e)),
            // A read-only folder: a reader may still lock a file that exists.
            (Err(_), Mode::Shared) => match File::open(&path) {
                Ok(file) => file,
                Err(_) => return Ok(None),
            },
        };
        let tried = match mode {
            Mode::Exclusive => file.try_lock(),
            Mode::Shared => file.try_lock_shared(),
        };
        match tried {
            Ok(()) => {
                if still_at(&file, &path).map_err(|e| io_error(&path, e))? {
                    return Ok(Some((file, path)));
                }
            }
            Err(TryLockError::WouldBlock) => {
                if !told {
                    told = true;
                    on_wait();
                }
                let waited = start.elapsed();
                if waited >= wait {
                    return Err(LockError::Busy { path, waited });
                }
                std::thread::sleep(poll.min(wait - waited));
            }
            Err(TryLockError::Error(e)) => return Err(io_error(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_gets_busy() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join(".wixsync");
        let held = lock(&base, Duration::ZERO, &mut || {}).unwrap();
        let mut waited = 0;
        let second = lock(&base, Duration::from_millis(120), &mut || waited += 1);
        assert!(matches!(second, Err(LockError::Busy { .. })));
        assert_eq!(waited, 1);
        assert!(matches!(
            lock_shared(&base, Duration::ZERO),
            Err(LockError::Busy { .. })
        ));
        drop(held);
        // The holder cleaned up after itself: no lock file, no folder.
        assert!(!base.exists());
        let again = lock(&base, Duration::ZERO, &mut || {}).unwrap();
        drop(again);
        assert!(!base.exists());
    }

    #[test]
    fn readers_share() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join(".wixsync");
        let a = lock_shared(&base, Duration::ZERO).unwrap();
        let b = lock_shared(&base, Duration::ZERO).unwrap();
        assert!(a.is_some() && b.is_some());
        assert!(matches!(
            lock(&base, Duration::ZERO, &mut || {}),
            Err(LockError::Busy { .. })
        ));
        drop(a);
        assert!(base.join("lock").exists(), "b still reads");
        drop(b);
        assert!(!base.exists(), "the last reader cleans up");
    }
}
