//! The case corpus: every folder under `cases/` is a small Wix app with its `wix-events.yaml`.
//!
//! One test runs them all. For each case it writes one snapshot (a document with the manifest,
//! the plan, the diagnostics and the diff), then applies the plan to a copy of the app and
//! checks what must hold for every case:
//! - a second plan over the result is empty, and a second apply writes nothing;
//! - every line of `src/extensions.ts` that does not name an event extension survives, in
//!   order and byte for byte.
//!
//! A case may hold a file `case.args` with flags (`--force`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{copy_dir, fixed_ids, snapshot_tree, workspace};
use wixsync::changeset::Change;
use wixsync::reconcile::{Options, reconcile};
use wixsync::render::{Palette, render_diff, render_steps};
use wixsync_schema::diagnostic::render_plain;

fn names_event(line: &str, names: &[String]) -> bool {
    let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
    line.contains("extensions/backend/events/")
        || names.iter().any(|name| {
            line.match_indices(name.as_str()).any(|(i, _)| {
                !is_ident(line[..i].chars().next_back())
                    && !is_ident(line[i + name.len()..].chars().next())
            })
        })
}

/// Checks that every line of `before` that names no event extension is still in `after`, in
/// order and byte for byte. Two changes are allowed: a one-line chain may have gained
/// `.use(event)` links at its end, and the `;` that ends the chain may have moved between its
/// last line and event links appended or removed after it.
fn lines_survive(before: &str, after: &str, names: &[String]) -> Result<(), String> {
    let mut after_lines = after.split_inclusive('\n').map(|line| {
        names.iter().fold(line.to_owned(), |line, name| {
            line.replace(&format!(".use({name})"), "")
        })
    });
    for line in before
        .split_inclusive('\n')
        .filter(|l| !names_event(l, names))
    {
        // The chain's last line hands its `;` on to the links appended after it.
        let unterminated = line.replacen(';', "", 1);
        let survives = |candidate: &String| {
            *candidate == line
                || *candidate == unterminated
                || candidate.replacen(';', "", 1) == line
        };
        if !after_lines.any(|candidate| survives(&candidate)) {
            return Err(format!("the line {line:?} did not survive"));
        }
    }
    Ok(())
}

/// Local names bound to event builders by the imports of a registry text.
fn event_locals(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        if !line.contains("extensions/backend/events/") {
            continue;
        }
        let Some(rest) = line.trim_start().strip_prefix("import") else {
            continue;
        };
        let binding = rest.split(" from").next().unwrap_or_default();
        for part in binding.split([',', '{', '}', ' ']) {
            if !part.is_empty() && part != "as" {
                names.push(part.to_owned());
            }
        }
    }
    names
}

fn run_case(case: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let doc = run_case_in(case, dir.path());
    // Diagnostics name the manifest by its path: keep the snapshot free of the temporary folder.
    doc.replace(&format!("{}/", dir.path().display()), "")
}

fn run_case_in(case: &Path, dir: &Path) -> String {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let args = fs::read_to_string(case.join("case.args")).unwrap_or_default();
    let app = dir.join(&name);
    copy_dir(case, &app);
    let _ = fs::remove_file(app.join("case.args"));
    let options = Options {
        force: args.contains("--force"),
        fresh_ids: Some(fixed_ids(64)),
        ..Options::default()
    };
    let manifest = fs::read_to_string(app.join("wix-events.yaml")).unwrap_or_default();
    let mut doc = format!("# manifest\n{manifest}");
    if !doc.ends_with('\n') {
        doc.push('\n');
    }
    let reconciliation = match reconcile(&app, &options) {
        Ok(r) => r,
        Err(failure) => {
            doc.push_str("\n# diagnostics (exit 1, nothing written)\n");
            doc.push_str(&render_plain(&failure.diagnostics(), 100));
            return doc;
        }
    };
    let plan = &reconciliation.plan;
    let mut steps = Vec::new();
    render_steps(&mut steps, plan, Palette::new(false)).unwrap();
    doc.push_str("\n# plan\n");
    doc.push_str(if steps.is_empty() {
        "(nothing to do)\n"
    } else {
        std::str::from_utf8(&steps).unwrap()
    });
    let diagnostics: Vec<_> = reconciliation
        .diagnostics()
        .into_iter()
        .skip(reconciliation.manifest.warnings.len())
        .collect();
    if !diagnostics.is_empty() {
        doc.push_str("\n# diagnostics\n");
        doc.push_str(&render_plain(&diagnostics, 100));
    }
    if !plan.conflicts.is_empty() {
        return doc;
    }
    let mut diff = Vec::new();
    render_diff(&mut diff, &reconciliation.changeset, Palette::new(false)).unwrap();
    doc.push_str("\n# diff\n");
    doc.push_str(std::str::from_utf8(&diff).unwrap());

    // Lines that do not name an event extension survive in order.
    if let Some(change) = reconciliation
        .changeset
        .changes
        .iter()
        .find(|c| c.path() == "src/extensions.ts" && matches!(c, Change::Modify { .. }))
    {
        let before = String::from_utf8(change.before().unwrap().to_vec()).unwrap();
        let after = String::from_utf8(change.after().unwrap().unwrap()).unwrap();
        let mut names = event_locals(&before);
        names.extend(event_locals(&after));
        if let Err(message) = lines_survive(&before, &after, &names) {
            panic!("{name}: src/extensions.ts: {message}");
        }
    }

    // Line ends and byte-order marks do not show in a diff: list them for every written file
    // that is not plain LF without a BOM.
    let mut endings = String::new();
    for change in &reconciliation.changeset.changes {
        let (Some(path), Some(after)) = (change.new_path(), change.after().unwrap()) else {
            continue;
        };
        let crlf = after.windows(2).filter(|w| w == b"\r\n").count();
        let lf = after.iter().filter(|b| **b == b'\n').count() - crlf;
        let bom = after.starts_with("\u{feff}".as_bytes());
        if crlf > 0 || bom {
            endings.push_str(&format!(
                "{path}: {crlf} CRLF, {lf} LF{}\n",
                if bom { ", BOM" } else { "" }
            ));
        }
    }
    if !endings.is_empty() {
        doc.push_str("\n# line ends\n");
        doc.push_str(&endings);
    }

    wixsync::commit::commit(&app, &reconciliation.changeset).unwrap();
    let again = reconcile(&app, &options).unwrap();
    assert!(
        again.plan.is_empty(),
        "{name}: the second plan is not empty: {:?}",
        again.plan.steps
    );
    let before = snapshot_tree(&app);
    wixsync::commit::commit(&app, &again.changeset).unwrap();
    assert_eq!(
        before,
        snapshot_tree(&app),
        "{name}: a second apply wrote something"
    );
    doc
}

#[test]
fn cases() {
    let root = workspace().join("cases");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let doc = run_case(&case);
        common::snapshot(&format!("case__{name}"), &doc);
    }
}
