//! `--format json|github|sarif` end to end through the binary: the JSON document against its
//! committed JSON Schema, SARIF against the official SARIF 2.1.0 schema, the GitHub workflow
//! commands and job summary, and exit codes that do not depend on the format.
//!
//! The SARIF schema is a committed copy (`tests/data/sarif-schema-2.1.0.json`, see
//! `tests/data/README.md` for its source); both schemas are checked with the `jsonschema`
//! crate, formats included.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{copy_dir, workspace, write_files};
use serde_json::Value;

/// Runs the binary in `cwd` with `args`, outside GitHub Actions unless `env` says otherwise.
fn wixsync(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wixsync"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the wixsync binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary folder holding a copy of `case` as `app/`.
fn app_from(case: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &workspace().join("cases").join(case),
        &dir.path().join("app"),
    );
    let cwd = dir.path().to_owned();
    (dir, cwd)
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            text(&output.stdout),
            text(&output.stderr)
        )
    })
}

/// A validator for the schema text `text`, checking `format`s too.
fn schema(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

fn output_schema() -> jsonschema::Validator {
    schema(&fs::read_to_string(workspace().join("schema/wixsync-output.schema.json")).unwrap())
}

fn sarif_schema() -> jsonschema::Validator {
    let text =
        fs::read_to_string(workspace().join("engine/tests/data/sarif-schema-2.1.0.json")).unwrap();
    // Two `pattern`s of the official schema (the `language` of a run and of a tool component)
    // hold a lone `]`, a literal under ECMA-262 Annex B that the `regex` format check of the
    // meta-schema rejects; escaping it keeps their meaning.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(text.matches(stray).count(), 2);
    schema(&text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#))
}

#[test]
fn the_committed_output_schema_is_current() {
    let committed = fs::read_to_string(workspace().join("schema/wixsync-output.schema.json"))
        .expect("schema/wixsync-output.schema.json is committed");
    assert!(
        committed == wixsync::output::json::schema_text(),
        "schema/wixsync-output.schema.json is out of date with engine/src/output/report.rs; \
         regenerate it: cargo run -p wixsync -- schema --output > schema/wixsync-output.schema.json"
    );
    let (dir, _) = app_from("in-sync");
    let printed = wixsync(dir.path(), &["schema", "--output"], &[]);
    assert_eq!(printed.status.code(), Some(0));
    assert_eq!(text(&printed.stdout), committed);
}

#[test]
fn a_drifted_app_in_json() {
    let (_dir, cwd) = app_from("template-app");
    let out = wixsync(&cwd, &["apply", "--check", "app", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "", "json writes nothing to stderr");
    let doc = json_of(&out);
    assert_valid(&output_schema(), &doc, "the check document");
    assert_eq!(doc["format_version"], "1");
    assert_eq!(doc["command"], "check");
    assert_eq!(doc["exit_code"], 2);
    assert_eq!(doc["tool"]["name"], "wixsync");
    let app = &doc["apps"][0];
    assert_eq!(app["path"], "app");
    assert_eq!(app["manifest"], "app/wix-events.yaml");
    assert_eq!(app["status"], "pending");
    // cases/template-app/wix-events.yaml: contact-created on line 4, order-approved on 5,
    // booking-canceled on 6.
    let first = &app["steps"][0];
    assert_eq!(first["kind"], "create");
    assert_eq!(first["folder"], "contact-created");
    assert_eq!(first["event"], "crm.contacts.onContactCreated");
    assert_eq!(first["manifest_line"], 4);
    assert_eq!(
        first["files"],
        serde_json::json!([
            "src/extensions/backend/events/contact-created/contact-created.extension.ts",
            "src/extensions/backend/events/contact-created/contact-created.ts"
        ])
    );
    let register = &app["steps"][1];
    assert_eq!(register["kind"], "register");
    assert_eq!(register["files"], serde_json::json!(["src/extensions.ts"]));
    let lines: Vec<i64> = app["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["manifest_line"].as_i64().unwrap())
        .collect();
    // create + register per entry, then one package per entry (bookings, crm, ecom).
    assert_eq!(lines, [4, 4, 5, 5, 6, 6, 6, 4, 5]);
    assert_eq!(app["counts"]["created"], 3);
    assert_eq!(app["counts"]["registered"], 3);
    assert_eq!(app["counts"]["packages_added"], 3);
    assert_eq!(app["counts"]["removed"], 0);
    assert!(
        app["diff"]
            .as_str()
            .unwrap()
            .contains("+  .use(contactCreated)\n")
    );
    assert_eq!(app["written"], Value::Null);
    assert_eq!(doc["summary"]["pending"], 1);
    assert_eq!(doc["summary"]["apps"], 1);

    // plan: the same steps, exit 2; apply: applied, exit 0, then in sync.
    let plan = wixsync(&cwd, &["plan", "app", "--format", "json"], &[]);
    assert_eq!(plan.status.code(), Some(2));
    assert_eq!(json_of(&plan)["apps"][0]["steps"], app["steps"]);
    let apply = wixsync(&cwd, &["apply", "app", "--format", "json"], &[]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    let applied = json_of(&apply);
    assert_valid(&output_schema(), &applied, "the apply document");
    assert_eq!(applied["command"], "apply");
    assert_eq!(applied["apps"][0]["status"], "applied");
    // 6 new files, src/extensions.ts and package.json.
    assert_eq!(
        applied["apps"][0]["written"],
        serde_json::json!({"files": 8, "deleted": 0})
    );
    let again = wixsync(&cwd, &["apply", "--check", "app", "--format", "json"], &[]);
    assert_eq!(again.status.code(), Some(0));
    let again = json_of(&again);
    assert_valid(&output_schema(), &again, "the in-sync document");
    assert_eq!(again["apps"][0]["status"], "in_sync");
    assert_eq!(again["apps"][0]["steps"], serde_json::json!([]));
    assert_eq!(again["apps"][0]["diff"], "");
    assert_eq!(again["summary"]["in_sync"], 1);
}

#[test]
fn a_rename_lists_old_and_new_paths_and_a_removal_points_at_events() {
    let (_dir, cwd) = app_from("rename-found-by-event");
    let doc = json_of(&wixsync(&cwd, &["plan", "app", "--format", "json"], &[]));
    assert_valid(&output_schema(), &doc, "the rename document");
    let rename = &doc["apps"][0]["steps"][0];
    assert_eq!(rename["kind"], "rename");
    assert_eq!(rename["folder"], "contact-created");
    assert_eq!(rename["event"], "crm.contacts.onContactCreated");
    assert_eq!(rename["manifest_line"], 3);
    assert_eq!(
        rename["files"],
        serde_json::json!([
            "src/extensions.ts",
            "src/extensions/backend/events/contact-created/contact-created.extension.ts",
            "src/extensions/backend/events/contact-created/contact-created.ts",
            "src/extensions/backend/events/old-name/old-name.extension.ts",
            "src/extensions/backend/events/old-name/old-name.ts"
        ])
    );

    // b-two has no entry: its removal points at the `events:` key, line 2.
    let (_dir, cwd) = app_from("remove-own-line");
    let doc = json_of(&wixsync(&cwd, &["plan", "app", "--format", "json"], &[]));
    let steps = doc["apps"][0]["steps"].as_array().unwrap();
    let remove = steps.iter().find(|s| s["kind"] == "remove").unwrap();
    assert_eq!(remove["folder"], "b-two");
    assert_eq!(remove["event"], Value::Null);
    assert_eq!(remove["manifest_line"], 2);
    assert_eq!(
        remove["files"],
        serde_json::json!([
            "src/extensions.ts",
            "src/extensions/backend/events/b-two/b-two.extension.ts",
            "src/extensions/backend/events/b-two/b-two.ts"
        ])
    );
    assert_eq!(doc["apps"][0]["counts"]["removed"], 1);
}

#[test]
fn a_broken_manifest_is_an_app_with_status_error() {
    let (_dir, cwd) = app_from("template-app");
    write_files(
        &cwd.join("app"),
        &[(
            "wix-events.yaml",
            "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreatd\n",
        )],
    );
    let out = wixsync(&cwd, &["apply", "--check", "app", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out);
    assert_valid(&output_schema(), &doc, "the error document");
    let app = &doc["apps"][0];
    assert_eq!(app["status"], "error");
    assert_eq!(app["steps"], serde_json::json!([]));
    let d = &app["diagnostics"][0];
    assert_eq!(d["code"], "manifest::unknown-event");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "app/wix-events.yaml");
    // `crm.contacts.onContactCreatd` starts at line 3, column 20 and is 28 characters long.
    assert_eq!(
        (d["line"].clone(), d["column"].clone()),
        (3.into(), 20.into())
    );
    assert_eq!(
        (d["end_line"].clone(), d["end_column"].clone()),
        (3.into(), 48.into())
    );
    assert!(d["help"].as_str().unwrap().contains("onContactCreated"));
    assert_eq!(doc["summary"]["error"], 1);
    assert_eq!(doc["exit_code"], 1);
}

#[test]
fn a_missing_app_is_reported_in_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = wixsync(dir.path(), &["plan", "nowhere", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out);
    assert_valid(&output_schema(), &doc, "the missing-app document");
    assert_eq!(doc["apps"][0]["diagnostics"][0]["code"], "app::not-an-app");
    assert_eq!(doc["apps"][0]["diagnostics"][0]["file"], Value::Null);
}

#[test]
fn a_conflict_exits_1_with_status_conflict_and_no_diff() {
    let (_dir, cwd) = app_from("conflict-two-entries-claim-one-extension");
    let out = wixsync(&cwd, &["plan", "app", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out);
    assert_valid(&output_schema(), &doc, "the conflict document");
    let app = &doc["apps"][0];
    assert_eq!(app["status"], "conflict");
    assert_eq!(app["diff"], "");
    assert_eq!(app["diagnostics"][0]["code"], "plan::claimed-twice");
    assert_eq!(app["diagnostics"][0]["file"], "app/wix-events.yaml");
    assert_eq!(doc["summary"]["conflict"], 1);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_schema();
    assert!(
        !validator.is_valid(&serde_json::json!({"runs": []})),
        "the schema rejects a log without a version"
    );
    let (_dir, cwd) = app_from("template-app");
    let out = wixsync(&cwd, &["apply", "--check", "app", "--format", "sarif"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let log = json_of(&out);
    assert_valid(&validator, &log, "the drift SARIF log");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["drift::add_package", "drift::create", "drift::register"]
    );
    let first = &run["results"][0];
    assert_eq!(first["ruleId"], "drift::create");
    assert_eq!(first["level"], "error");
    let place = &first["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "app/wix-events.yaml");
    assert_eq!(place["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(place["region"]["startLine"], 4);

    write_files(
        &cwd.join("app"),
        &[(
            "wix-events.yaml",
            "version: 1\nevents:\n  Bad: crm.contacts.onContactCreated\n",
        )],
    );
    let out = wixsync(&cwd, &["plan", "app", "--format", "sarif"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let log = json_of(&out);
    assert_valid(&validator, &log, "the error SARIF log");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "manifest::folder-name");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].clone(), region["startColumn"].clone()),
        (3.into(), 3.into())
    );

    let dir = tempfile::tempdir().unwrap();
    let out = wixsync(dir.path(), &["plan", "nowhere", "--format", "sarif"], &[]);
    assert_valid(&validator, &json_of(&out), "the missing-app SARIF log");
}

/// The workflow commands of a GitHub run, and the job summary it appended.
fn github_run(cwd: &Path, args: &[&str]) -> (Output, String) {
    let summary = cwd.join("summary.md");
    fs::write(&summary, "earlier step\n").unwrap();
    let out = wixsync(
        cwd,
        args,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    let summary = fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("earlier step\n"),
        "the summary is appended to"
    );
    (out, summary)
}

#[test]
fn github_is_the_default_under_actions_and_annotates_the_manifest_line() {
    let (_dir, cwd) = app_from("template-app");
    let (out, summary) = github_run(&cwd, &["apply", "--check", "app"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=app/wix-events.yaml,line=4,endLine=4,title=wixsync%3A drift::create \
         contact-created (crm.contacts.onContactCreated)%0Awhy: no folder `contact-created`, and \
         no extension without an entry subscribes to crm.contacts.onContactCreated%0ARun \
         `wixsync apply` to make this change, and commit the result."
    );
    assert!(
        stdout.lines().all(|l| l.starts_with("::")),
        "stdout holds workflow commands only:\n{stdout}"
    );
    assert_eq!(stdout.lines().count(), 9, "one annotation per step");
    assert!(summary.contains("## wixsync apply --check"));
    assert!(summary.contains("| ❌ drifted from its manifest | 3 | 0 | 0 | 0 | 3 | 0 | 0 | 3 |"));
    assert!(summary.contains("<details><summary>Diff of app</summary>"));
    assert!(summary.contains("+  .use(contactCreated)\n"));
    assert!(text(&out.stderr).contains("::group::Diff of app"));

    // In sync: no annotation, a summary that says so, exit 0.
    assert_eq!(wixsync(&cwd, &["apply", "app"], &[]).status.code(), Some(0));
    let (out, summary) = github_run(&cwd, &["apply", "--check", "app"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert!(summary.contains("| ✅ in sync with its manifest | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"));

    // --format human wins over GITHUB_ACTIONS.
    let (out, _) = github_run(&cwd, &["apply", "--check", "app", "--format", "human"]);
    assert!(text(&out.stdout).contains("nothing to do"));
}

#[test]
fn github_annotates_a_broken_manifest_at_its_place() {
    let (_dir, cwd) = app_from("template-app");
    write_files(
        &cwd.join("app"),
        &[(
            "wix-events.yaml",
            "version: 1\nevents:\n  Bad: crm.contacts.onContactCreated\n",
        )],
    );
    let (out, summary) = github_run(&cwd, &["apply", "--check", "app"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "::error file=app/wix-events.yaml,line=3,endLine=3,col=3,endColumn=6,\
             title=wixsync manifest%3A%3Afolder-name::`Bad` is not a valid folder name%0A%0Ahelp: "
        ),
        "{stdout}"
    );
    assert!(summary.contains("❌ error (nothing written)"));
    assert!(summary.contains("`app/wix-events.yaml:3:3`"));
    // The human diagnostic, with its code frame, goes to the log.
    assert!(text(&out.stderr).contains("wix-events.yaml:3:3"));
}

#[test]
fn more_than_ten_annotations_of_a_level_are_announced_first() {
    let (_dir, cwd) = app_from("template-app");
    let events = [
        "crm.contacts.onContactCreated",
        "crm.contacts.onContactUpdated",
        "crm.contacts.onContactDeleted",
        "ecom.orders.onOrderApproved",
        "ecom.orders.onOrderCanceled",
        "ecom.orders.onOrderCreated",
    ];
    let mut manifest = String::from("version: 1\nevents:\n");
    for (i, event) in events.iter().enumerate() {
        manifest.push_str(&format!("  handler-{i}: {event}\n"));
    }
    write_files(&cwd.join("app"), &[("wix-events.yaml", &manifest)]);
    let (out, summary) = github_run(&cwd, &["plan", "app"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    // 6 creates, 6 registrations, 2 packages: 14 notices, announced by a 15th.
    assert_eq!(lines.len(), 15, "{stdout}");
    assert_eq!(
        lines[0],
        "::notice title=wixsync%3A more annotations than GitHub shows::wixsync reported 14 \
         notices; GitHub shows 10 of each level per step. The job summary lists all of them."
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with("::notice file=app/wix-events.yaml,line="))
    );
    assert_eq!(summary.matches("`app/wix-events.yaml:").count(), 14);
}

#[test]
fn exit_codes_do_not_depend_on_the_format() {
    for (case, args, code) in [
        ("template-app", &["plan"][..], 2),
        ("template-app", &["apply", "--check"][..], 2),
        ("in-sync", &["plan"][..], 0),
        ("in-sync", &["apply", "--check"][..], 0),
        (
            "conflict-two-entries-claim-one-extension",
            &["apply"][..],
            1,
        ),
        ("refuse-extensions-ts-does-not-parse", &["plan"][..], 1),
    ] {
        for format in ["human", "json", "github", "sarif"] {
            let (_dir, cwd) = app_from(case);
            let mut all = args.to_vec();
            all.extend(["app", "--format", format]);
            let out = wixsync(&cwd, &all, &[]);
            assert_eq!(out.status.code(), Some(code), "{case} {all:?}");
            if format == "json" || format == "sarif" {
                json_of(&out);
            }
        }
    }
}

#[test]
fn an_apply_in_progress_is_a_document_too() {
    let (_dir, cwd) = app_from("in-sync");
    // Another process's apply holds the app's lock (outside git: `<app>/.wixsync/lock`).
    let base = cwd.join("app/.wixsync");
    fs::create_dir_all(&base).unwrap();
    let held = fs::File::create(base.join("lock")).unwrap();
    held.lock().unwrap();
    let out = wixsync(&cwd, &["apply", "--check", "app", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc = json_of(&out);
    assert_valid(&output_schema(), &doc, "the busy document");
    let app = &doc["apps"][0];
    assert_eq!(app["status"], "error");
    assert_eq!(app["diagnostics"][0]["code"], "apply::in-progress");
    drop(held);
}
