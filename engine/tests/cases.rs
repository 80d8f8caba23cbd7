//! The case corpus: every folder under `cases/` is a small Wix app with its `wix-events.yaml`,
//! and one test named by the folder: `cargo test -p wixsync remove-own-line` runs that case
//! alone, and a failing case does not hide the others.
//!
//! Each test copies the case to a temporary folder and runs the command line in process, as
//! a user would: `wixsync plan DIR`, then `wixsync apply DIR` (with the case's flags). Its
//! snapshot, `snapshots/case__<folder>.snap`, is a document of four sections:
//!
//! - `# manifest`: the case's `wix-events.yaml`;
//! - `# wixsync plan (exit N)` and `# wixsync apply (exit N)`, each with what the command
//!   printed under `## stdout` and `## stderr` (an empty stream is left out), the temporary
//!   folder cut from every path;
//! - `# line ends`, when apply wrote a file with CRLF line ends or a byte-order mark (a diff
//!   does not show them): its path and line-end counts.
//!
//! Then it checks what must hold for every case:
//! - `plan` writes nothing; `apply` exits 1 exactly when `plan` does, and then writes
//!   nothing; it writes something exactly when `plan` exits 2 (changes pending);
//! - after an apply, a second `plan` finds nothing to do and a second `apply` writes nothing
//!   (same bytes, same modification times);
//! - every line of `src/extensions.ts` that does not name an event extension survives, in
//!   order and byte for byte. A one-line chain may gain `.use(...)` links at its end; the
//!   `;` that ends a multi-line chain may move only in the cases whose `case.toml` says
//!   `semicolon-moves = true`.
//!
//! A case may hold a `case.toml` (see [`common::CaseConfig`]): `args = ["--force"]`,
//! `semicolon-moves = true`. Two more tests: `every-snapshot-has-a-case` finds snapshots left
//! behind by a renamed or deleted case, and
//! `lines-survive-allows-a-moved-semicolon-only-when-told` checks that check.
//!
//! This is a `harness = false` test run by libtest-mimic, which names the tests at run time
//! and takes the usual filters and flags (`--exact`, `--list`, `--test-threads`).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{copy_case, fixed_ids, snapshot_tree, workspace};
use libtest_mimic::{Arguments, Failed, Trial};
use wixsync::cli::{Streams, run_with_ids};

/// The app's registry, whose lines [`lines_survive`] follows.
const REGISTRY: &str = "src/extensions.ts";

fn main() {
    // SAFETY: no other thread runs yet.
    unsafe { common::isolate_git_in_process() };
    let args = Arguments::from_args();
    let root = workspace().join("cases");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no case under {}", root.display());
    let names: Vec<String> = cases.iter().map(|case| folder_name(case)).collect();
    let mut trials: Vec<Trial> = cases
        .into_iter()
        .map(|case| Trial::test(folder_name(&case), move || run_case(&case)))
        .collect();
    trials.push(Trial::test("every-snapshot-has-a-case", move || {
        snapshots_have_cases(&names)
    }));
    trials.push(Trial::test(
        "lines-survive-allows-a-moved-semicolon-only-when-told",
        lines_survive_checks_the_semicolon,
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn folder_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Fails when `snapshots/` holds a `case__*.snap` of no case folder in `names`.
fn snapshots_have_cases(names: &[String]) -> Result<(), Failed> {
    let mut orphans = Vec::new();
    for entry in fs::read_dir(workspace().join("snapshots")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(case) = file
            .strip_prefix("case__")
            .and_then(|rest| rest.strip_suffix(".snap"))
            && !names.iter().any(|name| name == case)
        {
            orphans.push(file);
        }
    }
    if orphans.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "snapshots of no case folder (delete them, or restore the case): {}",
            orphans.join(", ")
        )
        .into())
    }
}

/// [`lines_survive`] on hand-written texts: an appended link that takes the chain's `;`, a
/// removed last link that hands it back, a one-line chain that grows, and a lost line.
fn lines_survive_checks_the_semicolon() -> Result<(), Failed> {
    let names = ["contactCreated".to_owned()];
    let before = "import a from 'a';\n\nexport default app()\n  .use(myPage);\n";
    let appended =
        "import a from 'a';\n\nexport default app()\n  .use(myPage)\n  .use(contactCreated);\n";
    assert!(lines_survive(before, appended, &names, false).is_err());
    assert_eq!(lines_survive(before, appended, &names, true), Ok(()));
    assert!(lines_survive(appended, before, &names, false).is_err());
    assert_eq!(lines_survive(appended, before, &names, true), Ok(()));
    let one_line = "export default app().use(myPage);\n";
    let grown = "export default app().use(myPage).use(contactCreated);\n";
    assert_eq!(lines_survive(one_line, grown, &names, false), Ok(()));
    let lost = "import a from 'a';\nexport default app()\n  .use(myPage);\n";
    assert_eq!(
        lines_survive(before, lost, &names, true),
        Err("the line \"\\n\" did not survive".to_owned())
    );
    Ok(())
}

/// What one run of the command line printed, and its exit code.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run as a snapshot section headed `# wixsync ARGS (exit N)`.
    fn section(&self, command: &str) -> String {
        let mut out = format!("\n# wixsync {command} (exit {})\n", self.code);
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if text.is_empty() {
                continue;
            }
            out.push_str(&format!("## {name}\n{text}"));
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// Runs `wixsync COMMAND FLAGS APP` in process, with the fixed UUIDs of [`fixed_ids`], and
/// cuts `tmp` (the folder holding `APP`) from the output.
fn wixsync(command: &str, flags: &[String], app: &Path, tmp: &Path) -> Run {
    let mut args = vec!["wixsync".to_owned(), command.to_owned()];
    args.extend(flags.iter().cloned());
    args.push(app.display().to_string());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = run_with_ids(
        args,
        &mut Streams {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
        },
        Some(fixed_ids(64)),
    );
    let prefix = format!("{}/", tmp.display());
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap().replace(&prefix, "");
    Run {
        code,
        stdout: text(stdout),
        stderr: text(stderr),
    }
}

/// An app folder as [`snapshot_tree`] sees it: (path, bytes, modification time), by path.
type Tree = Vec<(String, Vec<u8>, SystemTime)>;

fn run_case(case: &Path) -> Result<(), Failed> {
    let name = folder_name(case);
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join(&name);
    let config = copy_case(case, &app);
    let flags = config.args.join(" ");
    let command = |verb: &str| {
        if flags.is_empty() {
            verb.to_owned()
        } else {
            format!("{verb} {flags}")
        }
    };

    let manifest = fs::read_to_string(app.join("wix-events.yaml")).unwrap_or_default();
    let mut doc = format!("# manifest\n{manifest}");
    if !doc.ends_with('\n') {
        doc.push('\n');
    }

    let untouched = snapshot_tree(&app);
    let plan = wixsync("plan", &config.args, &app, tmp.path());
    doc.push_str(&plan.section(&command("plan")));
    let plan_wrote = snapshot_tree(&app) != untouched;
    let apply = wixsync("apply", &config.args, &app, tmp.path());
    doc.push_str(&apply.section(&command("apply")));
    let applied = snapshot_tree(&app);
    doc.push_str(&line_ends(&untouched, &applied));
    // The snapshot first: when an invariant fails, its `.snap.new` shows what happened.
    common::snapshot(&format!("case__{name}"), &doc);

    if plan_wrote {
        return Err("`plan` wrote something".into());
    }
    match (plan.code, apply.code, applied != untouched) {
        (2, 0, true) | (0, 0, false) | (1, 1, false) => {}
        (2, 0, false) => return Err("`plan` had changes, but `apply` wrote nothing".into()),
        (0, 0, true) => {
            return Err("`plan` found nothing to do, but `apply` wrote something".into());
        }
        (1, 1, true) => return Err("`apply` exited 1 but wrote something".into()),
        (plan, apply, _) => return Err(format!("`plan` exited {plan}, `apply` {apply}").into()),
    }

    if apply.code == 0 {
        registry_lines_survive(&untouched, &applied, config.semicolon_moves)?;
        let again = wixsync("plan", &config.args, &app, tmp.path());
        if again.code != 0 {
            return Err(format!(
                "the second plan has something to do:\n{}",
                again.section(&command("plan"))
            )
            .into());
        }
        let again = wixsync("apply", &config.args, &app, tmp.path());
        if again.code != 0 || snapshot_tree(&app) != applied {
            return Err(format!(
                "the second apply wrote something:\n{}",
                again.section(&command("apply"))
            )
            .into());
        }
    }
    Ok(())
}

/// The `# line ends` section: every file of `after` that is new or changed since `before`
/// and has a CRLF line end or a byte-order mark, with its CRLF and LF counts; empty when
/// there is none.
fn line_ends(before: &Tree, after: &Tree) -> String {
    let old: BTreeMap<&str, &[u8]> = before
        .iter()
        .map(|(path, bytes, _)| (path.as_str(), bytes.as_slice()))
        .collect();
    let mut out = String::new();
    for (path, bytes, _) in after {
        if old.get(path.as_str()) == Some(&bytes.as_slice()) {
            continue;
        }
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        let lf = bytes.iter().filter(|b| **b == b'\n').count() - crlf;
        let bom = bytes.starts_with("\u{feff}".as_bytes());
        if crlf > 0 || bom {
            out.push_str(&format!(
                "{path}: {crlf} CRLF, {lf} LF{}\n",
                if bom { ", BOM" } else { "" }
            ));
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("\n# line ends\n{out}")
    }
}

/// [`lines_survive`] for `src/extensions.ts`, when apply changed it.
fn registry_lines_survive(
    before: &Tree,
    after: &Tree,
    semicolon_moves: bool,
) -> Result<(), Failed> {
    let text = |tree: &Tree| {
        tree.iter()
            .find(|(path, _, _)| path == REGISTRY)
            .map(|(_, bytes, _)| String::from_utf8(bytes.clone()).unwrap())
    };
    let (Some(before), Some(after)) = (text(before), text(after)) else {
        return Ok(());
    };
    if before == after {
        return Ok(());
    }
    let mut names = event_locals(&before);
    names.extend(event_locals(&after));
    lines_survive(&before, &after, &names, semicolon_moves)
        .map_err(|message| format!("{REGISTRY}: {message}").into())
}

/// Whether `line` names an event extension: an event folder's path, or one of `names` as a
/// whole identifier.
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
/// order and byte for byte, but that a one-line chain may have gained `.use(event)` links at
/// its end. With `semicolon_moves`, the `;` ending the chain may also have moved between its
/// last line and event links appended after it or removed from after it.
fn lines_survive(
    before: &str,
    after: &str,
    names: &[String],
    semicolon_moves: bool,
) -> Result<(), String> {
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
                || semicolon_moves
                    && (*candidate == unterminated || candidate.replacen(';', "", 1) == line)
        };
        if !after_lines.any(|candidate| survives(&candidate)) {
            let hint = if semicolon_moves {
                ""
            } else {
                " (if only its `;` moved, and rightly, say `semicolon-moves = true` in the \
                 case's case.toml)"
            };
            return Err(format!("the line {line:?} did not survive{hint}"));
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
