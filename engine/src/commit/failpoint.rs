//! Failpoints: named places in the commit and its recovery where a test can make wixsync stop
//! dead (as `kill -9` would) or fail with an I/O error.
//!
//! Driven by the environment variable `WIXSYNC_FAILPOINT=<name>[@<n>][:error]` (several,
//! comma-separated): the `n`-th time (default the first) the named point is reached, the
//! process aborts (no destructor runs, no buffer is flushed, the kernel releases the lock), or
//! with `:error` the step fails with an I/O error, which exercises the roll-back path; so
//! `rename@3:error,rollback@1` fails the third rename and dies in the roll-back. Without the
//! variable every point is inert.
//!
//! They are compiled into every build, not behind a cargo feature: the crash tests drive the
//! very binary users run, `cargo test` needs no extra flags, and the cost is one environment
//! lookup per process plus a string comparison per step of a commit (a few dozen per apply),
//! which is nothing next to the file system calls around them. The variable is for tests only.

use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Every failpoint, in the order a commit reaches them. The ones marked "each" are reached once
/// per file or folder, so `@n` picks one.
pub const FAILPOINTS: &[&str] = &[
    // before anything is written
    "commit-start",
    // each: before a new content is staged in the journal folder
    "stage",
    // the journal is written, not yet durable
    "journal-written",
    // the first barrier is done: the journal and every staged file are durable
    "journal-durable",
    // each: before a folder is created in the app
    "mkdir",
    // each: before a staged file is renamed into the app
    "rename",
    // each: before a file leaves the app (moved into the journal folder)
    "remove",
    // each: before an emptied folder is removed
    "prune",
    // the second barrier is done: the app is durable, the journal still there
    "app-durable",
    // the journal is gone, the lock still held
    "journal-removed",
    // each: a step of a roll-back
    "rollback",
];

/// What the variable asks for, one per comma-separated item.
struct Spec {
    name: String,
    nth: u32,
    error: bool,
    hits: AtomicU32,
}

fn specs() -> &'static [Spec] {
    static SPECS: OnceLock<Vec<Spec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        let Ok(text) = std::env::var("WIXSYNC_FAILPOINT") else {
            return Vec::new();
        };
        text.split(',')
            .filter_map(|item| {
                let item = item.trim();
                let (item, error) = match item.strip_suffix(":error") {
                    Some(rest) => (rest, true),
                    None => (item, false),
                };
                let (name, nth) = match item.split_once('@') {
                    Some((name, n)) => (name, n.parse().ok()?),
                    None => (item, 1),
                };
                Some(Spec {
                    name: name.to_owned(),
                    nth,
                    error,
                    hits: AtomicU32::new(0),
                })
            })
            .collect()
    })
}

/// Reaches the failpoint `name`: aborts the process or returns an error when the environment
/// asks for it here, else does nothing.
///
/// # Errors
///
/// An [`io::Error`] of kind `Other` when `WIXSYNC_FAILPOINT` has `<name>[@n]:error`.
pub fn hit(name: &'static str) -> io::Result<()> {
    debug_assert!(FAILPOINTS.contains(&name), "unknown failpoint {name}");
    for spec in specs() {
        if spec.name != name || spec.hits.fetch_add(1, Ordering::SeqCst) + 1 != spec.nth {
            continue;
        }
        if spec.error {
            return Err(io::Error::other(format!(
                "failpoint {name} (WIXSYNC_FAILPOINT is set)"
            )));
        }
        std::process::abort();
    }
    Ok(())
}
