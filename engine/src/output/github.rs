//! `--format github`: GitHub Actions workflow commands and a Markdown job summary.
//!
//! - [`write_commands`] (stdout): one `::error`/`::warning`/`::notice` command per diagnostic,
//!   at its file, line and column, and one per step, at the manifest line of the entry that
//!   causes it (an error under `apply --check`, which fails the job; a notice for `plan` and
//!   `apply`). GitHub shows only 10 annotations of each level per step on the run page: when
//!   there are more, one notice says so first, and the job summary lists every one.
//! - [`write_summary`] (appended to `$GITHUB_STEP_SUMMARY`): per app a table of its status and
//!   counts, every step and diagnostic, and the diff in a collapsed `<details>` block.
//! - [`write_log`] (stderr): the steps and the diff as text, in a collapsed log group.
//!
//! Escaping follows the runner (`@actions/core`'s `command.ts`): in the message `%`, CR and LF
//! become `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A` and `%2C`.
//! Renders only; [`write_summary_file`] is the one function that opens a file.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::{self, Write};

use super::report::{
    AppReport, CommandName, Counts, DiagnosticReport, Report, SeverityName, Status, StepReport,
};

/// How many annotations of one level GitHub shows per step.
/// Source: GitHub Docs, "Workflow commands for GitHub Actions" (limits on annotations: 10
/// error, 10 warning and 10 notice annotations per step).
pub const SHOWN_PER_LEVEL: usize = 10;

/// An annotation's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `::error`.
    Error,
    /// `::warning`.
    Warning,
    /// `::notice`.
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One workflow-command annotation before escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Its level.
    pub level: Level,
    /// `file=`, relative to the current directory (the runner resolves it from the
    /// repository root, so run wixsync there).
    pub file: Option<String>,
    /// `line=` and `endLine=`.
    pub line: Option<(usize, usize)>,
    /// `col=` and `endColumn=` (only on a single line, as GitHub requires).
    pub column: Option<(usize, Option<usize>)>,
    /// `title=`.
    pub title: String,
    /// The message; may span lines.
    pub message: String,
}

/// Escapes a workflow command's message: `%`, CR, LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: `%`, CR, LF, `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl Annotation {
    /// The workflow command line, without its line end.
    pub fn command(&self) -> String {
        let mut properties = Vec::new();
        if let Some(file) = &self.file {
            properties.push(format!("file={}", escape_property(file)));
        }
        if let Some((line, end)) = self.line {
            properties.push(format!("line={line}"));
            properties.push(format!("endLine={end}"));
        }
        if let Some((col, end)) = self.column {
            properties.push(format!("col={col}"));
            if let Some(end) = end {
                properties.push(format!("endColumn={end}"));
            }
        }
        properties.push(format!("title={}", escape_property(&self.title)));
        format!(
            "::{} {}::{}",
            self.level.command(),
            properties.join(","),
            escape_data(&self.message)
        )
    }
}

fn diagnostic_annotation(d: &DiagnosticReport) -> Annotation {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\n\nhelp: ");
        message.push_str(help);
    }
    let single_line = d.line.is_some() && d.line == d.end_line;
    Annotation {
        level: match d.severity {
            SeverityName::Error => Level::Error,
            SeverityName::Warning => Level::Warning,
        },
        file: d.file.clone(),
        line: d.line.map(|l| (l, d.end_line.unwrap_or(l))),
        column: d.column.map(|c| (c, d.end_column.filter(|_| single_line))),
        title: format!("wixsync {}", d.code),
        message,
    }
}

fn step_annotation(command: CommandName, app: &AppReport, step: &StepReport) -> Annotation {
    let (level, title, next) = match (command, app.status) {
        (CommandName::Import, _) => (
            Level::Notice,
            "wixsync: imported",
            "\nRun `wixsync apply --check` to confirm the app matches it.",
        ),
        (_, Status::Applied) => (Level::Notice, "wixsync: applied", ""),
        (CommandName::Check, Status::Pending) => (
            Level::Error,
            "wixsync: drift",
            "\nRun `wixsync apply` to make this change, and commit the result.",
        ),
        (_, Status::Conflict) => (Level::Notice, "wixsync: planned, stopped by a conflict", ""),
        _ => (
            Level::Notice,
            "wixsync: pending change",
            "\nRun `wixsync apply` to make this change.",
        ),
    };
    Annotation {
        level,
        file: Some(app.manifest.clone()),
        line: step.manifest_line.map(|l| (l, l)),
        column: None,
        title: title.to_owned(),
        message: format!("{}\nwhy: {}{next}", step.summary, step.reason),
    }
}

/// Every annotation of the report, in order: per app, its diagnostics, then its steps.
pub fn annotations(report: &Report) -> Vec<Annotation> {
    let mut out = Vec::new();
    for app in &report.apps {
        out.extend(app.diagnostics.iter().map(diagnostic_annotation));
        out.extend(
            app.steps
                .iter()
                .map(|s| step_annotation(report.command, app, s)),
        );
    }
    out
}

/// Writes the workflow commands: a notice first when a level has more annotations than
/// GitHub shows, then every annotation.
///
/// # Errors
///
/// The writer's.
pub fn write_commands(out: &mut (impl Write + ?Sized), report: &Report) -> io::Result<()> {
    let all = annotations(report);
    let count = |level| all.iter().filter(|a| a.level == level).count();
    let over: Vec<String> = [Level::Error, Level::Warning, Level::Notice]
        .into_iter()
        .map(|level| (level, count(level)))
        .filter(|(_, n)| *n > SHOWN_PER_LEVEL)
        .map(|(level, n)| format!("{n} {}s", level.command()))
        .collect();
    if !over.is_empty() {
        let note = Annotation {
            level: Level::Notice,
            file: None,
            line: None,
            column: None,
            title: "wixsync: more annotations than GitHub shows".to_owned(),
            message: format!(
                "wixsync reported {}; GitHub shows {SHOWN_PER_LEVEL} of each level per step. \
                 The job summary lists all of them.",
                over.join(" and ")
            ),
        };
        writeln!(out, "{}", note.command())?;
    }
    for annotation in &all {
        writeln!(out, "{}", annotation.command())?;
    }
    Ok(())
}

/// Writes the steps and the diff of every app as text, the diff in a collapsed log group
/// (`::group::`), for the step's log.
///
/// # Errors
///
/// The writer's.
pub fn write_log(out: &mut (impl Write + ?Sized), report: &Report) -> io::Result<()> {
    for app in &report.apps {
        writeln!(
            out,
            "{}: {}",
            app.path,
            status_text(report.command, app.status)
        )?;
        for step in &app.steps {
            writeln!(out, "  {}", step.summary)?;
            writeln!(out, "    why: {}", step.reason)?;
        }
        if !app.diff.is_empty() {
            writeln!(out, "::group::Diff of {}", app.path)?;
            out.write_all(app.diff.as_bytes())?;
            writeln!(out, "::endgroup::")?;
        }
    }
    Ok(())
}

fn status_text(command: CommandName, status: Status) -> &'static str {
    match (command, status) {
        (CommandName::Import, Status::Applied) => "imported (wix-events.yaml written)",
        (_, Status::InSync) => "in sync with its manifest",
        (CommandName::Check, Status::Pending) => "drifted from its manifest",
        (_, Status::Pending) => "changes pending",
        (_, Status::Applied) => "applied",
        (_, Status::Conflict) => "conflict (nothing written)",
        (_, Status::Error) => "error (nothing written)",
    }
}

fn status_cell(command: CommandName, status: Status) -> String {
    let mark = match (command, status) {
        (_, Status::InSync | Status::Applied) => "✅",
        (CommandName::Plan, Status::Pending) => "📝",
        _ => "❌",
    };
    format!("{mark} {}", status_text(command, status))
}

/// Text for a Markdown table cell: no line breaks, `|` escaped, HTML neutralised.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// Inline code for a Markdown cell: a fence longer than any run of backticks inside.
fn code(text: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    cell(&format!("{fence}{pad}{text}{pad}{fence}"))
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn counts_row(counts: &Counts) -> [usize; 9] {
    [
        counts.created,
        counts.renamed,
        counts.event_changed,
        counts.id_changed,
        counts.registered,
        counts.removed,
        counts.repaired,
        counts.packages_added,
        counts.migrated,
    ]
}

fn place(d: &DiagnosticReport) -> String {
    match (&d.file, d.line, d.column) {
        (Some(file), Some(line), Some(col)) => format!("{file}:{line}:{col}"),
        (Some(file), Some(line), None) => format!("{file}:{line}"),
        (Some(file), None, _) => file.clone(),
        (None, _, _) => String::new(),
    }
}

/// Writes the Markdown job summary of `report`.
///
/// # Errors
///
/// The writer's.
pub fn write_summary(out: &mut (impl Write + ?Sized), report: &Report) -> io::Result<()> {
    writeln!(out, "## {}\n", report.command.command_line())?;
    for app in &report.apps {
        writeln!(
            out,
            "### `{}`: {}\n",
            app.path,
            status_text(report.command, app.status)
        )?;
        let numbers: Vec<String> = if report.command == CommandName::Import {
            writeln!(out, "| Status | Entries imported |")?;
            writeln!(out, "|---|---:|")?;
            vec![app.counts.imported.to_string()]
        } else {
            writeln!(
                out,
                "| Status | Created | Renamed | Event changed | Id changed | Registered | Removed | Repaired | Packages added | Migrated |"
            )?;
            writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
            counts_row(&app.counts)
                .iter()
                .map(usize::to_string)
                .collect()
        };
        writeln!(
            out,
            "| {} | {} |\n",
            status_cell(report.command, app.status),
            numbers.join(" | ")
        )?;
        if !app.steps.is_empty() {
            writeln!(out, "| Change | Why | Manifest entry |")?;
            writeln!(out, "|---|---|---|")?;
            for step in &app.steps {
                let at = step
                    .manifest_line
                    .map(|l| code(&format!("{}:{l}", app.manifest)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "| {} | {} | {at} |",
                    cell(&step.summary),
                    cell(&step.reason)
                )?;
            }
            writeln!(out)?;
        }
        if !app.diagnostics.is_empty() {
            writeln!(out, "| Severity | Code | Where | Message |")?;
            writeln!(out, "|---|---|---|---|")?;
            for d in &app.diagnostics {
                let severity = match d.severity {
                    SeverityName::Error => "error",
                    SeverityName::Warning => "warning",
                };
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                let at = place(d);
                let at = if at.is_empty() { at } else { code(&at) };
                writeln!(
                    out,
                    "| {severity} | {} | {at} | {} |",
                    code(&d.code),
                    cell(&message)
                )?;
            }
            writeln!(out)?;
        }
        if !app.diff.is_empty() {
            let fence = "`".repeat((longest_backtick_run(&app.diff) + 1).max(3));
            writeln!(
                out,
                "<details><summary>Diff of {}</summary>\n\n{fence}diff\n{}{}{fence}\n\n</details>\n",
                cell(&app.path),
                app.diff,
                if app.diff.ends_with('\n') { "" } else { "\n" }
            )?;
        }
        if app.status == Status::Pending {
            writeln!(
                out,
                "Run `wixsync apply {}` and commit the result to bring the app in line with `{}`.\n",
                app.path, app.manifest
            )?;
        }
    }
    Ok(())
}

/// Appends the summary to the file named by `GITHUB_STEP_SUMMARY` (`path`); does nothing
/// when it is unset or empty.
///
/// # Errors
///
/// The file cannot be opened or written.
pub fn write_summary_file(path: Option<&OsStr>, report: &Report) -> io::Result<()> {
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut text = Vec::new();
    write_summary(&mut text, report)?;
    let mut file = OpenOptions::new().append(true).create(true).open(path)?;
    file.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_escape_data_and_properties() {
        let a = Annotation {
            level: Level::Error,
            file: Some("apps/a,b:c/wix-events.yaml".to_owned()),
            line: Some((5, 5)),
            column: Some((3, Some(18))),
            title: "wixsync: drift, 100%".to_owned(),
            message: "50% done\r\nnext line".to_owned(),
        };
        assert_eq!(
            a.command(),
            "::error file=apps/a%2Cb%3Ac/wix-events.yaml,line=5,endLine=5,col=3,endColumn=18,\
             title=wixsync%3A drift%2C 100%25::50%25 done%0D%0Anext line"
        );
    }

    #[test]
    fn backticks_in_code_cells_get_a_longer_fence() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(cell("a|b\n<c>"), "a\\|b<br>&lt;c&gt;");
    }
}
