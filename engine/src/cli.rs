//! The command line: arguments, output and exit codes.
//!
//! [`run`] is the whole program; `main` only hands it the process's arguments and streams.
//! Exit codes (DESIGN.md): 0 in sync or applied, 1 error (nothing written), 2 changes pending.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use wixsync_schema::Diagnostic;
use wixsync_schema::catalog::Catalog;

use crate::catalog_cmd;
use crate::commit::commit;
use crate::commit::session::{self, Access};
use crate::reconcile::{Failure, Options, Reconciliation, reconcile};
use crate::render::{Palette, render_diff, render_steps, summary};

/// Exit code: in sync, or applied.
pub const EXIT_OK: i32 = 0;
/// Exit code: an error; nothing was written.
pub const EXIT_ERROR: i32 = 1;
/// Exit code: changes are pending (`plan`, `apply --check`).
pub const EXIT_PENDING: i32 = 2;

const ABOUT: &str = "Keep a Wix CLI app's backend event extensions equal to its wix-events.yaml";

const LONG_ABOUT: &str = "\
Keep a Wix CLI app's backend event extensions equal to its wix-events.yaml.

wix-events.yaml, at the app root, lists the events the app handles:

    version: 1
    events:
      contact-created: crm.contacts.onContactCreated
      order-approved: ecom.orders.onOrderApproved

wixsync makes src/extensions/backend/events/<folder>/ (a builder and a handler) and the
registrations in src/extensions.ts match that list: it creates, renames and removes
extensions, keeps every existing extension's UUID, and edits files byte-minimally.";

const AFTER_HELP: &str = "\
Exit codes:
  0  in sync (plan, apply --check), or applied
  1  error: bad manifest, unreadable app, conflict; nothing was written
  2  changes are pending (plan, apply --check)

Examples:
  wixsync plan                 show what apply would change, as a diff
  wixsync apply                make the app match wix-events.yaml
  wixsync apply --check apps/shop
                               in CI: fail (exit 2) when the app has drifted
  wixsync events --package crm
                               list the events of @wix/crm, to name in wix-events.yaml
  wixsync schema > wix-events.schema.json
                               save the JSON Schema, for completion in editors";

#[derive(Debug, Parser)]
#[command(name = "wixsync", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what `apply` would change, with a unified diff; write nothing.
    ///
    /// Exits 0 when the app matches its manifest, 2 when changes are pending, 1 on an error.
    Plan(AppArgs),
    /// Make the app match its manifest.
    ///
    /// Every change is built and checked in memory first (each edited file must parse, and
    /// planning the result again must find nothing to do); only then are files written, all
    /// or nothing, through a journal that the next run finishes if this one is killed. One
    /// apply per app at a time: another waits up to 20 s (WIXSYNC_LOCK_TIMEOUT=<seconds>).
    /// On any error nothing is written.
    Apply(ApplyArgs),
    /// List the SDK events wixsync knows, with their webhook slugs.
    ///
    /// One line per event, `package.namespace.function  webhook-slug`, grouped by npm package
    /// with the package version the catalog was read from. The first column is what an entry
    /// of wix-events.yaml names: `contact-created: crm.contacts.onContactCreated`.
    Events(EventsArgs),
    /// Print the JSON Schema of wix-events.yaml, for completion and checks in editors.
    ///
    /// Save it beside the manifest (`wixsync schema > wix-events.schema.json`) and make this the
    /// manifest's first line: `# yaml-language-server: $schema=wix-events.schema.json`. Editors
    /// with the YAML language server (VS Code's YAML extension, Zed, Neovim, Helix) then
    /// complete every SDK event and check the file as you type.
    Schema,
}

#[derive(Debug, Args)]
struct EventsArgs {
    /// Only the events of this npm package, without its @wix/ scope: crm, ecom, stores.
    #[arg(long, value_name = "NAME")]
    package: Option<String>,
    /// Print a JSON array of {package, namespace, function, slug, version} instead, for tools.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AppArgs {
    /// The app root: the folder holding src/ and wix-events.yaml.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// The manifest to use instead of DIR/wix-events.yaml.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Override the conflicts that only protect work: deleting files git cannot restore, or
    /// changing an extension's id to the one the manifest pins. `apply` then goes ahead;
    /// `plan` shows what `apply --force` would do.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    #[command(flatten)]
    app: AppArgs,
    /// Write nothing; exit 2 if the app has drifted from its manifest (for CI).
    #[arg(long)]
    check: bool,
}

/// Where output goes, and whether it may be coloured.
pub struct Streams<'a> {
    /// Results.
    pub stdout: &'a mut dyn Write,
    /// Diagnostics.
    pub stderr: &'a mut dyn Write,
    /// Whether to colour (the binary passes `anstream` streams, which strip colour when the
    /// output is not a terminal or `NO_COLOR` is set).
    pub color: bool,
}

/// Runs wixsync with `args` (the program name first) and returns the exit code.
pub fn run<I, T>(args: I, streams: &mut Streams<'_>) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_OK
            };
            let rendered = if streams.color {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let out = if error.use_stderr() {
                &mut *streams.stderr
            } else {
                &mut *streams.stdout
            };
            let _ = write!(out, "{rendered}");
            return code;
        }
    };
    let result = match cli.command {
        Command::Plan(args) => plan_command(&args, streams),
        Command::Apply(args) => apply_command(&args, streams),
        Command::Events(args) => Ok(events_command(&args, streams)),
        Command::Schema => Ok(schema_command(streams)),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            report(streams, &failure.diagnostics);
            let _ = writeln!(streams.stderr, "wixsync: nothing was written.");
            EXIT_ERROR
        }
    }
}

/// `wixsync events`: reads nothing but the compiled-in catalog, so its errors are only a bad
/// `--package` (exit 1) and a closed stdout.
fn events_command(args: &EventsArgs, streams: &mut Streams<'_>) -> i32 {
    let catalog = Catalog::get();
    let packages = match catalog_cmd::select(catalog, args.package.as_deref()) {
        Ok(packages) => packages,
        Err(unknown) => {
            report(streams, &[unknown.diagnostic()]);
            return EXIT_ERROR;
        }
    };
    let written = if args.json {
        catalog_cmd::render_json(streams.stdout, catalog, &packages)
    } else {
        catalog_cmd::render_text(streams.stdout, catalog, &packages, streams.color)
    };
    output_result(written, streams)
}

/// `wixsync schema`: the JSON Schema, as committed in `schema/wix-events.schema.json`.
fn schema_command(streams: &mut Streams<'_>) -> i32 {
    let written = streams
        .stdout
        .write_all(wixsync_schema::json_schema_text().as_bytes());
    output_result(written, streams)
}

/// Exit 0, or 1 with a message when stdout could not be written (a full disk). A reader that
/// stopped early (`wixsync events | head`) is no error.
fn output_result(written: std::io::Result<()>, streams: &mut Streams<'_>) -> i32 {
    match written.and_then(|()| streams.stdout.flush()) {
        Ok(()) => EXIT_OK,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(error) => {
            let _ = writeln!(
                streams.stderr,
                "wixsync: could not write the output: {error}"
            );
            EXIT_ERROR
        }
    }
}

fn options(args: &AppArgs) -> Options {
    Options {
        manifest: args.manifest.clone(),
        force: args.force,
        fresh_ids: None,
    }
}

/// Renders diagnostics with their code frames to stderr.
pub fn report(streams: &mut Streams<'_>, diagnostics: &[Diagnostic]) {
    let text = wixsync_schema::diagnostic::render(diagnostics, 100, streams.color);
    let _ = write!(streams.stderr, "{text}");
}

fn app_name(dir: &Path) -> String {
    let text = dir.display().to_string();
    if text == "." {
        "the app in .".to_owned()
    } else {
        text
    }
}

/// Shows warnings and conflicts; returns whether there were conflicts.
fn show_problems(streams: &mut Streams<'_>, reconciliation: &Reconciliation) -> bool {
    report(streams, &reconciliation.manifest.warnings);
    report(streams, &reconciliation.plan.warnings);
    report(streams, &reconciliation.plan.conflicts);
    !reconciliation.plan.conflicts.is_empty()
}

/// The one line `plan` and `apply` print when there is nothing to do.
fn in_sync(streams: &mut Streams<'_>, name: &str, reconciliation: &Reconciliation) {
    let manifest = reconciliation.manifest.source.name();
    let _ = writeln!(streams.stdout, "{name} matches {manifest}: nothing to do.");
}

fn plan_command(args: &AppArgs, streams: &mut Streams<'_>) -> Result<i32, Failure> {
    let _session = session::open(&args.dir, Access::Read, streams.stderr)?;
    let reconciliation = reconcile(&args.dir, &options(args))?;
    let palette = Palette::new(streams.color);
    let plan = &reconciliation.plan;
    let name = app_name(&args.dir);
    let conflicts = show_problems(streams, &reconciliation);
    if plan.steps.is_empty() && !conflicts {
        in_sync(streams, &name, &reconciliation);
        return Ok(EXIT_OK);
    }
    match summary(plan).as_str() {
        "" => {
            let _ = writeln!(streams.stdout, "Plan for {name}:");
        }
        counts => {
            let _ = writeln!(streams.stdout, "Plan for {name} ({counts}):");
        }
    }
    let _ = render_steps(streams.stdout, plan, palette);
    if conflicts {
        let _ = writeln!(
            streams.stdout,
            "\n{} conflict(s) stop `wixsync apply`; see above.",
            plan.conflicts.len()
        );
        return Ok(EXIT_ERROR);
    }
    let _ = writeln!(streams.stdout);
    let _ = render_diff(streams.stdout, &reconciliation.changeset, palette);
    let _ = writeln!(
        streams.stdout,
        "\nRun `wixsync apply` to make these changes."
    );
    Ok(EXIT_PENDING)
}

fn apply_command(args: &ApplyArgs, streams: &mut Streams<'_>) -> Result<i32, Failure> {
    // The lock (and recovery of an interrupted apply) for the whole read-plan-commit cycle.
    let access = if args.check {
        Access::Read
    } else {
        Access::Write
    };
    let _session = session::open(&args.app.dir, access, streams.stderr)?;
    let reconciliation = reconcile(&args.app.dir, &options(&args.app))?;
    let palette = Palette::new(streams.color);
    let plan = &reconciliation.plan;
    let name = app_name(&args.app.dir);
    if show_problems(streams, &reconciliation) {
        let _ = writeln!(
            streams.stderr,
            "wixsync: {} conflict(s); nothing was written. Fix them, or pass --force where the message allows it.",
            plan.conflicts.len()
        );
        return Ok(EXIT_ERROR);
    }
    if plan.steps.is_empty() {
        in_sync(streams, &name, &reconciliation);
        return Ok(EXIT_OK);
    }
    if args.check {
        let _ = writeln!(
            streams.stdout,
            "{name} has drifted from {} ({}):",
            reconciliation.manifest.source.name(),
            summary(plan)
        );
        let _ = render_steps(streams.stdout, plan, palette);
        let _ = writeln!(
            streams.stdout,
            "\nRun `wixsync plan` to see the diff, `wixsync apply` to make the changes."
        );
        return Ok(EXIT_PENDING);
    }
    let written = match commit(&args.app.dir, &reconciliation.changeset) {
        Ok(written) => written,
        Err(failure) => {
            let help = failure.error.help();
            let state = failure.outcome_text();
            report(
                streams,
                &[Diagnostic::error("commit::io", failure.error.to_string())
                    .help(format!("{help}; {state}"))],
            );
            return Ok(EXIT_ERROR);
        }
    };
    for step in &plan.steps {
        let _ = writeln!(streams.stdout, "  {}", step.action);
    }
    let _ = writeln!(
        streams.stdout,
        "Applied to {name}: {}. {} file(s) written, {} deleted.",
        summary(plan),
        written.written,
        written.deleted
    );
    Ok(EXIT_OK)
}
