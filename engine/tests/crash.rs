//! Crash and concurrency safety of `apply`, tested by crashing the real binary.
//!
//! Every trial starts from a prepared app, interrupts or disturbs an `apply`, then runs the
//! recovery run (`wixsync plan`, which finishes an interrupted commit first) and checks:
//!
//! - after the recovery run the tree equals, file for file and folder for folder, either the
//!   untouched tree or the tree of an uninterrupted apply (fresh UUIDs aside): no partial state;
//! - after a further `apply`, every extension that existed before has its UUID, in the folder
//!   an uninterrupted apply puts it in: no lost UUID;
//! - no journal, staged file, backup or lock file anywhere, in the app or in `.git`: no stray
//!   file; and `apply --check` exits 0.
//!
//! Two scenarios, as in the table: *create* (events created in an app without git,
//! so the journal lives in the app's `.wixsync/`) and *rename+remove* (an app in a git
//! repository, so the journal lives in `.git/wixsync/`).
//!
//! `cargo test -p wixsync --test crash` runs the failpoint suite (a kill and an injected I/O
//! error at every step of the commit, of the roll-back and of recovery), a handler path that
//! is a folder, a read-only folder mid-rename, and `ulimit -n 64` with 300 events.
//! `cargo test --release -p wixsync --test crash -- --ignored --nocapture` adds the random-time
//! `kill -9` loops (`WIXSYNC_CRASH_TRIALS`, default 200 each), 50 pairs of concurrent applies
//! with different manifests (`WIXSYNC_RACE_TRIALS`), and a full disk at every fill level (a
//! tmpfs it mounts; needs root, skipped otherwise). Each prints its figures.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{copy_dir, workspace};
use wixsync_schema::catalog::Catalog;

const EVENTS: &str = "src/extensions/backend/events";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_wixsync")
}

fn wixsync(args: &[&str], app: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(bin());
    command.args(args).arg(app).env("NO_COLOR", "1");
    command.env_remove("WIXSYNC_FAILPOINT");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the wixsync binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_SYSTEM", "/dev/null")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

/// Every file (with its bytes) and every folder (`None`) under `dir`, `.git` aside.
type Tree = BTreeMap<String, Option<Vec<u8>>>;

fn tree(dir: &Path) -> Tree {
    let mut out = Tree::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if rel == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                out.insert(rel, None);
                stack.push(path);
            } else {
                out.insert(rel, Some(fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// Every lowercase UUID in `text`.
fn uuids(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let shape = |s: &[u8]| {
        s.len() == 36
            && s.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
            })
    };
    (0..bytes.len().saturating_sub(35))
        .filter(|&i| shape(&bytes[i..i + 36]))
        .map(|i| &text[i..i + 36])
        .collect()
}

/// The tree with every UUID not in `keep` written as `<new id>`.
fn normalized(tree: &Tree, keep: &BTreeSet<String>) -> Tree {
    tree.iter()
        .map(|(path, bytes)| {
            let bytes = bytes.as_ref().map(|b| {
                let mut text = String::from_utf8_lossy(b).into_owned();
                for id in uuids(&text.clone()) {
                    if !keep.contains(id) {
                        text = text.replace(id, "<new id>");
                    }
                }
                text.into_bytes()
            });
            (path.clone(), bytes)
        })
        .collect()
}

/// Builder id → folder, for every event extension of the tree.
fn ids(tree: &Tree) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, bytes) in tree {
        let Some(rest) = path.strip_prefix(&format!("{EVENTS}/")) else {
            continue;
        };
        let Some((folder, file)) = rest.split_once('/') else {
            continue;
        };
        if file == format!("{folder}.extension.ts")
            && let Some(bytes) = bytes
        {
            let text = String::from_utf8_lossy(bytes);
            if let Some(id) = uuids(&text).first() {
                out.insert((*id).to_owned(), folder.to_owned());
            }
        }
    }
    out
}

/// `n` catalog events, each the only one of its webhook slug, written in full.
fn events(n: usize) -> Vec<String> {
    let catalog = Catalog::get();
    let out: Vec<String> = catalog
        .events()
        .iter()
        .filter(|e| catalog.by_slug(e.slug).len() == 1)
        .map(|e| e.to_string())
        .take(n)
        .collect();
    assert_eq!(out.len(), n, "the catalog has {} unique events", out.len());
    out
}

fn manifest(entries: &[(String, String)]) -> String {
    let mut text = String::from("version: 1\nevents:\n");
    for (folder, body) in entries {
        text.push_str(&format!("  {folder}: {body}\n"));
    }
    text
}

/// A prepared app and what an uninterrupted apply makes of it.
struct Scenario {
    name: &'static str,
    _dir: tempfile::TempDir,
    start: PathBuf,
    before: Tree,
    reference: Tree,
    /// Ids the app had before, and the folder each has after an uninterrupted apply.
    kept: BTreeMap<String, String>,
    old_ids: BTreeSet<String>,
    /// How long an uninterrupted apply takes.
    duration: Duration,
}

impl Scenario {
    fn new(name: &'static str, start: PathBuf, dir: tempfile::TempDir) -> Scenario {
        let before = tree(&start);
        let old_ids: BTreeSet<String> = ids(&before).into_keys().collect();
        let mut durations = Vec::new();
        let mut reference = None;
        for i in 0..3 {
            let app = dir.path().join(format!("reference-{i}"));
            copy_dir(&start, &app);
            let t = Instant::now();
            let out = wixsync(&["apply"], &app, &[]);
            durations.push(t.elapsed());
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            reference = Some(tree(&app));
        }
        let reference = reference.unwrap();
        let kept = ids(&reference)
            .into_iter()
            .filter(|(id, _)| old_ids.contains(id))
            .collect();
        durations.sort();
        Scenario {
            name,
            start,
            before,
            reference,
            kept,
            old_ids,
            duration: durations[1],
            _dir: dir,
        }
    }

    /// A fresh copy of the start, at `dir/name`.
    fn copy(&self, dir: &Path, name: &str) -> PathBuf {
        let app = dir.join(name);
        let _ = fs::remove_dir_all(&app);
        copy_dir(&self.start, &app);
        app
    }

    fn is_reference(&self, t: &Tree) -> bool {
        normalized(t, &self.old_ids) == normalized(&self.reference, &self.old_ids)
    }
}

/// *create*: `n` events created in the template app, no git.
fn create_scenario(n: usize) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let start = dir.path().join("start");
    copy_dir(&workspace().join("cases/template-app"), &start);
    let entries: Vec<(String, String)> = events(n)
        .into_iter()
        .enumerate()
        .map(|(i, e)| (format!("event-{i}"), e))
        .collect();
    fs::write(start.join("wix-events.yaml"), manifest(&entries)).unwrap();
    Scenario::new("create", start, dir)
}

/// *rename+remove*: `2 * n` committed extensions in a git repository; the manifest renames
/// `n` of them (half by `renamed-from`, half by their event) and removes the other `n`.
fn rename_remove_scenario(n: usize) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let start = dir.path().join("start");
    copy_dir(&workspace().join("cases/template-app"), &start);
    let all = events(2 * n);
    let first: Vec<(String, String)> = all
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("old-{i}"), e.clone()))
        .collect();
    fs::write(start.join("wix-events.yaml"), manifest(&first)).unwrap();
    let out = wixsync(&["apply"], &start, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    git(&start, &["init", "-q"]);
    git(&start, &["config", "user.name", "t"]);
    git(&start, &["config", "user.email", "t@example.com"]);
    git(&start, &["config", "commit.gpgsign", "false"]);
    git(&start, &["add", "-A"]);
    git(&start, &["commit", "-qm", "start"]);
    let second: Vec<(String, String)> = all
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, e)| {
            let body = if i % 2 == 0 {
                format!("{{ event: {e}, renamed-from: [old-{i}] }}")
            } else {
                e.clone()
            };
            (format!("new-{i}"), body)
        })
        .collect();
    fs::write(start.join("wix-events.yaml"), manifest(&second)).unwrap();
    git(&start, &["commit", "-qam", "the new manifest"]);
    Scenario::new("rename+remove", start, dir)
}

/// What the recovery run and the runs after it found.
#[derive(Debug, Default)]
struct Verdict {
    partial: bool,
    lost: usize,
    stray: Vec<String>,
    check_failed: bool,
    notes: Vec<String>,
}

impl Verdict {
    fn ok(&self) -> bool {
        !self.partial && self.lost == 0 && self.stray.is_empty() && !self.check_failed
    }
}

fn stray_files(app: &Path, sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if app.join(".wixsync").exists() {
        out.push(".wixsync".to_owned());
    }
    if app.join(".git/wixsync").exists() {
        out.push(".git/wixsync".to_owned());
    }
    let now = normalized(&tree(app), &sc.old_ids);
    let expected = normalized(&sc.reference, &sc.old_ids);
    for path in now.keys() {
        if !expected.contains_key(path) && !path.starts_with(".wixsync") {
            out.push(path.clone());
        }
    }
    out
}

/// The recovery run (`plan`), then `apply` and `apply --check`, with every check.
fn recover_and_judge(app: &Path, sc: &Scenario, recovery_env: &[(&str, &str)]) -> Verdict {
    let mut verdict = Verdict::default();
    let plan = wixsync(&["plan"], app, recovery_env);
    if plan.status.code().is_none() {
        // Killed in recovery on purpose: recover again.
        verdict.notes.push("recovery killed".into());
        let again = wixsync(&["plan"], app, &[]);
        verdict.notes.push(text(&again.stderr));
    } else {
        verdict.notes.push(text(&plan.stderr));
    }
    let t = tree(app);
    if t != sc.before && !sc.is_reference(&t) {
        verdict.partial = true;
        let expected = normalized(&sc.reference, &sc.old_ids);
        let now = normalized(&t, &sc.old_ids);
        let differing: Vec<&String> = expected
            .keys()
            .chain(now.keys())
            .filter(|k| expected.get(*k) != now.get(*k) && sc.before.get(*k) != t.get(*k))
            .collect();
        verdict.notes.push(format!("partial: {differing:?}"));
    }
    let apply = wixsync(&["apply"], app, &[]);
    if apply.status.code() != Some(0) {
        verdict
            .notes
            .push(format!("apply after: {}", text(&apply.stderr)));
        verdict.check_failed = true;
    }
    let after = ids(&tree(app));
    for (id, folder) in &sc.kept {
        if after.get(id) != Some(folder) {
            verdict.lost += 1;
        }
    }
    verdict.stray = stray_files(app, sc);
    let check = wixsync(&["apply", "--check"], app, &[]);
    if check.status.code() != Some(0) {
        verdict.check_failed = true;
        verdict
            .notes
            .push(format!("check: {}", text(&check.stdout)));
    }
    verdict
}

/// Every failpoint of a commit: the library's list but the roll-back's, which a successful
/// commit never reaches (the disk-full and error tests drive it).
fn kill_points() -> impl Iterator<Item = &'static str> {
    wixsync::commit::FAILPOINTS
        .iter()
        .copied()
        .filter(|point| *point != "rollback")
}

/// Kills `apply` at every failpoint, every time it is reached; then, for a few, kills the
/// recovery too. Every trial must leave no partial state, no lost UUID, no stray file.
fn kill_at_every_failpoint(sc: &Scenario) -> usize {
    let work = tempfile::tempdir().unwrap();
    let mut kills = 0;
    for point in kill_points() {
        for n in 1..=200 {
            let app = sc.copy(work.path(), "app");
            let spec = format!("{point}@{n}");
            let out = wixsync(&["apply"], &app, &[("WIXSYNC_FAILPOINT", &spec)]);
            if out.status.code() == Some(0) {
                // Reached fewer than n times: the apply ran to its end.
                assert!(
                    sc.is_reference(&tree(&app)),
                    "{}: {spec} ran but differs",
                    sc.name
                );
                assert!(
                    n > 1 || point == "remove" || point == "prune",
                    "{spec} never hit"
                );
                break;
            }
            assert_eq!(out.status.code(), None, "{spec}: {}", text(&out.stderr));
            kills += 1;
            let verdict = recover_and_judge(&app, sc, &[]);
            assert!(verdict.ok(), "{}: killed at {spec}: {verdict:?}", sc.name);
            // And kill the recovery itself where it has steps left.
            if matches!(point, "journal-durable" | "rename" | "remove") && n <= 2 {
                let app = sc.copy(work.path(), "app");
                let _ = wixsync(&["apply"], &app, &[("WIXSYNC_FAILPOINT", &spec)]);
                let verdict = recover_and_judge(&app, sc, &[("WIXSYNC_FAILPOINT", "rename@1")]);
                assert!(
                    verdict.ok(),
                    "{}: {spec}, then recovery killed: {verdict:?}",
                    sc.name
                );
                kills += 1;
            }
        }
    }
    kills
}

/// Fails `apply` with an I/O error at every failpoint: exit 1, every file and folder exactly
/// as before, nothing left behind, and a message that says so. Then kills it in the middle of
/// the roll-back, and checks the recovery finishes the roll-back.
fn fail_at_every_failpoint(sc: &Scenario) -> usize {
    let work = tempfile::tempdir().unwrap();
    let mut failures = 0;
    for point in kill_points() {
        for n in 1..=200 {
            let app = sc.copy(work.path(), "app");
            let spec = format!("{point}@{n}:error");
            let out = wixsync(&["apply"], &app, &[("WIXSYNC_FAILPOINT", &spec)]);
            let stderr = text(&out.stderr);
            if out.status.code() == Some(0) {
                assert!(sc.is_reference(&tree(&app)), "{spec} ran but differs");
                break;
            }
            failures += 1;
            assert_eq!(out.status.code(), Some(1), "{spec}: {stderr}");
            assert_eq!(tree(&app), sc.before, "{}: {spec} left changes", sc.name);
            assert!(stray_files(&app, sc).iter().all(|s| !s.contains("wixsync")));
            assert!(!app.join(".wixsync").exists() && !app.join(".git/wixsync").exists());
            assert!(
                stderr.contains("nothing was written") || stderr.contains("rolled back"),
                "{spec}: {stderr}"
            );
            if point == "rename" && n >= 2 {
                assert!(stderr.contains("were rolled back"), "{spec}: {stderr}");
            }
        }
    }
    // A failure, then a kill in the roll-back it starts: recovery goes on rolling back.
    for n in 1..=3 {
        let app = sc.copy(work.path(), "app");
        let spec = format!("rename@3:error,rollback@{n}");
        let out = wixsync(&["apply"], &app, &[("WIXSYNC_FAILPOINT", &spec)]);
        assert_eq!(out.status.code(), None, "{spec}: {}", text(&out.stderr));
        let plan = wixsync(&["plan"], &app, &[]);
        assert!(
            text(&plan.stderr).contains("rolled back"),
            "{}",
            text(&plan.stderr)
        );
        assert_eq!(
            tree(&app),
            sc.before,
            "{spec}: the roll-back was not finished"
        );
        failures += 1;
    }
    failures
}

#[test]
fn create_survives_a_kill_or_an_error_at_every_step() {
    let sc = create_scenario(3);
    let kills = kill_at_every_failpoint(&sc);
    let failures = fail_at_every_failpoint(&sc);
    eprintln!("create: {kills} kills, {failures} injected errors, all recovered");
    assert!(kills > 20 && failures > 20);
}

#[test]
fn rename_and_remove_survive_a_kill_or_an_error_at_every_step() {
    let sc = rename_remove_scenario(2);
    assert_eq!(sc.kept.len(), 2, "two extensions keep their ids");
    let kills = kill_at_every_failpoint(&sc);
    let failures = fail_at_every_failpoint(&sc);
    eprintln!("rename+remove: {kills} kills, {failures} injected errors, all recovered");
    assert!(kills > 20 && failures > 20);
}

/// A random number in `0..n`.
fn random_below(n: u128) -> u128 {
    uuid::Uuid::new_v4().as_u128() % n.max(1)
}

fn trials(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `kill -9` of a real `apply` at a random moment, `trials` times, and the checks after each.
fn random_kills(sc: &Scenario, trials: usize) {
    let work = tempfile::tempdir().unwrap();
    let span = sc.duration.as_micros() * 11 / 10;
    let (mut killed, mut mid_commit, mut partial, mut lost, mut stray, mut check) =
        (0, 0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for trial in 0..trials {
        let app = sc.copy(work.path(), "app");
        let mut child = Command::new(bin())
            .arg("apply")
            .arg(&app)
            .env_remove("WIXSYNC_FAILPOINT")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(random_below(span) as u64));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed += 1;
            if app.join(".wixsync/journal").exists() || app.join(".git/wixsync").exists() {
                mid_commit += 1;
            }
        }
        let verdict = recover_and_judge(&app, sc, &[]);
        partial += usize::from(verdict.partial);
        lost += verdict.lost;
        stray += usize::from(!verdict.stray.is_empty());
        check += usize::from(verdict.check_failed);
        if !verdict.ok() {
            failures.push(format!("trial {trial}: {verdict:?}"));
        }
    }
    eprintln!(
        "{}: {trials} trials, {killed} killed ({mid_commit} with a journal or lock left), \
         partial states {partial}, UUIDs lost {lost}, trials with stray files {stray}, \
         --check failures {check} (an uninterrupted apply takes {:?})",
        sc.name, sc.duration
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
#[ignore = "slow: random-time kill loop; run with --ignored (WIXSYNC_CRASH_TRIALS, default 200)"]
fn random_kills_during_create() {
    let sc = create_scenario(30);
    random_kills(&sc, trials("WIXSYNC_CRASH_TRIALS", 200));
}

#[test]
#[ignore = "slow: random-time kill loop; run with --ignored (WIXSYNC_CRASH_TRIALS, default 200)"]
fn random_kills_during_rename_and_remove() {
    let sc = rename_remove_scenario(10);
    assert_eq!(sc.kept.len(), 10);
    random_kills(&sc, trials("WIXSYNC_CRASH_TRIALS", 200));
}

/// Two applies at once on one app with different manifests (both rename the same five
/// extensions, to different names): the app matches one manifest exactly, every UUID is kept,
/// and the other run waited for the lock or failed with exit 1.
#[test]
#[ignore = "slow: 50 pairs of concurrent applies; run with --ignored (WIXSYNC_RACE_TRIALS)"]
fn concurrent_applies_with_different_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let start = dir.path().join("start");
    copy_dir(&workspace().join("cases/template-app"), &start);
    let all = events(11);
    let entries = |prefix: &str, renamed: bool, extra: bool| -> String {
        let mut list: Vec<(String, String)> = all
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, e)| {
                if i < 5 && renamed {
                    (
                        format!("{prefix}-{i}"),
                        format!("{{ event: {e}, renamed-from: [old-{i}] }}"),
                    )
                } else {
                    (format!("old-{i}"), e.clone())
                }
            })
            .collect();
        if extra {
            list.push(("extra".into(), all[10].clone()));
        }
        manifest(&list)
    };
    fs::write(start.join("wix-events.yaml"), entries("old", false, false)).unwrap();
    assert_eq!(wixsync(&["apply"], &start, &[]).status.code(), Some(0));
    let old_ids = ids(&tree(&start));
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    fs::write(&a, entries("a", true, false)).unwrap();
    fs::write(&b, entries("b", true, true)).unwrap();
    let (mut a_last, mut b_last, mut waited, mut refused) = (0, 0, 0, 0);
    for trial in 0..trials("WIXSYNC_RACE_TRIALS", 50) {
        let app = dir.path().join("app");
        let _ = fs::remove_dir_all(&app);
        copy_dir(&start, &app);
        let spawn = |manifest: &Path| {
            Command::new(bin())
                .arg("apply")
                .arg("--manifest")
                .arg(manifest)
                .arg(&app)
                .env("NO_COLOR", "1")
                .env_remove("WIXSYNC_FAILPOINT")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if trial % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let one = spawn(first);
        let two = spawn(second);
        let one = one.wait_with_output().unwrap();
        let two = two.wait_with_output().unwrap();
        for out in [&one, &two] {
            let code = out.status.code();
            assert!(code == Some(0) || code == Some(1), "{}", text(&out.stderr));
            if code == Some(1) {
                refused += 1;
                assert!(text(&out.stderr).contains("another wixsync"));
            }
            if text(&out.stderr).contains("waiting for another wixsync apply") {
                waited += 1;
            }
        }
        assert!(one.status.success() || two.status.success());
        let check = |m: &Path| {
            Command::new(bin())
                .args(["apply", "--check", "--manifest"])
                .arg(m)
                .arg(&app)
                .output()
                .unwrap()
                .status
                .code()
        };
        let (ca, cb) = (check(&a), check(&b));
        assert!(
            (ca == Some(0)) != (cb == Some(0)),
            "trial {trial}: the app matches neither or both: {ca:?} {cb:?}"
        );
        if ca == Some(0) {
            a_last += 1;
        } else {
            b_last += 1;
        }
        let now = ids(&tree(&app));
        for id in old_ids.keys() {
            assert!(now.contains_key(id), "trial {trial}: id {id} lost");
        }
        assert!(
            !app.join(".wixsync").exists(),
            "trial {trial}: stray .wixsync"
        );
    }
    eprintln!(
        "concurrent applies: the app matched manifest a {a_last} times and b {b_last} times, \
         exactly; {waited} run(s) waited for the lock, {refused} gave up with exit 1; no UUID lost"
    );
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// The disk fills up at every level from "nothing free" to "enough": each apply exits 1 with
/// the tree exactly as before and nothing left behind, until one succeeds.
#[test]
#[ignore = "mounts a tmpfs (root only); run with --ignored"]
fn a_full_disk_at_every_level_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small");
    fs::create_dir(&mount).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&mount)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
        return;
    }
    let _guard = Mount(mount.clone());
    let sc = create_scenario(25);
    let (mut failed, mut levels) = (0, 0);
    let page = 4096;
    for free_pages in 0.. {
        let _ = fs::remove_file(mount.join("filler"));
        let app = sc.copy(&mount, "app");
        // Fill the disk, then free exactly `free_pages` pages.
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "cat /dev/zero > {}/filler 2>/dev/null",
                mount.display()
            ))
            .status();
        let len = fs::metadata(mount.join("filler")).unwrap().len();
        let file = fs::OpenOptions::new()
            .write(true)
            .open(mount.join("filler"))
            .unwrap();
        file.set_len(len.saturating_sub(free_pages * page)).unwrap();
        drop(file);
        levels += 1;
        let out = wixsync(&["apply"], &app, &[]);
        let stderr = text(&out.stderr);
        if out.status.code() == Some(0) {
            assert!(sc.is_reference(&tree(&app)));
            eprintln!(
                "full disk: {failed} fill levels failed cleanly (exit 1, tree as before), \
                 then {free_pages} free pages were enough ({levels} levels tried)"
            );
            break;
        }
        failed += 1;
        assert_eq!(out.status.code(), Some(1), "{free_pages} pages: {stderr}");
        assert_eq!(
            tree(&app),
            sc.before,
            "{free_pages} free pages left changes: {stderr}"
        );
        assert!(free_pages < 400, "never succeeded: {stderr}");
    }
}

/// `ulimit -n 64` with 300 events: wixsync holds a bounded number of descriptors, so the
/// apply succeeds; at a limit too small to run at all, it fails cleanly.
#[test]
fn few_file_descriptors_are_enough() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(&workspace().join("cases/template-app"), &app);
    let entries: Vec<(String, String)> = events(300)
        .into_iter()
        .enumerate()
        .map(|(i, e)| (format!("event-{i}"), e))
        .collect();
    fs::write(app.join("wix-events.yaml"), manifest(&entries)).unwrap();
    let before = tree(&app);
    let limited = |limit: u32| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" apply \"$1\""))
            .arg(bin())
            .arg(&app)
            .env_remove("WIXSYNC_FAILPOINT")
            .output()
            .unwrap()
    };
    for limit in [6, 8, 10] {
        let out = limited(limit);
        if out.status.code() == Some(1) {
            assert_eq!(
                tree(&app),
                before,
                "ulimit -n {limit}: {}",
                text(&out.stderr)
            );
        } else {
            assert_eq!(
                out.status.code(),
                Some(0),
                "ulimit -n {limit}: {}",
                text(&out.stderr)
            );
            break;
        }
    }
    let out = limited(64);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let check = wixsync(&["apply", "--check"], &app, &[]);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(
        fs::read_dir(app.join(EVENTS)).unwrap().count(),
        300,
        "300 event folders"
    );
    assert!(!app.join(".wixsync").exists());
}

/// A handler path that is a folder: exit 1, nothing written, the path named.
#[test]
fn a_folder_where_a_file_goes_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(&workspace().join("cases/template-app"), &app);
    fs::create_dir_all(app.join(format!("{EVENTS}/contact-created/contact-created.ts"))).unwrap();
    let before = tree(&app);
    let out = wixsync(&["apply"], &app, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(tree(&app), before);
    assert!(stderr.contains("nothing was written"), "{stderr}");
}

/// The old folder of a rename is read-only: the new files are written, moving the old ones
/// out fails, and everything is rolled back: exit 1, the tree exactly as before.
#[test]
fn a_read_only_folder_mid_rename_is_rolled_back() {
    let sc = rename_remove_scenario(2);
    let work = tempfile::tempdir().unwrap();
    let app = sc.copy(work.path(), "app");
    let old = app.join(format!("{EVENTS}/old-0"));
    // Root ignores permissions: it needs the immutable attribute instead.
    let restrict = |on: bool| -> bool {
        use std::os::unix::fs::PermissionsExt;
        if !on {
            let _ = Command::new("chattr")
                .arg("-i")
                .arg(&old)
                .stderr(Stdio::null())
                .status();
        }
        let mode = if on { 0o555 } else { 0o755 };
        fs::set_permissions(&old, fs::Permissions::from_mode(mode)).unwrap();
        let probe = old.join(".probe");
        if on && fs::write(&probe, "").is_ok() {
            let _ = fs::remove_file(&probe);
            return Command::new("chattr")
                .arg("+i")
                .arg(&old)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        }
        true
    };
    let before = tree(&app);
    if !restrict(true) {
        eprintln!("SKIPPED: cannot make a folder read-only for this user");
        return;
    }
    let out = wixsync(&["apply"], &app, &[]);
    restrict(false);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(tree(&app), before, "{stderr}");
    assert!(stderr.contains("were rolled back"), "{stderr}");
    assert!(!app.join(".git/wixsync").exists());
    // Writable again, the apply goes through and keeps the id.
    let verdict = recover_and_judge(&app, &sc, &[]);
    assert!(verdict.ok(), "{verdict:?}");
}

/// While an apply holds the lock, `plan` and `--check` report it and read nothing; a second
/// `apply` waits, says so, and gives up with exit 1 and what to do.
#[test]
fn a_held_lock_stops_readers_and_makes_a_writer_wait() {
    let sc = create_scenario(2);
    let work = tempfile::tempdir().unwrap();
    let app = sc.copy(work.path(), "app");
    let place = wixsync::commit::place::place(&app).unwrap();
    let held =
        wixsync::commit::lock::lock(&place.base, Duration::ZERO, &mut || {}).expect("the lock");
    for args in [&["plan"][..], &["apply", "--check"][..]] {
        let out = wixsync(args, &app, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("a wixsync apply is in progress on"),
            "{stderr}"
        );
    }
    let out = wixsync(&["apply"], &app, &[("WIXSYNC_LOCK_TIMEOUT", "0.3")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("waiting for another wixsync apply on this app"),
        "{stderr}"
    );
    assert!(
        stderr.contains("another wixsync is still running on"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    drop(held);
    assert_eq!(tree(&app), sc.before);
    let out = wixsync(&["apply"], &app, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!app.join(".wixsync").exists());
}

/// The recovery run says what it did, in one line.
#[test]
fn recovery_says_what_it_did_in_one_line() {
    let sc = create_scenario(2);
    let work = tempfile::tempdir().unwrap();
    for (spec, line) in [
        (
            "rename@2",
            "finished an interrupted apply of APP (5 file(s) still to write, 0 to remove).",
        ),
        (
            "stage@2",
            "an interrupted apply of APP had not changed any file yet; its journal was removed.",
        ),
    ] {
        let app = sc.copy(work.path(), "app");
        let out = wixsync(&["apply"], &app, &[("WIXSYNC_FAILPOINT", spec)]);
        assert_eq!(out.status.code(), None);
        let plan = wixsync(&["plan"], &app, &[]);
        let stderr = text(&plan.stderr);
        let expected = format!(
            "wixsync: {}\n",
            line.replace("APP", &app.display().to_string())
        );
        assert_eq!(stderr, expected, "{spec}");
    }
}
