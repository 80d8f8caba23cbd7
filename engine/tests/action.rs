//! The GitHub Action (`action.yml`) under a simulated runner: each `runs.steps[*].run` script is
//! run with bash as the runner runs a `shell: bash` step (`bash --noprofile --norc -eo pipefail
//! FILE`), with `${{ inputs.* }}`, `${{ github.action_path }}` and `${{ steps.*.outputs.* }}`
//! substituted as the runner would, its `env:`, and `GITHUB_ACTIONS=true`,
//! `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT` (one file per step) and `RUNNER_TEMP` pointing at
//! temporary files. `WIXSYNC_BINARY` points at the freshly built binary, so nothing is
//! installed from npm. Any other `${{ }}` expression fails the test, so the simulation never
//! silently runs something the runner would not.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_dir, workspace, write_files};
use serde_json::Value;

/// What one run of the action left.
struct ActionRun {
    /// The exit status of the last step that ran (the action's).
    status: i32,
    /// Every step's stdout and stderr, in order.
    log: String,
    /// The action's outputs, from `outputs.*.value`.
    outputs: BTreeMap<String, String>,
    /// The job summary.
    summary: String,
}

fn action() -> Value {
    let text = fs::read_to_string(workspace().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).expect("action.yml is YAML")
}

/// Replaces every `${{ ... }}` in `text` with `lookup(expression)`.
fn substitute(text: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed ${{ }}") + start;
        out.push_str(&lookup(rest[start + 3..end].trim()));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `KEY=VALUE` lines of a `GITHUB_OUTPUT` file (the action writes no multi-line values).
fn read_outputs(path: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Runs the action in `workspace_dir` (the runner's `GITHUB_WORKSPACE`) with `inputs`.
fn run_action(workspace_dir: &Path, inputs: &[(&str, &str)]) -> ActionRun {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let temp = tempfile::tempdir().unwrap();
    let summary = temp.path().join("step_summary.md");
    fs::write(&summary, "").unwrap();
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_owned()))
        .collect();
    for (k, v) in inputs {
        assert!(values.contains_key(*k), "action.yml has no input {k}");
        values.insert((*k).to_owned(), (*v).to_owned());
    }
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut log = String::new();
    let mut status = 0;
    for (n, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(step["shell"], "bash", "step {n} runs in bash");
        assert!(step.get("if").is_none(), "the simulation has no `if:`");
        let lookup = |expr: &str| -> String {
            let parts: Vec<&str> = expr.split('.').collect();
            match parts.as_slice() {
                ["inputs", name] => values
                    .get(*name)
                    .unwrap_or_else(|| panic!("no input {name}"))
                    .clone(),
                ["github", "action_path"] => workspace().display().to_string(),
                ["steps", id, "outputs", name] => step_outputs
                    .get(*id)
                    .and_then(|o| o.get(*name))
                    .cloned()
                    .unwrap_or_default(),
                _ => panic!("the simulated runner does not know ${{{{ {expr} }}}}"),
            }
        };
        let script = substitute(step["run"].as_str().unwrap(), &lookup);
        let script_path = temp.path().join(format!("step-{n}.sh"));
        fs::write(&script_path, script).unwrap();
        let output_file = temp.path().join(format!("output-{n}"));
        fs::write(&output_file, "").unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(workspace_dir)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace_dir)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output_file)
            .env("RUNNER_TEMP", temp.path())
            .env("WIXSYNC_BINARY", env!("CARGO_BIN_EXE_wixsync"))
            .env_remove("NO_COLOR");
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                command.env(k, substitute(v.as_str().unwrap(), &lookup));
            }
        }
        let output = command.output().expect("bash runs");
        log.push_str(&String::from_utf8_lossy(&output.stdout));
        log.push_str(&String::from_utf8_lossy(&output.stderr));
        status = output.status.code().unwrap_or(-1);
        if let Some(id) = step["id"].as_str() {
            step_outputs.insert(id.to_owned(), read_outputs(&output_file));
        }
        if status != 0 {
            break;
        }
    }
    let outputs = action["outputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, o)| {
            let value = substitute(o["value"].as_str().unwrap(), &|expr: &str| {
                let parts: Vec<&str> = expr.split('.').collect();
                match parts.as_slice() {
                    ["steps", id, "outputs", name] => step_outputs
                        .get(*id)
                        .and_then(|o| o.get(*name))
                        .cloned()
                        .unwrap_or_default(),
                    _ => panic!("unexpected output expression {expr}"),
                }
            });
            (name.clone(), value)
        })
        .collect();
    ActionRun {
        status,
        log,
        outputs,
        summary: fs::read_to_string(&summary).unwrap(),
    }
}

/// A repository folder holding the template app at `apps/shop`.
fn repository() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &workspace().join("cases/template-app"),
        &dir.path().join("apps/shop"),
    );
    let root = dir.path().to_owned();
    (dir, root)
}

#[test]
fn a_drifted_app_fails_with_an_annotation_at_the_entry_and_a_summary() {
    let (_dir, repo) = repository();
    let run = run_action(&repo, &[("path", "apps/shop")]);
    assert_eq!(run.status, 2, "{}", run.log);
    assert_eq!(run.outputs["drift"], "true");
    assert_eq!(run.outputs["exit-code"], "2");
    // contact-created is on line 4 of cases/template-app/wix-events.yaml.
    assert!(
        run.log.contains(
            "::error file=apps/shop/wix-events.yaml,line=4,endLine=4,title=wixsync%3A drift::create contact-created"
        ),
        "{}",
        run.log
    );
    assert!(run.log.contains("wixsync: using WIXSYNC_BINARY="));
    assert!(run.summary.contains("## wixsync apply --check"));
    assert!(
        run.summary
            .contains("### `apps/shop`: drifted from its manifest")
    );
    assert!(
        run.summary
            .contains("<details><summary>Diff of apps/shop</summary>")
    );
    assert!(run.summary.contains("+  .use(contactCreated)"));
}

#[test]
fn an_in_sync_app_passes_with_drift_false() {
    let (_dir, repo) = repository();
    let apply = Command::new(env!("CARGO_BIN_EXE_wixsync"))
        .args(["apply", "apps/shop", "--format", "human"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(0));
    let run = run_action(&repo, &[("path", "apps/shop")]);
    assert_eq!(run.status, 0, "{}", run.log);
    assert_eq!(run.outputs["drift"], "false");
    assert_eq!(run.outputs["exit-code"], "0");
    assert!(!run.log.contains("::error"), "{}", run.log);
    assert!(run.summary.contains("✅ in sync with its manifest"));
}

#[test]
fn a_broken_manifest_fails_with_exit_code_1_and_an_annotation_at_its_place() {
    let (_dir, repo) = repository();
    write_files(
        &repo.join("apps/shop"),
        &[(
            "wix-events.yaml",
            "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreatd\n",
        )],
    );
    let run = run_action(&repo, &[("path", "apps/shop")]);
    assert_eq!(run.status, 1, "{}", run.log);
    assert_eq!(run.outputs["drift"], "false");
    assert_eq!(run.outputs["exit-code"], "1");
    assert!(
        run.log.contains(
            "::error file=apps/shop/wix-events.yaml,line=3,endLine=3,col=20,endColumn=48,\
             title=wixsync manifest%3A%3Aunknown-event::"
        ),
        "{}",
        run.log
    );
    assert!(run.summary.contains("❌ error (nothing written)"));
}

#[test]
fn plan_reports_drift_without_failing_the_step() {
    let (_dir, repo) = repository();
    let run = run_action(&repo, &[("path", "apps/shop"), ("command", "plan")]);
    assert_eq!(run.status, 0, "{}", run.log);
    assert_eq!(run.outputs["drift"], "true");
    assert_eq!(run.outputs["exit-code"], "2");
    assert!(
        run.log
            .contains("::notice file=apps/shop/wix-events.yaml,line=4")
    );
    assert!(run.summary.contains("## wixsync plan"));
}

#[test]
fn an_unknown_command_input_is_an_error() {
    let (_dir, repo) = repository();
    let run = run_action(&repo, &[("path", "apps/shop"), ("command", "apply")]);
    assert_eq!(run.status, 1);
    assert!(
        run.log
            .contains("input command is 'apply'; it must be check or plan")
    );
    assert_eq!(run.outputs["exit-code"], "1");
}
