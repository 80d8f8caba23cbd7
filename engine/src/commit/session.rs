//! The guard every app command holds: recovery first, then the lock.
//!
//! `apply` takes the app's lock exclusively for its whole read-plan-commit cycle, waiting a
//! bounded time for another run, then finishes any interrupted commit. `plan` and
//! `apply --check` wait a second at most and never write the app: they finish an interrupted commit when
//! no one else holds the lock, report an apply in progress when someone does, and otherwise
//! hold the lock shared while they read, so no commit runs under them. Messages go to the
//! given stream; failures come back as diagnostics for the command line to render.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use wixsync_schema::Diagnostic;

use super::lock::{self, AppLock, LockError, ReadLock};
use super::place::{Place, place};
use super::recover::recover;

/// What a command does with the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `plan`, `apply --check`: read only.
    Read,
    /// `apply`: read, plan and commit.
    Write,
}

/// Held for the whole command; releases the lock when dropped.
#[derive(Debug, Default)]
pub struct Session {
    _write: Option<AppLock>,
    _read: Option<ReadLock>,
}

fn name(root: &Path) -> String {
    let text = root.display().to_string();
    if text == "." {
        "the app in .".to_owned()
    } else {
        text
    }
}

fn busy(root: &Path, path: &Path, waited: Option<Duration>) -> Diagnostic {
    let app = name(root);
    let Some(waited) = waited else {
        return Diagnostic::error(
            "apply::in-progress",
            format!("a wixsync apply is in progress on {app}: the app may be half-written"),
        )
        .help(format!(
            "run this again when it has finished (it holds the lock {})",
            path.display()
        ));
    };
    Diagnostic::error(
        "apply::locked",
        format!(
            "another wixsync is still running on {app} after {:.0} s of waiting",
            waited.as_secs_f64()
        ),
    )
    .help(format!(
        "wait for it to finish and run `wixsync apply` again, or wait longer with \
             WIXSYNC_LOCK_TIMEOUT=<seconds>. The lock {} is the kernel's and goes when that \
             process exits (a killed run leaves none): a lock that stays means a wixsync \
             process is still running",
        path.display()
    ))
}

fn lock_io(path: &Path, source: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "apply::lock",
        format!("cannot take the lock {}: {source}", path.display()),
    )
    .help("wixsync keeps its lock and journal there while it writes: make the folder writable")
}

fn finish(place: &Place, root: &Path, stderr: &mut dyn Write) -> Result<(), Diagnostic> {
    let recoveries = recover(place).map_err(|e| {
        Diagnostic::error(
            "apply::recover",
            format!(
                "an interrupted apply of {} can be neither finished nor undone: {}: {}",
                name(root),
                e.path.display(),
                e.source
            ),
        )
        .help(
            "fix what the message names (a permission, a full disk), then run wixsync again: \
             it finishes the interrupted apply before anything else",
        )
    })?;
    for recovery in recoveries {
        let _ = writeln!(stderr, "{}", recovery.message(&name(root)));
    }
    Ok(())
}

/// Opens a session on the app at `root`. Does nothing (and succeeds) when `root` is not a
/// folder, so that reading it reports that.
///
/// # Errors
///
/// The lock is held by another run (after the bounded wait, for [`Access::Write`]), cannot be
/// taken, or an interrupted commit can be neither finished nor undone.
pub fn open(root: &Path, access: Access, stderr: &mut dyn Write) -> Result<Session, Diagnostic> {
    if !root.is_dir() {
        return Ok(Session::default());
    }
    let Ok(place) = place(root) else {
        return Ok(Session::default());
    };
    match access {
        Access::Write => {
            let wait = lock::wait_limit();
            let lock = lock::lock(&place.base, wait, &mut || {
                let _ = writeln!(
                    stderr,
                    "wixsync: waiting for another wixsync apply on this app ({}) to finish, up \
                     to {:.0} s...",
                    name(root),
                    wait.as_secs_f64()
                );
            })
            .map_err(|e| match e {
                LockError::Busy { path, waited } => busy(root, &path, Some(waited.max(wait))),
                LockError::Io { path, source } => lock_io(&path, &source),
            })?;
            finish(&place, root, stderr)?;
            Ok(Session {
                _write: Some(lock),
                _read: None,
            })
        }
        Access::Read => {
            let interrupted = place
                .candidates
                .iter()
                .any(|base| Place::journal_dir(base).exists());
            if interrupted {
                match lock::lock(&place.base, lock::READ_GRACE, &mut || {}) {
                    Ok(lock) => {
                        finish(&place, root, stderr)?;
                        drop(lock);
                    }
                    Err(LockError::Busy { path, .. }) => {
                        return Err(busy(root, &path, None));
                    }
                    Err(LockError::Io { path, source }) => return Err(lock_io(&path, &source)),
                }
            }
            let read = lock::lock_shared(&place.base, lock::READ_GRACE).map_err(|e| match e {
                LockError::Busy { path, .. } => busy(root, &path, None),
                LockError::Io { path, source } => lock_io(&path, &source),
            })?;
            Ok(Session {
                _write: None,
                _read: read,
            })
        }
    }
}

/// Refuses to read an app while a journal is present: a commit is running or was
/// interrupted, and the files may be half-written. The command line has already finished an
/// interrupted one ([`open`]), so this guards library callers and races.
///
/// # Errors
///
/// A diagnostic naming the journal, saying what to do.
pub fn refuse_half_written(root: &Path) -> Result<(), Diagnostic> {
    let Ok(place) = place(root) else {
        return Ok(());
    };
    for base in &place.candidates {
        let dir = Place::journal_dir(base);
        if dir.exists() {
            return Err(Diagnostic::error(
                "apply::in-progress",
                format!(
                    "a wixsync apply is in progress on {}, or was interrupted: its journal is at {}",
                    name(root),
                    dir.display()
                ),
            )
            .help(
                "wait for it to finish; if no wixsync is running, run `wixsync plan` or \
                 `wixsync apply`, which finish the interrupted apply first",
            ));
        }
    }
    Ok(())
}
