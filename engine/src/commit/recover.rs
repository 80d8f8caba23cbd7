//! Recovery: finishing a commit that a crash (`kill -9`, a power loss) interrupted.
//!
//! Every command that starts on an app runs this first, holding the app's lock. A journal
//! whose commit had not reached its first barrier is discarded (the app was not touched yet);
//! otherwise the commit is rolled forward, and rolled back only where going forward is
//! impossible (a folder made read-only since, a file in the way) or a roll-back had already
//! begun. Every step is idempotent, so a crash during recovery is recovered the same way.
//! This module does not read the app beyond the files the journal names.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::journal::{self, StepError};
use super::place::Place;

/// What recovery did with one journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The commit was finished.
    Finished {
        /// Files it still had to write.
        written: usize,
        /// Files it still had to remove.
        removed: usize,
        /// Files the commit had written that were changed since, left as they are.
        changed_since: Vec<String>,
    },
    /// The commit had not touched the app yet: its journal was removed, nothing changed.
    Discarded,
    /// The commit was undone: the files put back, sorted.
    RolledBack {
        /// Paths relative to the app root.
        paths: Vec<String>,
    },
}

/// One journal found and dealt with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The journal folder.
    pub journal: PathBuf,
    /// What was done.
    pub outcome: Recovered,
}

impl Recovery {
    /// One line for people: what happened to the interrupted apply.
    pub fn message(&self, app: &str) -> String {
        match &self.outcome {
            Recovered::Finished {
                written,
                removed,
                changed_since,
            } => {
                // Killed after its last write, only the journal was left to remove.
                let mut line = if *written == 0 && *removed == 0 {
                    format!(
                        "wixsync: finished an interrupted apply of {app} (every file was written; \
                         only its journal was left)"
                    )
                } else {
                    format!(
                        "wixsync: finished an interrupted apply of {app} ({written} file(s) still \
                         to write, {removed} to remove)"
                    )
                };
                if !changed_since.is_empty() {
                    line.push_str(&format!(
                        "; left as they are, changed since: {}",
                        changed_since.join(", ")
                    ));
                }
                line.push('.');
                line
            }
            Recovered::Discarded => format!(
                "wixsync: an interrupted apply of {app} had not changed any file yet; its \
                 journal was removed."
            ),
            Recovered::RolledBack { paths } => format!(
                "wixsync: rolled back an interrupted apply of {app} that could not be finished; \
                 {} file(s) put back as they were.",
                paths.len()
            ),
        }
    }
}

/// Finishes (or undoes) every journal left at the app's place. The caller holds the app's
/// lock. `Ok(empty)`: there was none.
///
/// # Errors
///
/// A journal could be neither finished nor undone; it stays, with the error's path.
pub fn recover(place: &Place) -> Result<Vec<Recovery>, StepError> {
    let mut out = Vec::new();
    for base in &place.candidates {
        let dir = Place::journal_dir(base);
        if !journal::exists(&dir) {
            continue;
        }
        let outcome = recover_one(&place.root, &dir)?;
        out.push(Recovery {
            journal: dir,
            outcome,
        });
    }
    Ok(out)
}

fn recover_one(root: &Path, dir: &Path) -> Result<Recovered, StepError> {
    let Some(journal) = journal::read(dir)? else {
        // Killed before the journal was complete: nothing in the app was touched.
        journal::remove(dir)?;
        return Ok(Recovered::Discarded);
    };
    if journal::exists(&dir.join("rollback")) {
        let paths = journal::roll_back(root, dir, &journal)?;
        journal::remove(dir)?;
        return Ok(Recovered::RolledBack { paths });
    }
    let mut started = journal
        .removes
        .iter()
        .any(|r| journal::exists(&dir.join(&r.backup)));
    let mut unknown = BTreeSet::new();
    for (i, write) in journal.writes.iter().enumerate() {
        let staged = dir.join(&write.staged);
        if journal::holds(&staged, write.len, write.crc32) {
            continue; // pending
        }
        if !journal::exists(&staged)
            && journal::holds(&root.join(&write.path), write.len, write.crc32)
        {
            started = true; // done
            continue;
        }
        unknown.insert(i);
    }
    if !unknown.is_empty() && !started {
        // A staged file is missing or incomplete and nothing was renamed: the first barrier
        // never finished (a power loss), so the app was never touched.
        journal::remove(dir)?;
        return Ok(Recovered::Discarded);
    }
    let done = match journal::roll_forward(root, dir, &journal, &unknown) {
        Ok(done) => done,
        Err(_) => {
            // Forward is impossible: undo instead.
            let paths = journal::roll_back(root, dir, &journal)?;
            journal::remove(dir)?;
            return Ok(Recovered::RolledBack { paths });
        }
    };
    let mut dirs = journal::touched_dirs(root, &journal);
    dirs.push(dir.join("backup"));
    dirs.retain(|d| d.is_dir());
    journal::barrier(&dirs)?;
    journal::remove(dir)?;
    Ok(Recovered::Finished {
        written: done.written,
        removed: done.removed,
        changed_since: unknown
            .into_iter()
            .map(|i| journal.writes[i].path.clone())
            .collect(),
    })
}
