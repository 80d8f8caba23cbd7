//! Safety holes a new user found (issue "Safety holes"), each tested through the binary on a
//! real folder: what an empty or stray folder, work hidden from `git diff`, a failing git and a
//! run from the wrong folder must never cost.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{git, isolate_git, snapshot_tree, write_files};

const UUID: &str = "3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718";

fn wixsync(args: &[&str], cwd: &Path) -> Output {
    isolate_git(&mut Command::new(env!("CARGO_BIN_EXE_wixsync")))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the wixsync binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An app with one hand-written extension, `new-contact`, registered.
fn app(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "package.json",
                "{\n  \"dependencies\": {\n    \"@wix/astro\": \"^2.74.0\",\n    \"@wix/crm\": \"^1.0.1643\"\n  }\n}\n",
            ),
            (
                "src/extensions.ts",
                "import { app } from '@wix/astro/builders';\nimport newContact from './extensions/backend/events/new-contact/new-contact.extension.ts';\n\nexport default app()\n  .use(newContact)\n",
            ),
            (
                "src/extensions/backend/events/new-contact/new-contact.extension.ts",
                &format!(
                    "import {{ extensions }} from '@wix/astro/builders';\n\nexport default extensions.event({{\n  id: '{UUID}',\n  source: './extensions/backend/events/new-contact/new-contact.ts',\n}});\n"
                ),
            ),
            (
                "src/extensions/backend/events/new-contact/new-contact.ts",
                "import { contacts } from '@wix/crm';\n\nexport default contacts.onContactCreated(async (event) => {\n  // hand-edited: welcome them\n  console.log(event.entity._id);\n});\n",
            ),
            (
                "wix-events.yaml",
                "version: 1\nevents:\n  new-contact: crm.contacts.onContactCreated\n",
            ),
        ],
    );
}

#[test]
fn a_rename_into_an_empty_folder_keeps_the_uuid() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    // Left behind by a branch switch.
    fs::create_dir_all(root.join("src/extensions/backend/events/contact-welcome")).unwrap();
    fs::write(
        root.join("wix-events.yaml"),
        "version: 1\nevents:\n  contact-welcome:\n    event: crm.contacts.onContactCreated\n    renamed-from: [new-contact]\n",
    )
    .unwrap();
    let out = wixsync(&["apply"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let builder = fs::read_to_string(
        root.join("src/extensions/backend/events/contact-welcome/contact-welcome.extension.ts"),
    )
    .unwrap();
    assert!(builder.contains(UUID), "{builder}");
    let handler = fs::read_to_string(
        root.join("src/extensions/backend/events/contact-welcome/contact-welcome.ts"),
    )
    .unwrap();
    assert!(handler.contains("hand-edited: welcome them"), "{handler}");
    assert!(
        !root
            .join("src/extensions/backend/events/new-contact")
            .exists()
    );
    assert_eq!(wixsync(&["apply", "--check"], root).status.code(), Some(0));
}

#[test]
fn an_empty_folder_no_entry_names_is_left_alone_and_never_fails_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    fs::create_dir_all(root.join("src/extensions/backend/events/half-renamed")).unwrap();
    let out = wixsync(&["plan"], root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        root.join("src/extensions/backend/events/half-renamed")
            .is_dir()
    );
}

/// A committed app whose handler was edited after the commit and hidden from `git diff` with
/// `flag`; the manifest then drops the extension.
fn hidden_edit(flag: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    git(root, &["init", "-q"]);
    common::git_commit(root, "start");
    let handler = "src/extensions/backend/events/new-contact/new-contact.ts";
    fs::write(
        root.join(handler),
        "import { contacts } from '@wix/crm';\n\nexport default contacts.onContactCreated(async () => {\n  // a day of work, never committed\n});\n",
    )
    .unwrap();
    git(root, &["update-index", flag, handler]);
    fs::write(root.join("wix-events.yaml"), "version: 1\nevents: {}\n").unwrap();
    let out = wixsync(&["apply"], root);
    (dir, out)
}

#[test]
fn work_hidden_by_assume_unchanged_is_still_work() {
    let (dir, out) = hidden_edit("--assume-unchanged");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("git cannot restore"), "{err}");
    assert!(
        fs::read_to_string(
            dir.path()
                .join("src/extensions/backend/events/new-contact/new-contact.ts")
        )
        .unwrap()
        .contains("a day of work")
    );
}

#[test]
fn work_hidden_by_skip_worktree_is_still_work() {
    let (dir, out) = hidden_edit("--skip-worktree");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("git cannot restore"));
    assert!(
        dir.path()
            .join("src/extensions/backend/events/new-contact/new-contact.ts")
            .exists()
    );
}

#[test]
fn committed_unchanged_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    git(root, &["init", "-q"]);
    common::git_commit(root, "start");
    fs::write(root.join("wix-events.yaml"), "version: 1\nevents: {}\n").unwrap();
    let out = wixsync(&["apply"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !root
            .join("src/extensions/backend/events/new-contact")
            .exists()
    );
}

#[test]
fn a_broken_repository_is_said_to_be_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    // A `.git` file that points nowhere: git fails in this folder.
    fs::write(root.join(".git"), "gitdir: /nonexistent/wixsync-test\n").unwrap();
    fs::write(root.join("wix-events.yaml"), "version: 1\nevents: {}\n").unwrap();
    let out = wixsync(&["plan"], root);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("git could not say whether it can restore it"),
        "{err}"
    );
    assert!(!err.contains("not in a git repository"), "{err}");
}

#[test]
fn a_manifest_named_from_a_monorepo_root_works_on_its_own_app() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[(
            "package.json",
            "{ \"private\": true, \"workspaces\": [\"apps/*\"] }\n",
        )],
    );
    let loyalty = root.join("apps/loyalty");
    app(&loyalty);
    fs::write(
        loyalty.join("wix-events.yaml"),
        "version: 1\nevents:\n  new-contact: crm.contacts.onContactCreated\n  order-paid: ecom.orders.onOrderPaymentStatusUpdated\n",
    )
    .unwrap();
    let before_root = fs::read_to_string(root.join("package.json")).unwrap();
    let out = wixsync(
        &["apply", "--manifest", "apps/loyalty/wix-events.yaml"],
        root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !root.join("src").exists(),
        "nothing is created at the monorepo root"
    );
    assert_eq!(
        fs::read_to_string(root.join("package.json")).unwrap(),
        before_root
    );
    assert!(
        loyalty
            .join("src/extensions/backend/events/order-paid/order-paid.ts")
            .exists()
    );
    assert!(
        fs::read_to_string(loyalty.join("package.json"))
            .unwrap()
            .contains("@wix/ecom")
    );
}

#[test]
fn a_run_from_src_finds_the_app_root_above() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    fs::write(
        root.join("wix-events.yaml"),
        "version: 1\nevents:\n  new-contact: crm.contacts.onContactCreated\n  contact-updated: crm.contacts.onContactUpdated\n",
    )
    .unwrap();
    let out = wixsync(&["apply"], &root.join("src"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!root.join("src/src").exists());
    assert!(
        root.join("src/extensions/backend/events/contact-updated/contact-updated.ts")
            .exists()
    );
    let before = snapshot_tree(root);
    let again = wixsync(&["apply", "--check"], &root.join("src/extensions"));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(snapshot_tree(root), before);
}

#[test]
fn strict_makes_a_warning_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    // A full-form event the catalog does not know is a warning under `unknown-events: allow`.
    fs::write(
        root.join("wix-events.yaml"),
        "version: 1\nunknown-events: allow\nevents:\n  new-contact: crm.contacts.onContactCreated\n  exploded: crm.contacts.onContactExploded\n",
    )
    .unwrap();
    let before = snapshot_tree(root);
    let out = wixsync(&["apply", "--strict"], root);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--strict: warnings fail the run"));
    assert_eq!(snapshot_tree(root), before);
    assert_eq!(wixsync(&["plan", "--strict"], root).status.code(), Some(1));
}

#[test]
fn a_lost_builder_gets_its_id_back_from_head() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    git(root, &["init", "-q"]);
    common::git_commit(root, "start");
    let builder = root.join("src/extensions/backend/events/new-contact/new-contact.extension.ts");
    fs::remove_file(&builder).unwrap();
    let out = wixsync(&["apply"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("plan::builder-id-from-head"), "{err}");
    assert!(fs::read_to_string(&builder).unwrap().contains(UUID));
}

#[test]
fn an_app_in_a_subfolder_of_its_repository_removes_committed_files() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let shop = repo.join("apps/shop");
    app(&shop);
    git(repo, &["init", "-q"]);
    common::git_commit(repo, "start");
    fs::write(shop.join("wix-events.yaml"), "version: 1\nevents: {}\n").unwrap();
    let out = wixsync(&["apply", "apps/shop"], repo);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !shop
            .join("src/extensions/backend/events/new-contact")
            .exists()
    );
}
