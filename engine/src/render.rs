//! Render: plans, diffs and summaries as text for people.
//!
//! Renderers write to any [`Write`] and take a colour switch; tests render without colour.
//! The binary writes through `anstream`, which drops colour when the output is not a terminal
//! or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::changeset::{Change, Changeset};
use crate::commit::CommitReport;
use crate::plan::{Action, Plan, Warning};
use crate::reconcile::Reconciliation;

/// Colours on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    color: bool,
}

impl Palette {
    /// A palette that colours when `color` is true.
    pub fn new(color: bool) -> Self {
        Palette { color }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

fn action_style(action: &Action) -> Style {
    match action {
        Action::Create { .. } | Action::Register { .. } => fg(AnsiColor::Green),
        Action::Remove { .. } | Action::Unregister { .. } => fg(AnsiColor::Red),
        _ => fg(AnsiColor::Yellow),
    }
}

/// One line per step with its reason underneath:
///
/// ```text
///   create        contact-created (crm.contacts.onContactCreated)
///                 why: no folder `contact-created` ...
///                 scopes: any one of Read Contacts, ... (for create and change event)
/// ```
pub fn render_steps(
    out: &mut (impl Write + ?Sized),
    plan: &Plan,
    palette: Palette,
) -> io::Result<()> {
    for step in &plan.steps {
        let verb = step.action.verb().as_str();
        writeln!(
            out,
            "  {} {}",
            palette.paint(action_style(&step.action), &format!("{verb:<12}")),
            step.action.subject()
        )?;
        writeln!(
            out,
            "  {:<12} {}",
            "",
            palette.paint(Style::new().dimmed(), &format!("why: {}", step.reason))
        )?;
        for line in crate::permissions::step_scopes(&step.action, 85) {
            writeln!(
                out,
                "  {:<12} {}",
                "",
                palette.paint(Style::new().dimmed(), &line)
            )?;
        }
    }
    Ok(())
}

/// A unified diff of every file the changeset touches, git style.
pub fn render_diff(
    out: &mut (impl Write + ?Sized),
    changeset: &Changeset,
    palette: Palette,
) -> io::Result<()> {
    for change in &changeset.changes {
        let after = change.after().map_err(io::Error::other)?;
        let (old_name, new_name) = match change {
            Change::Create { path, .. } => ("/dev/null".to_owned(), format!("b/{path}")),
            Change::Delete { path, .. } => (format!("a/{path}"), "/dev/null".to_owned()),
            Change::Modify { path, move_to, .. } => (
                format!("a/{path}"),
                format!("b/{}", move_to.as_deref().unwrap_or(path)),
            ),
        };
        let bold = Style::new().bold();
        writeln!(
            out,
            "{}",
            palette.paint(bold, &format!("diff --wixsync {old_name} {new_name}"))
        )?;
        if let Change::Modify {
            path,
            move_to: Some(to),
            ..
        } = change
        {
            writeln!(out, "rename from {path}")?;
            writeln!(out, "rename to {to}")?;
        }
        let before = change.before().unwrap_or_default();
        let after = after.unwrap_or_default();
        if before == after.as_slice() {
            continue;
        }
        let (Ok(before), Ok(after)) = (std::str::from_utf8(before), std::str::from_utf8(&after))
        else {
            writeln!(out, "Binary files differ")?;
            continue;
        };
        writeln!(out, "{}", palette.paint(bold, &format!("--- {old_name}")))?;
        writeln!(out, "{}", palette.paint(bold, &format!("+++ {new_name}")))?;
        let diff = TextDiff::from_lines(before, after);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            writeln!(
                out,
                "{}",
                palette.paint(fg(AnsiColor::Cyan), &hunk.header().to_string())
            )?;
            for change in hunk.iter_changes() {
                let (sign, style) = match change.tag() {
                    ChangeTag::Delete => ('-', fg(AnsiColor::Red)),
                    ChangeTag::Insert => ('+', fg(AnsiColor::Green)),
                    ChangeTag::Equal => (' ', Style::new()),
                };
                let value = change.value();
                let line = value.strip_suffix('\n').unwrap_or(value);
                let line = line.strip_suffix('\r').unwrap_or(line);
                writeln!(out, "{}", palette.paint(style, &format!("{sign}{line}")))?;
                if change.missing_newline() {
                    writeln!(out, "\\ No newline at end of file")?;
                }
            }
        }
    }
    Ok(())
}

/// How many steps of each kind, as `2 created, 1 renamed`.
pub fn summary(plan: &Plan) -> String {
    let count = |f: fn(&Action) -> bool| plan.steps.iter().filter(|s| f(&s.action)).count();
    let parts = [
        (count(|a| matches!(a, Action::Create { .. })), "created"),
        (count(|a| matches!(a, Action::Rename { .. })), "renamed"),
        (
            count(|a| matches!(a, Action::ChangeEvent { .. })),
            "re-pointed to another event",
        ),
        (
            count(|a| matches!(a, Action::ChangeId { .. })),
            "given a new id",
        ),
        (
            count(|a| matches!(a, Action::Register { .. })),
            "registered",
        ),
        (count(|a| matches!(a, Action::Remove { .. })), "removed"),
        (
            count(|a| matches!(a, Action::AddDependency { .. })),
            "package(s) added to package.json",
        ),
        (
            count(|a| {
                matches!(
                    a,
                    Action::ExportDefault { .. }
                        | Action::FixSource { .. }
                        | Action::Unregister { .. }
                )
            }),
            "repaired",
        ),
        (count(|a| matches!(a, Action::Migrate { .. })), "migrated"),
    ];
    let parts: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    parts.join(", ")
}

/// What `wixsync import` prints once it has written the manifest of the app at `dir` (as
/// given): the file, each entry, and the next step.
pub fn imported(
    out: &mut (impl Write + ?Sized),
    dir: &std::path::Path,
    imported: &crate::import::Imported,
) -> io::Result<()> {
    let shown = dir.display().to_string();
    let at = |file: &str| match shown.trim_end_matches('/') {
        "." | "" => file.to_owned(),
        root => format!("{root}/{file}"),
    };
    let arg = match shown.as_str() {
        "." | "" => String::new(),
        _ => format!(" {shown}"),
    };
    let verb = if imported.replaced {
        "Replaced"
    } else {
        "Wrote"
    };
    let manifest = at(&imported.path);
    let entries = &imported.draft.entries;
    if imported.replaced && imported.written.written == 0 {
        return writeln!(
            out,
            "{manifest} already holds exactly the manifest import writes ({} {}): nothing to \
             write.",
            entries.len(),
            if entries.len() == 1 {
                "entry"
            } else {
                "entries"
            }
        );
    }
    if entries.is_empty() {
        writeln!(
            out,
            "{verb} {manifest}: a starter manifest, since the app has no event extensions yet."
        )?;
        return writeln!(
            out,
            "Next: add an entry for each event the app should handle (`wixsync events` lists \
             them), then run `wixsync apply{arg}`."
        );
    }
    let plural = if entries.len() == 1 {
        "entry"
    } else {
        "entries"
    };
    writeln!(
        out,
        "{verb} {manifest} with {} {plural}, one per event extension:",
        entries.len()
    )?;
    let width = entries.iter().map(|e| e.folder.len()).max().unwrap_or(0);
    for entry in entries {
        let note = if entry.legacy {
            "  (a legacy `/events` handler: `wixsync apply` rewrites it)"
        } else {
            ""
        };
        writeln!(out, "  {:width$}  {}{note}", entry.folder, entry.event)?;
    }
    if imported.draft.export_style.is_some() {
        writeln!(
            out,
            "export-style: named, since every builder exports its extension by name."
        )?;
    }
    let next = if entries.iter().any(|e| e.legacy) {
        format!(
            "Next: `wixsync plan{arg}` shows how apply rewrites the legacy handlers; then \
             `wixsync apply{arg}`, and commit {manifest}."
        )
    } else {
        format!(
            "Next: `wixsync plan{arg}` shows what apply would still change (a missing package, \
             a dangling registration);\nwith nothing left, `wixsync apply --check{arg}` exits 0. \
             Commit {manifest}."
        )
    };
    writeln!(out, "{next}")?;
    writeln!(
        out,
        "For completion in editors: `wixsync schema > {}`.",
        at("wix-events.schema.json")
    )
}

/// The one line `plan` and `apply` print when there is nothing to do.
pub fn in_sync(
    out: &mut (impl Write + ?Sized),
    name: &str,
    reconciliation: &Reconciliation,
) -> io::Result<()> {
    let manifest = reconciliation.manifest.source.name();
    writeln!(out, "{name} matches {manifest}: nothing to do.")
}

/// What `plan` prints for the app called `name`: the steps with their reasons and the diff,
/// or, when conflicts stop the plan, the steps and a pointer to them.
pub fn plan_report(
    out: &mut (impl Write + ?Sized),
    name: &str,
    reconciliation: &Reconciliation,
    palette: Palette,
) -> io::Result<()> {
    let plan = &reconciliation.plan;
    if plan.is_empty() {
        return in_sync(out, name, reconciliation);
    }
    match summary(plan).as_str() {
        // Conflicts and no step: the diagnostics above say it all.
        "" if plan.steps.is_empty() => {}
        "" => writeln!(out, "Plan for {name}:")?,
        counts => writeln!(out, "Plan for {name} ({counts}):")?,
    }
    render_steps(out, plan, palette)?;
    if !plan.conflicts.is_empty() {
        let gap = if plan.steps.is_empty() { "" } else { "\n" };
        return writeln!(
            out,
            "{gap}{} conflict(s) stop `wixsync apply`; see above.",
            plan.conflicts.len()
        );
    }
    writeln!(out)?;
    render_diff(out, &reconciliation.changeset, palette)?;
    // A plan that went ahead over a conflict only does so again with the same flag.
    let forced = plan
        .warnings
        .iter()
        .any(|warning| matches!(warning, Warning::Forced(_)));
    let command = if forced {
        "wixsync apply --force"
    } else {
        "wixsync apply"
    };
    writeln!(out, "\nRun `{command}` to make these changes.")
}

/// What `apply --check` prints for a drifted app: the steps, the diff when `diff` is set, and
/// what to run.
pub fn drift_report(
    out: &mut (impl Write + ?Sized),
    name: &str,
    reconciliation: &Reconciliation,
    diff: bool,
    palette: Palette,
) -> io::Result<()> {
    let plan = &reconciliation.plan;
    writeln!(
        out,
        "{name} has drifted from {} ({}):",
        reconciliation.manifest.source.name(),
        summary(plan)
    )?;
    render_steps(out, plan, palette)?;
    if diff {
        writeln!(out)?;
        render_diff(out, &reconciliation.changeset, palette)?;
        return writeln!(out, "\nRun `wixsync apply` to make these changes.");
    }
    writeln!(
        out,
        "\nRun `wixsync apply --check --diff` or `wixsync plan` to see the diff, `wixsync apply` \
         to make the changes."
    )
}

/// What `apply` prints once it has written: each step, then the counts.
pub fn applied(
    out: &mut (impl Write + ?Sized),
    name: &str,
    reconciliation: &Reconciliation,
    report: &CommitReport,
) -> io::Result<()> {
    let plan = &reconciliation.plan;
    for step in &plan.steps {
        writeln!(out, "  {}", step.action)?;
        for line in crate::permissions::step_scopes(&step.action, 90) {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(
        out,
        "Applied to {name}: {}. {} file(s) written, {} deleted.",
        summary(plan),
        report.written,
        report.deleted
    )
}
