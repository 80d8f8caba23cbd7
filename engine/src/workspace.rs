//! `--workspace`: the apps of a monorepo, found the way npm, pnpm, turborepo and Nx find their
//! packages, split into CI shards, and worked on in parallel.
//!
//! Discovery ([`discover`]) reads, at the workspace root DIR:
//!
//! 1. `pnpm-workspace.yaml`'s `packages` globs, when that file exists (pnpm's own rule: it wins
//!    over `package.json`);
//! 2. else the root `package.json`'s `workspaces`: an array of globs (npm, yarn, bun) or an
//!    object with a `packages` array (yarn classic);
//! 3. else no globs: every folder below DIR (DIR itself included) that holds a
//!    `wix-events.yaml`.
//!
//! Globs are matched against folder paths relative to DIR with `/` separators, `*` staying
//! within one path segment and `**` crossing any number (globset, as fast-glob matches them for
//! pnpm and npm). A glob starting with `!` excludes the folders it matches. A matched folder is
//! an app when it is a Wix app of the kind [`Members`] asks for; other packages of the monorepo
//! (shared libraries, tooling) are skipped without a word, since workspaces are mostly not Wix
//! apps.
//!
//! The walk uses the `ignore` crate: it never enters `node_modules`, git-ignored paths (every
//! `.gitignore`, `.ignore` and `.git/info/exclude` that applies, inside a repository or not) or
//! hidden folders (`.git`, `.turbo`, `.next`).
//!
//! [`Shard`] picks the apps of shard K of N by a stable hash of their path; [`run`] works on
//! the apps in parallel (rayon) and returns the results in the apps' order, whatever the thread
//! timing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::Deserialize;
use thiserror::Error;
use wixsync_schema::MANIFEST_FILE_NAME;

/// `pnpm-workspace.yaml`, pnpm's list of workspace globs.
pub const PNPM_WORKSPACE: &str = "pnpm-workspace.yaml";

/// Which folders count as apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// Folders holding a `wix-events.yaml`: the apps `plan` and `apply` reconcile.
    Manifests,
    /// Wix apps (docs/contract.md, "Commands and exit codes"): a `wix-events.yaml`, or a
    /// `package.json` or `astro.config.*` using `@wix/astro`. For commands that adopt apps
    /// without a manifest (`import`).
    WixApps,
}

/// Where the workspace globs came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `pnpm-workspace.yaml` `packages`.
    Pnpm,
    /// The root `package.json` `workspaces`.
    PackageJson,
    /// Neither: every `wix-events.yaml` below DIR.
    Walk,
}

/// One app of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct App {
    /// The app root relative to the workspace root, `/`-separated (`apps/shop`; `.` for the
    /// root itself). What [`Shard`] hashes.
    pub rel: String,
    /// The app root as a path to open: DIR joined with [`App::rel`] (relative to the current
    /// directory when DIR is).
    pub path: PathBuf,
}

/// The apps found under a workspace root.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// DIR, as given.
    pub root: PathBuf,
    /// Where the globs came from.
    pub source: Source,
    /// The apps, sorted by [`App::rel`].
    pub apps: Vec<App>,
}

/// Why the apps of a workspace cannot be found. Every variant is an error (exit 1);
/// [`crate::diagnose::workspace_error`] says it in words.
#[derive(Debug, Error)]
pub enum WorkspaceError {
    /// DIR is missing or not a folder.
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    /// `package.json` or `pnpm-workspace.yaml` cannot be read or has the wrong shape.
    #[error("cannot read the workspaces of {file}: {message}")]
    Config {
        /// The file, as a path to open.
        file: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A workspace glob is not a valid glob.
    #[error("bad workspace glob {pattern:?} in {file}: {message}")]
    Glob {
        /// The file, as a path to open.
        file: PathBuf,
        /// The glob as written.
        pattern: String,
        /// What globset says.
        message: String,
    },
    /// The walk failed (an unreadable folder).
    #[error("cannot walk {path}: {message}")]
    Walk {
        /// The folder.
        path: PathBuf,
        /// The walker's message.
        message: String,
    },
}

#[derive(Deserialize)]
struct PnpmWorkspace {
    #[serde(default)]
    packages: Vec<String>,
}

/// The workspace globs: (include, exclude, source, file they came from).
type Globs = (Vec<String>, Vec<String>, Source, Option<PathBuf>);

fn read_globs(root: &Path) -> Result<Globs, WorkspaceError> {
    let pnpm = root.join(PNPM_WORKSPACE);
    let (patterns, source, file) = if pnpm.is_file() {
        let config = |message: String| WorkspaceError::Config {
            file: pnpm.clone(),
            line: None,
            message,
        };
        let text = std::fs::read_to_string(&pnpm).map_err(|e| config(e.to_string()))?;
        let parsed: PnpmWorkspace = serde_saphyr::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| WorkspaceError::Config {
                file: pnpm.clone(),
                line: yaml_line(&e.to_string()),
                message: first_line(&e.to_string()),
            })?;
        (parsed.packages, Source::Pnpm, pnpm)
    } else {
        let file = root.join("package.json");
        let Ok(text) = std::fs::read_to_string(&file) else {
            return Ok((Vec::new(), Vec::new(), Source::Walk, None));
        };
        let json: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| WorkspaceError::Config {
                file: file.clone(),
                line: Some(e.line()),
                message: e.to_string(),
            })?;
        let shape = |message: &str| WorkspaceError::Config {
            file: file.clone(),
            line: None,
            message: message.to_owned(),
        };
        let list = match json.get("workspaces") {
            None => return Ok((Vec::new(), Vec::new(), Source::Walk, None)),
            Some(serde_json::Value::Array(list)) => list,
            Some(serde_json::Value::Object(object)) => match object.get("packages") {
                Some(serde_json::Value::Array(list)) => list,
                _ => {
                    return Err(shape(
                        "`workspaces` is an object without a `packages` array of globs",
                    ));
                }
            },
            Some(_) => {
                return Err(shape(
                    "`workspaces` is neither an array of globs nor an object with `packages`",
                ));
            }
        };
        let patterns = list
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| shape("every entry of `workspaces` must be a string (a glob)"))?;
        (patterns, Source::PackageJson, file)
    };
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for pattern in patterns {
        match pattern.trim().strip_prefix('!') {
            Some(negated) => exclude.push(normalize(negated)),
            None => include.push(normalize(&pattern)),
        }
    }
    Ok((include, exclude, source, Some(file)))
}

/// A glob as matched against `/`-separated relative folder paths: no `./`, no trailing `/`.
fn normalize(pattern: &str) -> String {
    let mut text = pattern.trim();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    let text = text.trim_end_matches('/');
    if text.is_empty() {
        ".".to_owned()
    } else {
        text.to_owned()
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

/// The `line N` a YAML error message names, if it names one.
fn yaml_line(text: &str) -> Option<usize> {
    let at = text.find("line ")?;
    let digits: String = text[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn glob_set(patterns: &[String], file: &Path) -> Result<GlobSet, WorkspaceError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| WorkspaceError::Glob {
                file: file.to_owned(),
                pattern: pattern.clone(),
                message: e.kind().to_string(),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| WorkspaceError::Glob {
        file: file.to_owned(),
        pattern: patterns.join(", "),
        message: e.to_string(),
    })
}

/// How deep the walk must go to see every folder the globs can match: `None` (no limit) when
/// one has `**`.
fn max_depth(patterns: &[String]) -> Option<usize> {
    patterns
        .iter()
        .map(|p| (!p.contains("**")).then(|| p.split('/').filter(|s| *s != ".").count()))
        .try_fold(0, |deepest, depth| Some(deepest.max(depth?)))
}

/// Whether the folder `dir` is an app of the kind `members` asks for.
fn is_member(dir: &Path, members: Members) -> bool {
    match members {
        Members::Manifests => dir.join(MANIFEST_FILE_NAME).is_file(),
        Members::WixApps => crate::reconcile::is_wix_app(dir),
    }
}

/// Finds the apps of the workspace at `root` (see the module's documentation for how).
///
/// # Errors
///
/// `root` is no folder; its `pnpm-workspace.yaml` or `package.json` cannot be read or names
/// bad globs; a folder cannot be walked.
pub fn discover(root: &Path, members: Members) -> Result<Workspace, WorkspaceError> {
    if !root.is_dir() {
        return Err(WorkspaceError::NotAFolder(root.to_owned()));
    }
    let (include, exclude, source, file) = read_globs(root)?;
    let file = file.unwrap_or_else(|| root.join("package.json"));
    let include_set = glob_set(&include, &file)?;
    let exclude_set = glob_set(&exclude, &file)?;
    let depth = if source == Source::Walk {
        None
    } else {
        max_depth(&include)
    };
    let mut walk = ignore::WalkBuilder::new(root);
    walk.require_git(false)
        .max_depth(depth)
        .filter_entry(|entry| {
            entry.file_type().is_some_and(|t| t.is_dir()) && entry.file_name() != "node_modules"
        });
    let mut apps = Vec::new();
    for entry in walk.build() {
        let entry = entry.map_err(|e| WorkspaceError::Walk {
            path: root.to_owned(),
            message: e.to_string(),
        })?;
        let Ok(rest) = entry.path().strip_prefix(root) else {
            continue;
        };
        let parts: Vec<String> = rest
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = if parts.is_empty() {
            ".".to_owned()
        } else {
            parts.join("/")
        };
        let wanted = match source {
            Source::Walk => true,
            Source::Pnpm | Source::PackageJson => {
                include_set.is_match(&rel) && !exclude_set.is_match(&rel)
            }
        };
        if wanted && is_member(entry.path(), members) {
            let path = if rel == "." {
                root.to_owned()
            } else if root == Path::new(".") {
                PathBuf::from(&rel)
            } else {
                root.join(&rel)
            };
            apps.push(App { rel, path });
        }
    }
    apps.sort();
    Ok(Workspace {
        root: root.to_owned(),
        source,
        apps,
    })
}

/// Shard K of N (`--shard K/N`): the apps whose path relative to the workspace root hashes to
/// K. Every app falls in exactly one of the N shards, and the split is the same on every
/// machine: the hash is FNV-1a (64-bit) of the `/`-separated path, not std's seeded hasher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this shard, at most `count`.
    pub index: u32,
    /// How many shards, at least 1.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N`, with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = "write it as K/N, this job's shard K (from 1) of N shards: --shard 2/4";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not K/N; {usage}"))?;
        let number = |part: &str| part.trim().parse::<u32>().ok();
        let (Some(index), Some(count)) = (number(k), number(n)) else {
            return Err(format!("{text:?} is not two whole numbers K/N; {usage}"));
        };
        if count == 0 {
            return Err(format!("{text:?} has no shards (N is 0); {usage}"));
        }
        if index == 0 || index > count {
            return Err(format!(
                "{text:?}: K must be from 1 to N ({count}); shards are numbered from 1"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether the app at `rel` (relative to the workspace root, `/`-separated) is in this
    /// shard.
    pub fn contains(&self, rel: &str) -> bool {
        fnv1a(rel.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Runs `work` on every app, in parallel on rayon's pool (one thread per core), and returns
/// the results in the order of `apps`. Each call is independent: a failing app is only a
/// failing result. `work` should return only what the report needs, so that no app's whole
/// tree outlives its call.
pub fn run<T, F>(apps: &[App], work: F) -> Vec<T>
where
    T: Send,
    F: Fn(&App) -> T + Sync + Send,
{
    apps.par_iter().map(work).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_reject_with_reasons() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert!("0/4".parse::<Shard>().unwrap_err().contains("from 1"));
        assert!(
            "5/4"
                .parse::<Shard>()
                .unwrap_err()
                .contains("from 1 to N (4)")
        );
        assert!("1/0".parse::<Shard>().unwrap_err().contains("N is 0"));
        assert!("2".parse::<Shard>().unwrap_err().contains("is not K/N"));
        assert!(
            "a/b"
                .parse::<Shard>()
                .unwrap_err()
                .contains("whole numbers")
        );
    }

    #[test]
    fn every_path_is_in_exactly_one_shard() {
        for count in 1..6 {
            for i in 0..50 {
                let rel = format!("apps/app{i}");
                let homes = (1..=count)
                    .filter(|&index| Shard { index, count }.contains(&rel))
                    .count();
                assert_eq!(homes, 1, "{rel} in {count} shards");
            }
        }
    }

    #[test]
    fn the_hash_is_fnv1a() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn globs_are_normalized_and_bound_the_walk() {
        assert_eq!(normalize("./apps/*/"), "apps/*");
        assert_eq!(normalize("./"), ".");
        assert_eq!(max_depth(&["apps/*".into(), "tools".into()]), Some(2));
        assert_eq!(max_depth(&["apps/**".into()]), None);
        assert_eq!(max_depth(&[]), Some(0));
    }
}
