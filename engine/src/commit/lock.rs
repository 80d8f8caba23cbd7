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
    let path = base.join("lock");
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| LockError::Io { path, source }
    };
    let start = Instant::now();
    let mut told = false;
    loop {
        fs::create_dir_all(base).map_err(io_error(base))?;
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
        {
            Ok(file) => file,
            // The holder removed the folder between our two calls: start again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&path)(e)),
        };
        match file.try_lock() {
            Ok(()) => {
                if still_at(&file, &path).map_err(io_error(&path))? {
                    return Ok(AppLock {
                        file: Some(file),
                        path,
                        base: base.to_owned(),
                    });
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
                std::thread::sleep(Duration::from_millis(50).min(wait - waited));
            }
            Err(TryLockError::Error(e)) => return Err(io_error(&path)(e)),
        }
    }
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
    let path = base.join("lock");
    let start = Instant::now();
    loop {
        if fs::create_dir_all(base).is_err() {
            return Ok(None);
        }
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(_) => match File::open(&path) {
                Ok(file) => file,
                Err(_) => return Ok(None),
            },
        };
        match file.try_lock_shared() {
            Ok(()) => match still_at(&file, &path) {
                Ok(true) => {
                    return Ok(Some(ReadLock {
                        file: Some(file),
                        path,
                        base: base.to_owned(),
                    }));
                }
                Ok(false) => continue,
                Err(e) => return Err(LockError::Io { path, source: e }),
            },
            Err(TryLockError::WouldBlock) => {
                let waited = start.elapsed();
                if waited >= grace {
                    return Err(LockError::Busy { path, waited });
                }
                std::thread::sleep(Duration::from_millis(20).min(grace - waited));
            }
            Err(TryLockError::Error(e)) => return Err(LockError::Io { path, source: e }),
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
