//! What git can restore, read with the `git` command line.
//!
//! wixsync deletes a file only when its content can be recovered; one way is git: the file is
//! committed in `HEAD` and unchanged in the index and the work tree. The `git` binary is
//! used rather than a library: it adds nothing to the build, every machine with a repository
//! has it, and two calls take a few milliseconds.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::tree::EVENTS_DIR;

/// What git can restore: the files committed in `HEAD` and unmodified in the index and the
/// work tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitState {
    /// Paths relative to the app root.
    pub clean: BTreeSet<String>,
}

/// The clean files under the events folder of the app at `root`, or `None` when `root` is not
/// inside a git work tree (or git is not installed, or the repository has no commit yet, in
/// which case nothing is restorable either).
pub fn git_state(root: &Path) -> Option<GitState> {
    let run = |args: &[&str]| -> Option<Vec<u8>> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()?;
        output.status.success().then_some(output.stdout)
    };
    let inside = run(&["rev-parse", "--is-inside-work-tree"])?;
    if inside.trim_ascii() != b"true" {
        return None;
    }
    // Paths are relative to `root` in both listings.
    let committed = run(&[
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "HEAD",
        "--",
        EVENTS_DIR,
    ])
    .unwrap_or_default();
    let changed = run(&[
        "diff",
        "--name-only",
        "-z",
        "--relative",
        "HEAD",
        "--",
        EVENTS_DIR,
    ])
    .unwrap_or_default();
    let split = |bytes: &[u8]| -> BTreeSet<String> {
        bytes
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect()
    };
    let changed = split(&changed);
    Some(GitState {
        clean: split(&committed).difference(&changed).cloned().collect(),
    })
}
