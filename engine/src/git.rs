//! What git can restore, read with the `git` command line.
//!
//! wixsync deletes a file only when its content can be recovered; one way is git: the file is
//! committed in `HEAD` and its bytes are what `HEAD` holds. That is decided by git's own hash of
//! the content (`git hash-object`, which applies the same filters a commit would, such as
//! `core.autocrlf`) against the blob in `HEAD` (`git ls-tree`), not by git's view of what
//! changed: a file marked `--assume-unchanged` or `--skip-worktree` may hide edits from
//! `git diff`, never from its hash. The `git` binary is used rather than a library: it adds
//! nothing to the build, every machine with a repository has it, and three calls take a few
//! milliseconds.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::tree::EVENTS_DIR;

/// What git says about the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitState {
    /// The app is in a git work tree; these files (paths relative to the app root) are
    /// committed in `HEAD` with the content they have now.
    Repository {
        /// The files git can restore.
        clean: BTreeSet<String>,
    },
    /// The app is not inside a git work tree.
    NoRepository,
    /// git could not be asked: not installed, "dubious ownership", a broken repository. The
    /// reason, as git (or the system) gave it.
    Failed(String),
}

impl GitState {
    /// Whether git can restore `path` (relative to the app root) as it is now.
    pub fn can_restore(&self, path: &str) -> bool {
        matches!(self, GitState::Repository { clean } if clean.contains(path))
    }
}

/// The outcome of one git call: its stdout, or why it failed.
fn git(root: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input)
            .map_err(|e| format!("cannot talk to git: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        Err(format!("`git {}` failed: {}", args.join(" "), first.trim()))
    }
}

/// What git can restore of `files` (paths relative to `root`, the app root, all under the
/// events folder).
pub fn git_state(root: &Path, files: &[&str]) -> GitState {
    match git(root, &["rev-parse", "--is-inside-work-tree"], None) {
        Ok(out) if out.trim_ascii() == b"true" => {}
        Ok(_) => return GitState::NoRepository,
        // "not a git repository (or any of the parent directories)"; a `.git` that points
        // nowhere says "not a git repository: <path>", which is a broken repository.
        Err(reason) if reason.contains("(or any of the parent directories)") => {
            return GitState::NoRepository;
        }
        Err(reason) => return GitState::Failed(reason),
    }
    // `HEAD`'s blobs under the events folder; a repository without a commit restores nothing.
    let listing = match git(
        root,
        &["ls-tree", "-r", "-z", "HEAD", "--", EVENTS_DIR],
        None,
    ) {
        Ok(listing) => listing,
        Err(_) if git(root, &["rev-parse", "--verify", "-q", "HEAD"], None).is_err() => {
            return GitState::Repository {
                clean: BTreeSet::new(),
            };
        }
        Err(reason) => return GitState::Failed(reason),
    };
    // `<mode> blob <hash>\t<path>`
    let committed: BTreeMap<String, String> = listing
        .split(|b| *b == 0)
        .filter_map(|record| {
            let record = std::str::from_utf8(record).ok()?;
            let (meta, path) = record.split_once('\t')?;
            let mut meta = meta.split(' ');
            let (_mode, kind, hash) = (meta.next()?, meta.next()?, meta.next()?);
            (kind == "blob").then(|| (path.to_owned(), hash.to_owned()))
        })
        .collect();
    let candidates: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| committed.contains_key(*f) && !f.contains('\n'))
        .collect();
    if candidates.is_empty() {
        return GitState::Repository {
            clean: BTreeSet::new(),
        };
    }
    // `--stdin-paths` reads paths relative to the repository's top, not to `-C`: give them
    // whole, so that an app in a subfolder of its repository works.
    let Ok(base) = root.canonicalize() else {
        return GitState::Failed(format!("cannot resolve {}", root.display()));
    };
    let input: String = candidates
        .iter()
        .map(|f| format!("{}\n", base.join(f).display()))
        .collect();
    let hashes = match git(
        root,
        &["hash-object", "--stdin-paths"],
        Some(input.as_bytes()),
    ) {
        Ok(hashes) => hashes,
        Err(reason) => return GitState::Failed(reason),
    };
    let hashes = String::from_utf8_lossy(&hashes);
    let clean = candidates
        .iter()
        .zip(hashes.lines())
        .filter(|(path, hash)| committed.get(**path).map(String::as_str) == Some(*hash))
        .map(|(path, _)| (*path).to_owned())
        .collect();
    GitState::Repository { clean }
}

/// The content of `path` (relative to `root`, the app root) in `HEAD`, if git has it.
pub fn head_file(root: &Path, path: &str) -> Option<String> {
    let bytes = git(root, &["show", &format!("HEAD:./{path}")], None).ok()?;
    String::from_utf8(bytes).ok()
}
