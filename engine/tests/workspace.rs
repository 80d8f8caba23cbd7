//! `--workspace` and `--shard` end to end: monorepos built in temporary folders, the binary
//! run from their root (or above it), and what it prints, exits with and writes.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{copy_dir, isolate_git, snapshot_tree, workspace, write_files};
use wixsync::workspace::{Members, Source, discover};

/// Runs the binary with `args` in the folder `cwd`.
fn wixsync(args: &[&str], cwd: &Path) -> Output {
    isolate_git(&mut Command::new(env!("CARGO_BIN_EXE_wixsync")))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("the wixsync binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const ONE_EVENT: &str = "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreated\n";
/// A typo in the event: line 3, column 20.
const TYPO: &str = "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreatd\n";
const HANDLER: &str = "src/extensions/backend/events/contact-created/contact-created.ts";

/// A template-shaped app at `root/rel` with `manifest` as its wix-events.yaml.
fn app(root: &Path, rel: &str, manifest: &str) {
    let dir = root.join(rel);
    copy_dir(&workspace().join("cases/template-app"), &dir);
    fs::write(dir.join("wix-events.yaml"), manifest).unwrap();
}

/// The `==> path <==` headers of a human run, in order.
fn headers(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("==> ")?.strip_suffix(" <=="))
        .map(str::to_owned)
        .collect()
}

fn last_line(stdout: &str) -> &str {
    stdout.lines().last().unwrap_or_default()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

/// `(path, status)` of every app of a `--format json` document.
fn statuses(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn npm_workspaces_apply_every_app_and_skip_other_packages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "package.json",
                r#"{ "name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
            ),
            ("packages/ui/package.json", r#"{ "name": "ui" }"#),
        ],
    );
    app(root, "apps/shop", ONE_EVENT);
    app(root, "apps/blog", ONE_EVENT);
    // Not matched by any glob: left alone.
    app(root, "tools/stray", ONE_EVENT);

    let apply = wixsync(&["apply", "--workspace"], root);
    let out = text(&apply.stdout);
    assert_eq!(apply.status.code(), Some(0), "{out}{}", text(&apply.stderr));
    assert_eq!(headers(&out), ["apps/blog", "apps/shop"]);
    assert!(out.contains("Applied to apps/shop: 1 created, 1 registered"));
    assert_eq!(
        last_line(&out),
        "2 apps: 0 in sync, 2 applied, 0 pending, 0 failed"
    );
    assert!(root.join("apps/shop").join(HANDLER).is_file());
    assert!(root.join("apps/blog").join(HANDLER).is_file());
    assert!(!root.join("tools/stray").join(HANDLER).exists());
    assert!(!root.join("packages/ui/src").exists());

    let check = wixsync(&["apply", "--check", "--workspace"], root);
    let out = text(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{out}");
    assert!(out.contains("apps/blog matches apps/blog/wix-events.yaml: nothing to do."));
    assert_eq!(
        last_line(&out),
        "2 apps: 2 in sync, 0 applied, 0 pending, 0 failed"
    );
}

#[test]
fn pnpm_workspace_with_an_exclusion_leaves_the_excluded_app_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "package.json",
                r#"{ "name": "mono", "workspaces": ["nothing/*"] }"#,
            ),
            (
                "pnpm-workspace.yaml",
                "packages:\n  - 'apps/**'\n  - '!apps/legacy'\n",
            ),
        ],
    );
    app(root, "apps/shop", ONE_EVENT);
    app(root, "apps/team/crm", ONE_EVENT);
    app(root, "apps/legacy", ONE_EVENT);
    let legacy = snapshot_tree(&root.join("apps/legacy"));

    let plan = wixsync(&["plan", "--workspace"], root);
    let out = text(&plan.stdout);
    assert_eq!(plan.status.code(), Some(2), "{out}");
    assert_eq!(headers(&out), ["apps/shop", "apps/team/crm"]);
    assert_eq!(
        last_line(&out),
        "2 apps: 0 in sync, 0 applied, 2 pending, 0 failed"
    );

    let apply = wixsync(&["apply", "--workspace"], root);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    assert!(root.join("apps/team/crm").join(HANDLER).is_file());
    assert_eq!(snapshot_tree(&root.join("apps/legacy")), legacy);

    let found = discover(root, Members::Manifests).unwrap();
    assert_eq!(found.source, Source::Pnpm);
}

#[test]
fn without_workspaces_every_manifest_below_is_an_app_but_node_modules_and_ignored_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(root, &[(".gitignore", "generated/\n")]);
    app(root, "services/deep/inside/app", ONE_EVENT);
    app(root, "web", ONE_EVENT);
    app(root, "node_modules/some-kit/example", ONE_EVENT);
    app(root, "web/node_modules/other", ONE_EVENT);
    app(root, "generated/copy", ONE_EVENT);
    let untouched = [
        "node_modules/some-kit/example",
        "web/node_modules/other",
        "generated/copy",
    ]
    .map(|rel| (rel, snapshot_tree(&root.join(rel))));

    let apply = wixsync(&["apply", "--workspace"], root);
    let out = text(&apply.stdout);
    assert_eq!(apply.status.code(), Some(0), "{out}{}", text(&apply.stderr));
    assert_eq!(headers(&out), ["services/deep/inside/app", "web"]);
    assert!(
        root.join("services/deep/inside/app")
            .join(HANDLER)
            .is_file()
    );
    for (rel, before) in untouched {
        assert_eq!(snapshot_tree(&root.join(rel)), before, "{rel} was touched");
    }
    assert_eq!(
        discover(root, Members::Manifests).unwrap().source,
        Source::Walk
    );
}

#[test]
fn one_bad_app_fails_the_run_but_not_the_other_apps() {
    let dir = tempfile::tempdir().unwrap();
    let mono = dir.path().join("mono");
    write_files(
        &mono,
        &[("package.json", r#"{ "workspaces": ["apps/*"] }"#)],
    );
    app(&mono, "apps/a", ONE_EVENT);
    app(&mono, "apps/bad", TYPO);
    app(&mono, "apps/broken", ONE_EVENT);
    app(&mono, "apps/c", ONE_EVENT);
    fs::write(
        mono.join("apps/broken/src/extensions.ts"),
        "export default app(.use(\n",
    )
    .unwrap();

    // Run from above the monorepo: every path is relative to where wixsync runs.
    let apply = wixsync(&["apply", "--workspace", "mono"], dir.path());
    let (out, err) = (text(&apply.stdout), text(&apply.stderr));
    assert_eq!(apply.status.code(), Some(1), "{out}{err}");
    assert_eq!(
        headers(&out),
        [
            "mono/apps/a",
            "mono/apps/bad",
            "mono/apps/broken",
            "mono/apps/c"
        ]
    );
    assert_eq!(
        last_line(&out),
        "4 apps: 0 in sync, 2 applied, 0 pending, 2 failed"
    );
    assert!(
        err.contains("[mono/apps/bad/wix-events.yaml:3:20]"),
        "{err}"
    );
    assert!(
        err.contains("[mono/apps/broken/src/extensions.ts:1:"),
        "{err}"
    );
    assert!(mono.join("apps/a").join(HANDLER).is_file());
    assert!(mono.join("apps/c").join(HANDLER).is_file());
    assert!(!mono.join("apps/bad").join(HANDLER).exists());

    let check = wixsync(
        &[
            "apply",
            "--check",
            "--workspace",
            "mono",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(check.status.code(), Some(1));
    let doc = json(&check);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(
        statuses(&doc),
        [
            ("mono/apps/a".into(), "in_sync".into()),
            ("mono/apps/bad".into(), "error".into()),
            ("mono/apps/broken".into(), "error".into()),
            ("mono/apps/c".into(), "in_sync".into()),
        ]
    );
    let bad = &doc["apps"][1]["diagnostics"][0];
    assert_eq!(bad["code"], "manifest::unknown-event");
    assert_eq!(bad["file"], "mono/apps/bad/wix-events.yaml");
    assert_eq!(
        (bad["line"].as_u64(), bad["column"].as_u64()),
        (Some(3), Some(20))
    );
    assert_eq!(doc["summary"]["apps"], 4);
    assert_eq!(doc["summary"]["error"], 2);

    let github = wixsync(
        &[
            "apply",
            "--check",
            "--workspace",
            "mono",
            "--format",
            "github",
        ],
        dir.path(),
    );
    let commands = text(&github.stdout);
    assert_eq!(github.status.code(), Some(1));
    assert!(
        commands
            .lines()
            .any(|l| l.starts_with("::error file=mono/apps/bad/wix-events.yaml,line=3,")),
        "{commands}"
    );
}

#[test]
fn shards_cover_every_app_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let all: BTreeSet<String> = (0..12).map(|i| format!("apps/app{i:02}")).collect();
    for rel in &all {
        app(root, rel, ONE_EVENT);
    }
    for count in 1..=4 {
        let mut seen = Vec::new();
        for index in 1..=count {
            let shard = format!("{index}/{count}");
            let plan = wixsync(
                &["plan", "--workspace", "--shard", &shard, "--format", "json"],
                root,
            );
            assert_eq!(plan.status.code(), Some(2), "{}", text(&plan.stderr));
            seen.extend(statuses(&json(&plan)).into_iter().map(|(path, _)| path));
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), all.len(), "{count} shards: an app twice");
        assert_eq!(unique, all, "{count} shards");
    }
    let one = wixsync(&["apply", "--check", "--workspace", "--shard", "2/3"], root);
    let out = text(&one.stdout);
    assert!(
        last_line(&out).contains(" (shard 2/3 of 12 apps): 0 in sync, 0 applied, "),
        "{out}"
    );
}

#[test]
fn bad_shards_workspaces_and_empty_monorepos_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    let alone = wixsync(&["plan", "--shard", "1/2"], root);
    assert_eq!(alone.status.code(), Some(1));
    assert!(text(&alone.stderr).contains("--workspace"));
    let zero = wixsync(&["plan", "--workspace", "--shard", "0/2"], root);
    assert_eq!(zero.status.code(), Some(1));
    assert!(text(&zero.stderr).contains("K must be from 1 to N (2)"));

    let empty = wixsync(&["plan", "--workspace"], root);
    assert_eq!(empty.status.code(), Some(1));
    assert!(
        text(&empty.stderr).contains("no folder below it holds a wix-events.yaml"),
        "{}",
        text(&empty.stderr)
    );

    write_files(root, &[("package.json", "{ \"workspaces\": \"apps/*\" }")]);
    let shape = wixsync(&["plan", "--workspace"], root);
    assert_eq!(shape.status.code(), Some(1));
    assert!(
        text(&shape.stderr).contains("`workspaces` is neither an array of globs"),
        "{}",
        text(&shape.stderr)
    );

    write_files(
        root,
        &[(
            "package.json",
            "{ \"workspaces\": {\"packages\": [\"apps/*\"]} }",
        )],
    );
    app(root, "apps/x", ONE_EVENT);
    let found = discover(root, Members::Manifests).unwrap();
    assert_eq!(found.source, Source::PackageJson);
    assert_eq!(
        found
            .apps
            .iter()
            .map(|a| a.rel.as_str())
            .collect::<Vec<_>>(),
        ["apps/x"]
    );
}

#[test]
fn import_workspace_adopts_the_apps_without_a_manifest_and_skips_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[(
            "package.json",
            r#"{ "name": "mono", "private": true, "workspaces": ["apps/*"] }"#,
        )],
    );
    app(root, "apps/adopted", ONE_EVENT);
    app(root, "apps/managed", ONE_EVENT);
    for rel in ["apps/adopted", "apps/managed"] {
        assert_eq!(wixsync(&["apply", rel], root).status.code(), Some(0));
    }
    // The template app's package.json depends on @wix/astro: a Wix app without a manifest.
    fs::remove_file(root.join("apps/adopted/wix-events.yaml")).unwrap();
    let managed = fs::read(root.join("apps/managed/wix-events.yaml")).unwrap();

    let out = wixsync(&["import", "--workspace"], root);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(headers(&stdout), ["apps/adopted", "apps/managed"]);
    assert!(
        stdout.contains("apps/managed has its wix-events.yaml already: skipped"),
        "{stdout}"
    );
    assert_eq!(
        last_line(&stdout),
        "2 apps: 1 imported, 1 skipped (a manifest already), 0 failed"
    );
    let imported = fs::read_to_string(root.join("apps/adopted/wix-events.yaml")).unwrap();
    assert!(
        imported.contains("\n  contact-created: crm.contacts.onContactCreated\n"),
        "{imported}"
    );
    assert_eq!(
        fs::read(root.join("apps/managed/wix-events.yaml")).unwrap(),
        managed
    );
    // Imported, every app is in sync; a second import skips both.
    let check = wixsync(&["apply", "--check", "--workspace"], root);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    let again = wixsync(&["import", "--workspace", "--format", "json"], root);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        statuses(&json(&again)),
        [
            ("apps/adopted".to_owned(), "in_sync".to_owned()),
            ("apps/managed".to_owned(), "in_sync".to_owned())
        ]
    );
}
