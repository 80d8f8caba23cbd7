//! Helpers shared by the integration tests: the workspace's paths, fixed UUIDs, copying and
//! snapshotting app folders, a case's `case.toml`, insta snapshots, and the one way tests run
//! git.
//!
//! Nothing here calls wixsync but [`in_process`]: the other helpers only prepare and observe
//! apps.

#![allow(dead_code)]

pub mod in_process;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde::Deserialize;
use uuid::Uuid;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Fixed UUIDs, valid v4, so snapshots never flicker.
pub fn fixed_ids(n: usize) -> Vec<Uuid> {
    (0..n as u32)
        .map(|i| {
            let mut bytes = [0u8; 16];
            for (j, b) in bytes.iter_mut().enumerate() {
                *b = (i.wrapping_mul(37) as u8).wrapping_add(j as u8 * 11 + 1);
            }
            // Distinct for every i: the index itself in the last four bytes.
            bytes[12..].copy_from_slice(&i.to_be_bytes());
            uuid::Builder::from_random_bytes(bytes).into_uuid()
        })
        .collect()
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` (but `.git`) with its bytes and modification time, sorted by path.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>, SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                let modified = entry.metadata().unwrap().modified().unwrap();
                out.push((rel, fs::read(entry.path()).unwrap(), modified));
            }
        }
    }
    out.sort();
    out
}

/// Writes `files` (path, content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// Asserts `doc` against the snapshot `name` in the workspace's `snapshots/` folder.
pub fn snapshot(name: &str, doc: &str) {
    insta::with_settings!({
        snapshot_path => workspace().join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, doc);
    });
}

/// The settings of a case folder, read from its optional `case.toml`:
///
/// ```toml
/// args = ["--force"]       # flags for `wixsync plan` and `wixsync apply`
/// semicolon-moves = true   # the chain's `;` may move between its last line and new links
/// compat-skip = "why"      # the compatibility test leaves the case out, for this reason
/// ```
///
/// All default to off. Unknown keys are an error, so a misspelt setting cannot pass unseen.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct CaseConfig {
    /// Flags passed to both commands, before the app folder.
    pub args: Vec<String>,
    /// Whether the `;` ending a multi-line `export default app()` chain may move to the line
    /// of a link appended after it (or back, when the last links are removed). Without it,
    /// every line of `src/extensions.ts` that names no event extension must survive as it was.
    pub semicolon_moves: bool,
    /// Why the compatibility test (`engine/tests/compat.rs`) leaves this case out: an app that
    /// cannot type-check by design, such as one holding a file that does not parse.
    pub compat_skip: Option<String>,
}

impl CaseConfig {
    /// The file name, at the case folder's root; it is not copied into the app.
    pub const FILE: &'static str = "case.toml";

    /// Reads `case/case.toml`, or the defaults when the case has none.
    ///
    /// # Panics
    ///
    /// The file exists but cannot be read or is not valid (the message names the case).
    pub fn load(case: &Path) -> CaseConfig {
        let path = case.join(Self::FILE);
        match fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => CaseConfig::default(),
            Err(error) => panic!("{}: {error}", path.display()),
        }
    }

    /// Whether `--force` is among the flags.
    pub fn force(&self) -> bool {
        self.args.iter().any(|arg| arg == "--force")
    }
}

/// Copies the case folder `case` to `app`, without its `case.toml`, and returns the case's
/// settings.
pub fn copy_case(case: &Path, app: &Path) -> CaseConfig {
    copy_dir(case, app);
    let config = CaseConfig::load(case);
    let copied = app.join(CaseConfig::FILE);
    if copied.exists() {
        fs::remove_file(copied).unwrap();
    }
    config
}

/// Environment variables that keep git from reading anything but the repository's own
/// config: no `~/.gitconfig` (`core.autocrlf`, `core.excludesFile` and hooks would change
/// what counts as modified or untracked), no system config, a fixed author and committer,
/// and none of the `GIT_DIR`-style variables a git hook running `cargo test` would inherit.
pub const GIT_ENV: &[(&str, &str)] = &[
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_AUTHOR_NAME", "wixsync tests"),
    ("GIT_AUTHOR_EMAIL", "tests@wixsync.invalid"),
    ("GIT_COMMITTER_NAME", "wixsync tests"),
    ("GIT_COMMITTER_EMAIL", "tests@wixsync.invalid"),
];

/// Variables a git hook sets that would point git at another repository.
const GIT_REPO_ENV: &[&str] = &["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"];

/// Gives `command` (git itself, or the wixsync binary, which runs git) the environment of
/// [`GIT_ENV`].
pub fn isolate_git(command: &mut Command) -> &mut Command {
    for name in GIT_REPO_ENV {
        command.env_remove(name);
    }
    command.envs(GIT_ENV.iter().copied())
}

/// Sets [`GIT_ENV`] in this process's environment, for tests that run wixsync in process
/// (its `git` calls inherit the environment).
///
/// # Safety
///
/// Call it first thing in `main` of a `harness = false` test, before any thread starts:
/// setting the environment is sound only while no other thread reads it.
pub unsafe fn isolate_git_in_process() {
    for name in GIT_REPO_ENV {
        // SAFETY: the caller guarantees that no other thread runs yet.
        unsafe { std::env::remove_var(name) };
    }
    for (name, value) in GIT_ENV {
        // SAFETY: as above.
        unsafe { std::env::set_var(name, value) };
    }
}

/// Runs `git -C dir args` with the environment of [`GIT_ENV`] and returns its stdout.
///
/// # Panics
///
/// git is not installed or the command fails (the message has git's stderr).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = isolate_git(Command::new("git").arg("-C").arg(dir))
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        output.status.success(),
        "git {args:?} in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `git add -A` and a commit (allowed to be empty) with `message`.
pub fn git_commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}
