//! The `wixsync` binary end to end: every exit code, what it prints, what it writes, and the
//! git side of the no-lost-work rule.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{copy_dir, git, isolate_git, snapshot_tree, workspace, write_files};

/// Runs the binary on `dir`; its git calls see no global or system git config.
fn wixsync(args: &[&str], dir: &Path) -> Output {
    isolate_git(&mut Command::new(env!("CARGO_BIN_EXE_wixsync")))
        .args(args)
        .arg(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the wixsync binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn template_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(&workspace().join("cases/template-app"), &app);
    (dir, app)
}

#[test]
fn template_app_end_to_end() {
    let (_dir, app) = template_copy();
    let untouched = snapshot_tree(&app);

    let check = wixsync(&["apply", "--check"], &app);
    assert_eq!(check.status.code(), Some(2), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("has drifted from"));
    assert_eq!(snapshot_tree(&app), untouched, "--check wrote something");

    let plan = wixsync(&["plan"], &app);
    assert_eq!(plan.status.code(), Some(2));
    let out = text(&plan.stdout);
    assert!(out.contains("+++ b/src/extensions/backend/events/contact-created/contact-created.ts"));
    assert!(out.contains("+  .use(contactCreated)"));
    assert!(!out.contains('\x1b'), "colour on a pipe");
    assert_eq!(snapshot_tree(&app), untouched, "plan wrote something");

    let apply = wixsync(&["apply"], &app);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    let out = text(&apply.stdout);
    assert!(out.contains("create contact-created (crm.contacts.onContactCreated)"));
    assert!(out.contains("Applied to"));
    assert!(
        app.join("src/extensions/backend/events/booking-canceled/booking-canceled.ts")
            .is_file()
    );

    // A second apply writes nothing: same bytes, same modification times.
    let applied = snapshot_tree(&app);
    let again = wixsync(&["apply"], &app);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stdout).contains("nothing to do"));
    assert_eq!(snapshot_tree(&app), applied);

    let check = wixsync(&["apply", "--check"], &app);
    assert_eq!(check.status.code(), Some(0));
    let plan = wixsync(&["plan"], &app);
    assert_eq!(plan.status.code(), Some(0));
}

#[test]
fn a_bad_manifest_exits_1_names_the_place_and_writes_nothing() {
    let (_dir, app) = template_copy();
    write_files(
        &app,
        &[(
            "wix-events.yaml",
            "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreatd\n",
        )],
    );
    let before = snapshot_tree(&app);
    let out = wixsync(&["apply"], &app);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("wix-events.yaml:3:20"), "{err}");
    assert!(
        err.contains("did you mean `crm.contacts.onContactCreated`?"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot_tree(&app), before);
}

#[test]
fn a_missing_manifest_or_app_exits_1_with_help() {
    let dir = tempfile::tempdir().unwrap();
    // A DIR that is no Wix app is an error, not a place to create one.
    let out = wixsync(&["plan"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("is not a Wix app: it has no wix-events.yaml"),
        "{err}"
    );
    // Without DIR, the manifest is looked for here and upward; a temporary folder has none.
    let out = Command::new(env!("CARGO_BIN_EXE_wixsync"))
        .arg("plan")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no wix-events.yaml in this folder or any folder above it"),
        "{err}"
    );

    let out = wixsync(&["plan"], &dir.path().join("no-such-app"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = wixsync(&["apply", "--chek"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--check"),
        "clap suggests the flag"
    );
    let help = Command::new(env!("CARGO_BIN_EXE_wixsync"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Exit codes:"));
}

#[test]
fn manifest_flag_names_another_file() {
    let (dir, app) = template_copy();
    let manifest = dir.path().join("events.yaml");
    fs::write(&manifest, "version: 1\nevents: {}\n").unwrap();
    let out = wixsync(&["plan", "--manifest", manifest.to_str().unwrap()], &app);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// An app in a git repository with two committed event extensions, whose manifest then drops
/// `b-two`.
fn committed_app() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().to_owned();
    copy_dir(&workspace().join("cases/remove-own-line"), &app);
    git(&app, &["init", "-q"]);
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-qm", "start"]);
    // Hand-edit b-two's handler and commit it: git can restore it.
    let handler = app.join("src/extensions/backend/events/b-two/b-two.ts");
    let edited = fs::read_to_string(&handler)
        .unwrap()
        .replace("received", "got");
    fs::write(&handler, edited).unwrap();
    git(&app, &["commit", "-qam", "hand edit"]);
    (dir, app)
}

#[test]
fn removing_clean_committed_work_is_allowed() {
    let (_dir, app) = committed_app();
    let out = wixsync(&["apply"], &app);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!app.join("src/extensions/backend/events/b-two").exists());
}

#[test]
fn uncommitted_work_is_refused_then_forced() {
    let (_dir, app) = committed_app();
    let handler = app.join("src/extensions/backend/events/b-two/b-two.ts");
    fs::write(&handler, "// work in progress\n").unwrap();
    let before = snapshot_tree(&app);

    let out = wixsync(&["apply"], &app);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("b-two/b-two.ts would be deleted"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        snapshot_tree(&app),
        before,
        "a refused apply wrote something"
    );

    let plan = wixsync(&["plan"], &app);
    assert_eq!(plan.status.code(), Some(1), "plan shows the conflict");

    let forced = wixsync(&["apply", "--force"], &app);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert!(!handler.exists());
}

#[test]
fn untracked_work_is_refused() {
    let (_dir, app) = committed_app();
    write_files(
        &app,
        &[("src/extensions/backend/events/b-two/notes.md", "mine\n")],
    );
    let out = wixsync(&["apply"], &app);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("b-two/notes.md would be deleted"));
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_on_edited_files() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, app) = template_copy();
    let registry = app.join("src/extensions.ts");
    fs::set_permissions(&registry, fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(wixsync(&["apply"], &app).status.code(), Some(0));
    let mode = fs::metadata(&registry).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[cfg(unix)]
#[test]
fn a_rename_keeps_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(&workspace().join("cases/rename-found-by-event"), &app);
    let handler = app.join("src/extensions/backend/events/old-name/old-name.ts");
    fs::set_permissions(&handler, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(wixsync(&["apply"], &app).status.code(), Some(0));
    let moved = app.join("src/extensions/backend/events/contact-created/contact-created.ts");
    let mode = fs::metadata(&moved).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
}

#[cfg(unix)]
#[test]
fn a_linked_events_folder_is_refused_by_plan_too() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(&workspace().join("cases/in-sync"), &app);
    let events = app.join("src/extensions/backend/events");
    let elsewhere = dir.path().join("elsewhere");
    fs::rename(&events, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &events).unwrap();
    for command in [&["plan"][..], &["apply"][..]] {
        let out = wixsync(command, &app);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("src/extensions/backend/events is a symbolic link"),
            "{err}"
        );
        // The help is about the link, not about where wixsync was run.
        let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            err.contains(
                "help: replace the link src/extensions/backend/events with a copy of the folder"
            ),
            "{err}"
        );
        assert!(!err.contains("run wixsync from the app root"), "{err}");
    }
}

#[test]
fn dir_that_is_a_file_or_missing_is_named() {
    let (_dir, app) = template_copy();
    let out = wixsync(&["plan"], &app.join("wix-events.yaml"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is a file, not an app folder"));
    let out = wixsync(&["plan"], &app.join("nope"));
    assert!(text(&out.stderr).contains("does not exist"));
}
