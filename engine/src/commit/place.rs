//! Where wixsync keeps its lock and its journal for one app.
//!
//! In the app's git directory when there is one (`.git/wixsync/<key>/`, where `<key>` names the
//! app's folder inside the work tree, so that every app of a monorepo has its own), else in
//! `.wixsync/` at the app root, which wixsync creates and removes. Journal files must be
//! renamed into the app, so a git directory on another file system than the app is not used.
//! This module only computes paths: it creates nothing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The folder at the app root used when the app has no usable git directory.
pub const FALLBACK_DIR: &str = ".wixsync";

/// The folders where one app's lock and journal may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The app root, canonical.
    pub root: PathBuf,
    /// The folder wixsync uses now: `.git/wixsync/<key>` or `<root>/.wixsync`.
    pub base: PathBuf,
    /// Every folder a journal may have been left in by an earlier run (the current one first):
    /// both candidates, so that a `git init` between an interrupted run and the next does not
    /// hide a journal.
    pub candidates: Vec<PathBuf>,
}

impl Place {
    /// The journal folder inside `base`.
    pub fn journal_dir(base: &Path) -> PathBuf {
        base.join("journal")
    }

    /// The lock file inside `base`.
    pub fn lock_file(base: &Path) -> PathBuf {
        base.join("lock")
    }
}

/// Finds the place of the app at `root` (which must exist).
///
/// # Errors
///
/// `root` cannot be made canonical (it does not exist, or a parent is unreadable).
pub fn place(root: &Path) -> io::Result<Place> {
    let root = fs::canonicalize(root)?;
    let fallback = root.join(FALLBACK_DIR);
    let Some((git_dir, top)) = find_git_dir(&root) else {
        return Ok(Place {
            root,
            base: fallback.clone(),
            candidates: vec![fallback],
        });
    };
    let rel = root.strip_prefix(&top).unwrap_or(Path::new(""));
    let in_git = git_dir.join("wixsync").join(key(rel));
    let usable = git_dir.is_dir() && same_device(&git_dir, &root);
    let (base, other) = if usable {
        (in_git, fallback)
    } else {
        (fallback, in_git)
    };
    Ok(Place {
        root,
        candidates: vec![base.clone(), other],
        base,
    })
}

/// The git directory of the work tree holding `root`, and that work tree's top folder: the
/// nearest `.git` folder, or the folder a `.git` file (`gitdir: <path>`, as worktrees and
/// submodules have) points to.
fn find_git_dir(root: &Path) -> Option<(PathBuf, PathBuf)> {
    for dir in root.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(meta) = fs::metadata(&dot_git) else {
            continue;
        };
        if meta.is_dir() {
            return Some((dot_git, dir.to_owned()));
        }
        let text = fs::read_to_string(&dot_git).ok()?;
        let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
        return Some((dir.join(target), dir.to_owned()));
    }
    None
}

/// A file name for the app's folder relative to the work tree's top: `/` + the path with every
/// byte but ASCII letters, digits, `-` and `.` written as `%XX` (so `apps/shop` is
/// `%2Fapps%2Fshop` and the top itself `%2F`). Distinct folders get distinct keys.
fn key(rel: &Path) -> String {
    let text = format!(
        "/{}",
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    );
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(unix)]
fn same_device(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_device(_: &Path, _: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_folder() {
        assert_eq!(key(Path::new("")), "%2F");
        assert_eq!(key(Path::new("apps/shop")), "%2Fapps%2Fshop");
        assert_eq!(key(Path::new("a_b c")), "%2Fa%5Fb%20c");
    }

    #[test]
    fn an_app_without_git_uses_its_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let place = place(dir.path()).unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        assert_eq!(place.base, root.join(".wixsync"));
    }

    #[test]
    fn an_app_in_a_repository_uses_the_git_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::create_dir_all(root.join("apps/shop")).unwrap();
        let place = place(&root.join("apps/shop")).unwrap();
        assert_eq!(place.base, root.join(".git/wixsync/%2Fapps%2Fshop"));
        assert_eq!(place.candidates[1], root.join("apps/shop/.wixsync"));
    }

    #[test]
    fn a_worktree_follows_its_git_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join("main/.git/worktrees/wt")).unwrap();
        fs::create_dir_all(root.join("wt")).unwrap();
        fs::write(root.join("wt/.git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        let place = place(&root.join("wt")).unwrap();
        assert_eq!(
            place.base,
            root.join("wt/../main/.git/worktrees/wt/wixsync/%2F")
        );
    }
}
