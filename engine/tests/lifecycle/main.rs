//! The lifecycle property test: random sequences of manifest versions, applied one after
//! another to a generated app, must each leave the app exactly as the manifest says.
//!
//! A scenario is a starting app and 1–6 versions of `wix-events.yaml`, made by
//! [`generator`]. After each version is applied (`reconcile` without `--force`, which must
//! find no conflict, then `commit`), [`checks`] reads the app with the test's own SWC
//! [`oracle`] (never wixsync's scanner, whose bugs it must be able to catch) and checks the
//! folders, registrations, ids, `source`s, events, `package.json` and the lines that name no
//! event extension; then a second `reconcile` must plan nothing and find no conflict.
//!
//! **Git.** Outside a git repository wixsync deletes only files byte-identical to what it
//! would generate, and a rename or an event change edits the handler, so removing such an
//! extension later would rightly be a conflict (and the hand-written one is never
//! byte-identical). So the app is a git repository: `git init` in the temporary folder and a
//! commit after the start and after every apply, with `common::git` (global and system git
//! config shut out, for wixsync's own git calls too). A removal then deletes committed,
//! clean files, which git can restore, and needs no `--force`; this also exercises
//! wixsync's git path. The `git` command must be installed.
//!
//! **Persistence.** `failure_persistence` is `None`: proptest writes no
//! `proptest-regressions/` file anywhere. A failure prints the minimal scenario (the start
//! shape and `src/extensions.ts`, then each version's ops and YAML): turn it into a case
//! under `cases/`.
//!
//! Three tests, run by libtest-mimic (`harness = false`, so that `main` can shut out the git
//! config before any thread starts): one property per export style, on two threads, and the
//! generator's own invariants. 28 cases per property by default (about 4–6 s for both on 2
//! cores in a debug build); `PROPTEST_CASES=500 cargo test -p wixsync --test lifecycle` runs
//! more.

mod checks;
#[path = "../common/mod.rs"]
mod common;
mod generator;
mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use common::{fixed_ids, git, git_commit, write_files};
use generator::{EVENTS, IDS_PER_VERSION, Scenario, legacy_event, scenario};
use libtest_mimic::{Arguments, Failed, Trial};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use wixsync::commit::commit;
use wixsync::reconcile::{Options, reconcile};
use wixsync::render::{Palette, render_steps};
use wixsync_schema::diagnostic::render_plain;

fn main() {
    // SAFETY: no other thread runs yet.
    unsafe { common::isolate_git_in_process() };
    let args = Arguments::from_args();
    let trials = vec![
        Trial::test("default_style_versions_apply_cleanly", || property(false)),
        Trial::test("named_style_versions_apply_cleanly", || property(true)),
        Trial::test("generated_manifests_are_valid", || {
            generated_manifests_are_valid();
            Ok(())
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// Runs the property over scenarios of one export style (`named` or not); a failure holds
/// proptest's minimal scenario.
fn property(named: bool) -> Result<(), Failed> {
    let mut runner = TestRunner::new(config(28));
    match runner.run(&scenario(named), |scenario| run_scenario(&scenario)) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, scenario)) => {
            Err(format!("{reason}\nminimal failing scenario:\n{scenario:?}").into())
        }
        Err(TestError::Abort(reason)) => Err(format!("proptest gave up: {reason}").into()),
    }
}

/// Applies every version of `scenario` to a fresh git repository, checking the app after each.
fn run_scenario(scenario: &Scenario) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = scenario.shape.files();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_files(root, &files);
    git(root, &["init", "-q"]);
    git_commit(root, "start");
    let all_ids = fixed_ids(IDS_PER_VERSION * scenario.versions.len());
    for (v, version) in scenario.versions.iter().enumerate() {
        let at = format!("version {}", v + 1);
        fs::write(root.join("wix-events.yaml"), &version.yaml).unwrap();
        let options = Options {
            manifest: None,
            force: false,
            fresh_ids: Some(all_ids[v * IDS_PER_VERSION..(v + 1) * IDS_PER_VERSION].to_vec()),
        };
        let reconciliation = reconcile(root, &options).map_err(|failure| {
            TestCaseError::fail(format!(
                "{at}: reconcile failed:\n{}",
                render_plain(&failure.diagnostics(), 100)
            ))
        })?;
        if !reconciliation.plan.conflicts.is_empty() {
            return Err(TestCaseError::fail(format!(
                "{at}: conflicts:\n{}",
                render_plain(&reconciliation.diagnostics(), 100)
            )));
        }
        commit(root, &reconciliation.changeset)
            .map_err(|e| TestCaseError::fail(format!("{at}: commit failed: {e}")))?;
        git_commit(root, &at);
        checks::check_app(root, scenario, version, &at)?;

        // 4. Nothing left to do.
        let again = reconcile(root, &options).map_err(|failure| {
            TestCaseError::fail(format!(
                "{at}: the second reconcile failed:\n{}",
                render_plain(&failure.diagnostics(), 100)
            ))
        })?;
        if !again.plan.is_empty() {
            let mut steps = Vec::new();
            render_steps(&mut steps, &again.plan, Palette::new(false)).unwrap();
            return Err(TestCaseError::fail(format!(
                "{at}: the second plan is not empty:\n{}{}",
                String::from_utf8_lossy(&steps),
                render_plain(&again.diagnostics(), 100)
            )));
        }
    }
    Ok(())
}

/// `cases` cases, or `PROPTEST_CASES` when set; no regressions file.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The generator's own invariants, on a fixed seed: distinct valid folder names and distinct
/// events in every version, and manifests that parse.
fn generated_manifests_are_valid() {
    assert!(EVENTS.contains(&legacy_event()));
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for i in 0..200 {
        let scenario = scenario(i % 3 == 0)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for version in &scenario.versions {
            let folders: BTreeSet<&str> =
                version.entries.iter().map(|e| e.folder.as_str()).collect();
            assert_eq!(folders.len(), version.entries.len(), "{scenario:?}");
            assert!(
                folders
                    .iter()
                    .all(|f| wixsync_schema::FolderName::new(f).is_some()),
                "{scenario:?}"
            );
            let events: BTreeMap<&str, &str> = version
                .entries
                .iter()
                .map(|e| (e.event.slug, e.folder.as_str()))
                .collect();
            assert_eq!(events.len(), version.entries.len(), "{scenario:?}");
            wixsync_schema::Manifest::parse(&wixsync_schema::SourceFile::new(
                "wix-events.yaml",
                version.yaml.clone(),
            ))
            .unwrap_or_else(|d| panic!("{}\n{scenario:?}", render_plain(&d, 100)));
        }
    }
}
