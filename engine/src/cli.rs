//! The command line: arguments, output and exit codes.
//!
//! [`run`] is the whole program; `main` only hands it the process's arguments and streams.
//! Exit codes (docs/contract.md): 0 in sync or applied, 1 error (nothing written), 2 changes pending.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use uuid::Uuid;
use wixsync_schema::Diagnostic;
use wixsync_schema::catalog::Catalog;

use crate::catalog_cmd;
use crate::commit::commit;
use crate::commit::session::{self, Access};
pub use crate::diagnose::{EXIT_ERROR, EXIT_OK, EXIT_PENDING};
use crate::import::{ImportError, ImportOptions, import};
use crate::output::report::{AppPaths, CommandName, Report, Status};

use crate::output::{self, Format};
use crate::reconcile::{Options, ReconcileError, locate_app, reconcile};
use crate::render::{self, Palette};
use crate::workspace::{self, App, Members, Shard};

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
  0  in sync (plan, apply --check), applied, or imported
  1  error: bad manifest, unreadable app, conflict; nothing was written
  2  changes are pending (plan, apply --check)

Examples:
  wixsync plan                 show what apply would change, as a diff
  wixsync apply                make the app match wix-events.yaml
  wixsync import               adopt an app: write wix-events.yaml from its extensions
  wixsync apply --check apps/shop
                               in CI: fail (exit 2) when the app has drifted
  wixsync apply --check --workspace --shard 2/4
                               in CI: check a quarter of the monorepo's apps, one line each
  wixsync events --package crm
                               list the events of @wix/crm, to name in wix-events.yaml
  wixsync permissions          the permission scopes the app's events need
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
    /// Adopt an app: write its wix-events.yaml from the event extensions it has.
    ///
    /// One entry per folder of src/extensions/backend/events/, sorted, with the event its
    /// handler subscribes to in full (`package.namespace.function`, through the handler's
    /// import and wixsync's event catalog); `export-style: named` when every builder exports
    /// by name. No ids are pinned: each extension keeps its UUID because its folder has the
    /// entry's name. An app without event extensions gets a commented starter manifest.
    /// Writes that one file and nothing else; refuses to replace an existing manifest unless
    /// --force. When an extension cannot be mapped (an event wixsync does not know, two
    /// handlers of one webhook, a handler without a subscription), each is reported with its
    /// file:line:col and nothing is written. Afterwards `wixsync apply --check` exits 0,
    /// unless apply still has work of its own: a legacy handler to migrate, a package missing
    /// from package.json (`wixsync plan` shows it).
    #[command(visible_alias = "init")]
    Import(ImportArgs),
    /// List the SDK events wixsync knows, with their webhook slugs and descriptions.
    ///
    /// One line per event, `package.namespace.function  webhook-slug`, grouped by npm package
    /// with the package version the catalog was read from, and the event's description below
    /// it. The slug is the one Wix registers (what the dashboard shows); where @wix/astro maps
    /// the SDK's slug to another, the SDK's follows in parentheses. The first column is what
    /// an entry of wix-events.yaml names: `contact-created: crm.contacts.onContactCreated`.
    Events(EventsArgs),
    /// List the permission scopes the manifest's events need, for the app dashboard.
    ///
    /// For each event of DIR/wix-events.yaml, the scopes that each suffice to receive it (from
    /// the SDK's declarations); then one short list that covers them all, to add on the
    /// Permissions page of the Wix app dashboard: as few scopes that can change data as
    /// possible, then as few scopes in all. Reads only the manifest, not the app.
    Permissions(PermissionsArgs),
    /// Print the JSON Schema of wix-events.yaml, for completion and checks in editors.
    ///
    /// Save it beside the manifest (`wixsync schema > wix-events.schema.json`) and make this the
    /// manifest's first line: `# yaml-language-server: $schema=wix-events.schema.json`. Editors
    /// with the YAML language server (VS Code's YAML extension, Zed, Neovim, Helix) then
    /// complete every SDK event and check the file as you type.
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
struct PermissionsArgs {
    /// The app root: the folder holding wix-events.yaml. Without it: the folder of
    /// --manifest, else the nearest folder holding wix-events.yaml, from here upward.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The manifest to use instead of DIR/wix-events.yaml.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// How to print: text for people, or one JSON document `{ "apps": [...] }` for tools.
    #[arg(long, value_enum, default_value_t = PermissionsFormat::Human)]
    format: PermissionsFormat,
}

/// The output formats of `wixsync permissions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PermissionsFormat {
    /// Text for people.
    Human,
    /// One JSON document on stdout.
    Json,
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// Print the JSON Schema of the `--format json` document instead.
    #[arg(long)]
    output: bool,
}

#[derive(Debug, Args)]
struct EventsArgs {
    /// Only the events of this npm package, without its @wix/ scope: crm, ecom, stores.
    #[arg(long, value_name = "NAME")]
    package: Option<String>,
    /// Print a JSON array of {package, namespace, function, slug, registered_slug,
    /// description, scopes, version} instead, for tools.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AppArgs {
    /// The app root: the folder holding src/ and wix-events.yaml. Without it: the folder of
    /// --manifest, else the nearest folder holding wix-events.yaml, from here upward.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The manifest to use instead of DIR/wix-events.yaml.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Override the conflicts that only protect work: deleting files git cannot restore, or
    /// changing an extension's id to the one the manifest pins. `apply` then goes ahead;
    /// `plan` shows what `apply --force` would do.
    #[arg(long)]
    force: bool,
    /// Treat every warning as an error: exit 1, and write nothing.
    #[arg(long)]
    strict: bool,
    /// human (the default; github under GitHub Actions), json (one versioned document on
    /// stdout: `wixsync schema --output` prints its JSON Schema), github (annotations at the
    /// manifest line of each change, and a job summary in $GITHUB_STEP_SUMMARY), or sarif
    /// (SARIF 2.1.0, for code scanning). The exit code is the same in every format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,
    /// Every app of the monorepo at DIR (default: the current folder) instead of one app: the
    /// folders that the `packages` globs of pnpm-workspace.yaml, else the `workspaces` globs
    /// of package.json, match (a glob starting with `!` excludes) and that hold a
    /// wix-events.yaml; without either file, every folder below DIR holding one. node_modules,
    /// hidden and git-ignored folders are never searched. The apps run in parallel, each on
    /// its own (one app's error stops no other); they are reported sorted by path, then one
    /// summary line. The exit code is the worst app's: 1, then 2, then 0.
    #[arg(long, conflicts_with = "manifest")]
    workspace: bool,
    /// With --workspace: only the apps of shard K of N (K from 1 to N), for a CI matrix of N
    /// jobs. An app's shard is a stable hash of its path from DIR, the same on every machine,
    /// so the N jobs together cover every app exactly once.
    #[arg(long, value_name = "K/N", requires = "workspace")]
    shard: Option<Shard>,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The app root: the folder holding src/extensions.ts, or a package.json that depends on
    /// @wix/astro. Without it: the current folder.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Replace an existing wix-events.yaml.
    #[arg(long)]
    force: bool,
    /// human (the default; github under GitHub Actions), json (one versioned document on
    /// stdout, one `import` step per entry), github or sarif, as for `apply`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,
    /// Import every Wix app of the monorepo at DIR (found as `apply --workspace` finds apps,
    /// counting apps without a manifest too), in parallel. An app that has its
    /// wix-events.yaml already is skipped (in sync), unless --force.
    #[arg(long)]
    workspace: bool,
    /// With --workspace: only shard K of N of the apps (1 <= K <= N), as for `apply`.
    #[arg(long, value_name = "K/N", requires = "workspace")]
    shard: Option<Shard>,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    #[command(flatten)]
    app: AppArgs,
    /// Write nothing; exit 2 if the app has drifted from its manifest (for CI).
    #[arg(long)]
    check: bool,
    /// With --check: show the diff of the pending changes too, as `plan` does.
    #[arg(long, requires = "check")]
    diff: bool,
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
    run_with_ids(args, streams, None)
}

/// [`run`], with the UUIDs new extensions get (one per manifest entry, by index) instead of
/// random ones, so that tests can snapshot the output.
pub fn run_with_ids<I, T>(args: I, streams: &mut Streams<'_>, fresh_ids: Option<Vec<Uuid>>) -> i32
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
            let written = if error.use_stderr() {
                write!(streams.stderr, "{rendered}")
            } else {
                write!(streams.stdout, "{rendered}")
            };
            return finish(code, written, streams);
        }
    };
    let (app, command) = match &cli.command {
        Command::Plan(args) => (Some(args), CommandName::Plan),
        Command::Apply(args) if args.check => (Some(&args.app), CommandName::Check),
        Command::Apply(args) => (Some(&args.app), CommandName::Apply),
        _ => (None, CommandName::Plan),
    };
    if let Some(app) = app {
        let github_actions = std::env::var("GITHUB_ACTIONS").ok();
        let format = Format::resolve(app.format, github_actions.as_deref());
        if app.workspace {
            let apply = match &cli.command {
                Command::Apply(args) => Some(args),
                _ => None,
            };
            return workspace_command(app, apply, command, format, streams, fresh_ids);
        }
        if format != Format::Human {
            let located = locate_app(app.dir.as_deref(), app.manifest.as_deref());
            let shown = app.dir.clone().unwrap_or_else(|| PathBuf::from("."));
            let access = if command == CommandName::Apply {
                Access::Write
            } else {
                Access::Read
            };
            // An apply in progress (or interrupted and not finishable) is reported in the
            // document like any other reason the app could not be planned.
            let (session, busy) = match located.as_ref().ok() {
                Some(root) => match session::open(root, access, streams.stderr) {
                    Ok(session) => (Some(session), None),
                    Err(diagnostic) => (None, Some(ReconcileError::Journal(diagnostic))),
                },
                None => (None, None),
            };
            let _session = session;
            let request = output::Request {
                command,
                dir: located.as_deref().unwrap_or(&shown),
                located: located.as_ref().err().or(busy.as_ref()),
                options: options(app, fresh_ids),
                strict: app.strict,
                format,
            };
            return output::run(&request, streams);
        }
    }
    match cli.command {
        Command::Plan(args) => plan_command(&args, streams, fresh_ids),
        Command::Apply(args) => apply_command(&args, streams, fresh_ids),
        Command::Import(args) => import_command(&args, streams),
        Command::Events(args) => events_command(&args, streams),
        Command::Permissions(args) => permissions_command(&args, streams),
        Command::Schema(args) => schema_command(&args, streams),
    }
}

/// `wixsync import [DIR]`: writes the app's manifest under its write lock; exit 0 when
/// written, 1 (nothing written) otherwise.
fn import_command(args: &ImportArgs, streams: &mut Streams<'_>) -> i32 {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let github_actions = std::env::var("GITHUB_ACTIONS").ok();
    let format = Format::resolve(args.format, github_actions.as_deref());
    let options = ImportOptions { force: args.force };
    if args.workspace {
        return import_workspace(&dir, args.shard, &options, format, streams);
    }
    let result = import_app(&dir, &options, streams.stderr);
    if format != Format::Human {
        return output::print_import(&dir, &result, format, streams);
    }
    let imported = match result {
        Ok(imported) => imported,
        Err(error) => return stopped(streams, &error.diagnostics(), true),
    };
    let written = render::imported(streams.stdout, &dir, &imported);
    finish(EXIT_OK, written, streams)
}

/// Imports the app at `dir` under its write lock (waiting messages go to `log`).
fn import_app(
    dir: &Path,
    options: &ImportOptions,
    log: &mut dyn Write,
) -> Result<crate::import::Imported, ImportError> {
    let root = crate::import::locate(dir).map_err(ImportError::App)?;
    let _session = session::open(&root, Access::Write, log)
        .map_err(|d| ImportError::App(ReconcileError::Journal(d)))?;
    import(&root, options)
}

/// `wixsync import --workspace`: every Wix app of the monorepo at `dir` (with or without a
/// manifest), those of `shard` only; an app that has a manifest is skipped (in sync) unless
/// `--force`. Exit 1 when any app could not be imported, else 0.
fn import_workspace(
    dir: &Path,
    shard: Option<Shard>,
    options: &ImportOptions,
    format: Format,
    streams: &mut Streams<'_>,
) -> i32 {
    let (apps, total) = match workspace_apps(dir, Members::WixApps, shard, streams) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let has_manifest =
        |app: &App| !options.force && app.path.join(wixsync_schema::MANIFEST_FILE_NAME).exists();
    if format != Format::Human {
        let cwd = std::env::current_dir().ok();
        let reports = workspace::run(&apps, |app| {
            let paths = output::app_paths(&app.path, None, cwd.as_deref());
            if has_manifest(app) {
                return output::report::skipped_import_report(&paths);
            }
            // Messages of waiting for a lock have no place in a machine document.
            let result = import_app(&app.path, options, &mut Vec::new());
            output::report::import_report(&paths, &result)
        });
        return output::write(
            &Report::new(CommandName::Import, reports),
            &[],
            format,
            streams,
        );
    }
    let scope = shard.map(|shard| (shard, total));
    run_workspace(&apps, scope, Summary::Import, streams, |app, streams| {
        if has_manifest(app) {
            let written = writeln!(
                streams.stdout,
                "{} has its wix-events.yaml already: skipped (--force replaces it).",
                app.path.display()
            );
            return (finish(EXIT_OK, written, streams), Status::InSync);
        }
        match import_app(&app.path, options, streams.stderr) {
            Ok(imported) => {
                let written = render::imported(streams.stdout, &app.path, &imported);
                (finish(EXIT_OK, written, streams), Status::Applied)
            }
            Err(error) => {
                let naming = Naming {
                    root: &app.path,
                    in_workspace: true,
                };
                app_stopped(streams, naming, error.diagnostics())
            }
        }
    })
}

/// `wixsync events`: reads nothing but the compiled-in catalog, so its errors are only a bad
/// `--package` (exit 1) and a stdout that cannot be written.
fn events_command(args: &EventsArgs, streams: &mut Streams<'_>) -> i32 {
    let catalog = Catalog::get();
    let packages = match catalog_cmd::select(catalog, args.package.as_deref()) {
        Ok(packages) => packages,
        Err(unknown) => return stopped(streams, &[unknown.diagnostic()], false),
    };
    let written = if args.json {
        catalog_cmd::render_json(streams.stdout, catalog, &packages)
    } else {
        catalog_cmd::render_text(streams.stdout, catalog, &packages, streams.color)
    };
    finish(EXIT_OK, written, streams)
}

/// `wixsync permissions`: reads and checks the manifest only (exit 1 when it is bad).
fn permissions_command(args: &PermissionsArgs, streams: &mut Streams<'_>) -> i32 {
    let options = Options {
        manifest: args.manifest.clone(),
        ..Options::default()
    };
    let manifest = locate_app(args.dir.as_deref(), args.manifest.as_deref())
        .and_then(|root| Ok((crate::reconcile::read_manifest(&root, &options)?, root)));
    let (manifest, root) = match manifest {
        Ok(found) => found,
        Err(error) => return stopped(streams, &error.diagnostics(), false),
    };
    let mut written = report(streams, &manifest.warnings);
    let app = crate::permissions::permissions(&root.display().to_string(), &manifest);
    written = written.and_then(|()| match args.format {
        PermissionsFormat::Human => {
            crate::permissions::render_text(streams.stdout, &app, streams.color)
        }
        PermissionsFormat::Json => {
            crate::permissions::render_json(streams.stdout, std::slice::from_ref(&app))
        }
    });
    finish(EXIT_OK, written, streams)
}

/// `wixsync schema`: the JSON Schema, as committed in `schema/wix-events.schema.json`; with
/// `--output`, that of the `--format json` document (`schema/wixsync-output.schema.json`).
fn schema_command(args: &SchemaArgs, streams: &mut Streams<'_>) -> i32 {
    let text = if args.output {
        output::json::schema_text()
    } else {
        wixsync_schema::json_schema_text()
    };
    let written = streams.stdout.write_all(text.as_bytes());
    finish(EXIT_OK, written, streams)
}

fn options(args: &AppArgs, fresh_ids: Option<Vec<Uuid>>) -> Options {
    Options {
        manifest: args.manifest.clone(),
        force: args.force,
        fresh_ids,
    }
}

/// Renders diagnostics with their code frames to stderr.
///
/// # Errors
///
/// Writing to stderr failed.
pub fn report(streams: &mut Streams<'_>, diagnostics: &[Diagnostic]) -> io::Result<()> {
    let text = wixsync_schema::diagnostic::render(diagnostics, 100, streams.color);
    streams.stderr.write_all(text.as_bytes())
}

/// Reports errors that stopped the run and returns exit code 1. With `nothing_written`, says
/// that nothing was written. A failure to write to stderr has nowhere else to go.
fn stopped(streams: &mut Streams<'_>, diagnostics: &[Diagnostic], nothing_written: bool) -> i32 {
    let mut written = report(streams, diagnostics);
    if nothing_written {
        written = written.and_then(|()| writeln!(streams.stderr, "wixsync: nothing was written."));
    }
    drop(written);
    EXIT_ERROR
}

/// The exit code `code`, or 1 with a message when the output could not be written (a full
/// disk). A reader that stopped early (`wixsync plan | head`) changes nothing.
fn finish(code: i32, written: io::Result<()>, streams: &mut Streams<'_>) -> i32 {
    match written.and_then(|()| streams.stdout.flush()) {
        Ok(()) => code,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => code,
        Err(error) => {
            // Nowhere else to say it if stderr fails too.
            drop(writeln!(
                streams.stderr,
                "wixsync: could not write the output: {error}"
            ));
            EXIT_ERROR
        }
    }
}

/// Whether `--strict` turns the reconciliation's warnings into a failure.
fn strict_fails(args: &AppArgs, reconciliation: &crate::reconcile::Reconciliation) -> bool {
    args.strict
        && (!reconciliation.manifest.warnings.is_empty()
            || !reconciliation.plan.warnings.is_empty())
}

fn app_name(dir: &Path) -> String {
    let text = dir.display().to_string();
    if text == "." {
        "the app in .".to_owned()
    } else {
        text
    }
}

/// How one app's run names files in its human diagnostics: as the engine does (relative to
/// the app root) for a single app, or relative to the current directory in a `--workspace`
/// run, where the app root alone no longer says which app a file is in.
#[derive(Debug, Clone, Copy)]
struct Naming<'a> {
    root: &'a Path,
    in_workspace: bool,
}

impl Naming<'_> {
    /// `diagnostics` with their files named for this run.
    fn name(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if !self.in_workspace {
            return diagnostics;
        }
        let paths = output::app_paths(self.root, None, None);
        relabel(diagnostics, &paths)
    }
}

/// `diagnostics` with their code frames' files named relative to the current directory
/// ([`AppPaths::file`]) instead of the app root.
fn relabel(diagnostics: Vec<Diagnostic>, paths: &AppPaths) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|mut d| {
            if let Some(source) = &d.source {
                let name = paths.file(source.name());
                if name != source.name() {
                    d.source = Some(wixsync_schema::SourceFile::new(name, source.text()));
                }
            }
            d
        })
        .collect()
}

/// Reports errors that stopped one app, and returns exit code 1 with the app's status.
fn app_stopped(
    streams: &mut Streams<'_>,
    naming: Naming<'_>,
    diagnostics: Vec<Diagnostic>,
) -> (i32, Status) {
    (
        stopped(streams, &naming.name(diagnostics), true),
        Status::Error,
    )
}

/// Opens the app's session (finishing an interrupted apply first; a reader waits briefly for
/// one in progress, a writer takes the lock) and reconciles the app, or reports why it could
/// not and returns its exit code and status.
fn open_and_reconcile(
    naming: Naming<'_>,
    access: Access,
    options: &Options,
    streams: &mut Streams<'_>,
) -> Result<(session::Session, crate::reconcile::Reconciliation), (i32, Status)> {
    let session = match session::open(naming.root, access, streams.stderr) {
        Ok(session) => session,
        Err(diagnostic) => return Err(app_stopped(streams, naming, vec![diagnostic])),
    };
    match reconcile(naming.root, options) {
        Ok(reconciliation) => Ok((session, reconciliation)),
        Err(error) => Err(app_stopped(streams, naming, error.diagnostics())),
    }
}

/// `wixsync plan`: the steps, the diff; exit 0, 1 (conflicts) or 2 (pending).
fn plan_command(args: &AppArgs, streams: &mut Streams<'_>, ids: Option<Vec<Uuid>>) -> i32 {
    let root = match locate_app(args.dir.as_deref(), args.manifest.as_deref()) {
        Ok(root) => root,
        Err(error) => return stopped(streams, &error.diagnostics(), true),
    };
    let naming = Naming {
        root: &root,
        in_workspace: false,
    };
    plan_app(args, naming, streams, ids).0
}

/// `plan` on the app at `naming.root`: its exit code and where it ended.
fn plan_app(
    args: &AppArgs,
    naming: Naming<'_>,
    streams: &mut Streams<'_>,
    ids: Option<Vec<Uuid>>,
) -> (i32, Status) {
    let root = naming.root;
    let (_session, reconciliation) =
        match open_and_reconcile(naming, Access::Read, &options(args, ids), streams) {
            Ok(opened) => opened,
            Err(stopped) => return stopped,
        };
    let plan = &reconciliation.plan;
    let (code, status) = if !plan.conflicts.is_empty() {
        (EXIT_ERROR, Status::Conflict)
    } else if strict_fails(args, &reconciliation) {
        (EXIT_ERROR, Status::Error)
    } else if plan.steps.is_empty() {
        (EXIT_OK, Status::InSync)
    } else {
        (EXIT_PENDING, Status::Pending)
    };
    let palette = Palette::new(streams.color);
    let name = app_name(root);
    let mut written = report(streams, &naming.name(reconciliation.diagnostics()));
    if strict_fails(args, &reconciliation) {
        written = written
            .and_then(|()| writeln!(streams.stderr, "wixsync: --strict: warnings fail the run."));
    }
    let written =
        written.and_then(|()| render::plan_report(streams.stdout, &name, &reconciliation, palette));
    (finish(code, written, streams), status)
}

/// `wixsync apply [--check]`.
fn apply_command(args: &ApplyArgs, streams: &mut Streams<'_>, ids: Option<Vec<Uuid>>) -> i32 {
    let root = match locate_app(args.app.dir.as_deref(), args.app.manifest.as_deref()) {
        Ok(root) => root,
        Err(error) => return stopped(streams, &error.diagnostics(), true),
    };
    let naming = Naming {
        root: &root,
        in_workspace: false,
    };
    apply_app(args, naming, streams, ids).0
}

/// `apply [--check]` on the app at `naming.root`: its exit code and where it ended.
fn apply_app(
    args: &ApplyArgs,
    naming: Naming<'_>,
    streams: &mut Streams<'_>,
    ids: Option<Vec<Uuid>>,
) -> (i32, Status) {
    let root = naming.root;
    // The lock (and recovery of an interrupted apply) for the whole read-plan-commit cycle.
    let access = if args.check {
        Access::Read
    } else {
        Access::Write
    };
    let (_session, reconciliation) =
        match open_and_reconcile(naming, access, &options(&args.app, ids), streams) {
            Ok(opened) => opened,
            Err(stopped) => return stopped,
        };
    let palette = Palette::new(streams.color);
    let plan = &reconciliation.plan;
    let name = app_name(root);
    let mut written = report(streams, &naming.name(reconciliation.diagnostics()));
    if strict_fails(&args.app, &reconciliation) {
        let written = written.and_then(|()| {
            writeln!(
                streams.stderr,
                "wixsync: --strict: warnings fail the run; nothing was written."
            )
        });
        return (finish(EXIT_ERROR, written, streams), Status::Error);
    }
    if !plan.conflicts.is_empty() {
        let written = written.and_then(|()| {
            writeln!(
                streams.stderr,
                "wixsync: {} conflict(s); nothing was written. Fix them, or pass --force where \
                 the message allows it.",
                plan.conflicts.len()
            )
        });
        return (finish(EXIT_ERROR, written, streams), Status::Conflict);
    }
    if plan.steps.is_empty() {
        written = written.and_then(|()| render::in_sync(streams.stdout, &name, &reconciliation));
        return (finish(EXIT_OK, written, streams), Status::InSync);
    }
    if args.check {
        written = written.and_then(|()| {
            render::drift_report(streams.stdout, &name, &reconciliation, args.diff, palette)
        });
        return (finish(EXIT_PENDING, written, streams), Status::Pending);
    }
    let report = match commit(root, &reconciliation.changeset) {
        Ok(report) => report,
        Err(failure) => {
            let diagnostics = naming.name(vec![crate::diagnose::commit_failure(&failure)]);
            return (stopped(streams, &diagnostics, false), Status::Error);
        }
    };
    // The tree and plan are dropped with this function; only the text stays.
    written =
        written.and_then(|()| render::applied(streams.stdout, &name, &reconciliation, &report));
    (finish(EXIT_OK, written, streams), Status::Applied)
}

/// `plan`, `apply` or `apply --check` with `--workspace`: finds the apps under DIR, keeps
/// those of `--shard`, and runs the command on each (see [`run_workspace`]).
fn workspace_command(
    args: &AppArgs,
    apply: Option<&ApplyArgs>,
    command: CommandName,
    format: Format,
    streams: &mut Streams<'_>,
    ids: Option<Vec<Uuid>>,
) -> i32 {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let (apps, total) = match workspace_apps(&dir, Members::Manifests, args.shard, streams) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let scope = args.shard.map(|shard| (shard, total));
    if format != Format::Human {
        return workspace_machine(args, command, format, &apps, streams, ids);
    }
    run_workspace(&apps, scope, Summary::Reconcile, streams, |app, streams| {
        let naming = Naming {
            root: &app.path,
            in_workspace: true,
        };
        match apply {
            Some(apply) => apply_app(apply, naming, streams, ids.clone()),
            None => plan_app(args, naming, streams, ids.clone()),
        }
    })
}

/// The words of a `--workspace` run's summary line.
#[derive(Debug, Clone, Copy)]
enum Summary {
    /// `plan`, `apply`, `apply --check`: `in sync, applied, pending, failed`.
    Reconcile,
    /// `import`: `imported, skipped (a manifest already), failed`.
    Import,
}

/// The apps of the monorepo at `dir` that `members` counts, those of `shard` only, sorted by
/// path, with the number of apps in all shards; or, when the workspace cannot be read or holds
/// no app, the exit code after saying so.
fn workspace_apps(
    dir: &Path,
    members: Members,
    shard: Option<Shard>,
    streams: &mut Streams<'_>,
) -> Result<(Vec<App>, usize), i32> {
    let found = match workspace::discover(dir, members) {
        Ok(found) => found,
        Err(error) => {
            return Err(stopped(
                streams,
                &[crate::diagnose::workspace_error(&error)],
                true,
            ));
        }
    };
    if found.apps.is_empty() {
        return Err(stopped(streams, &[crate::diagnose::no_apps(&found)], true));
    }
    let total = found.apps.len();
    let apps = match shard {
        Some(shard) => found
            .apps
            .into_iter()
            .filter(|app| shard.contains(&app.rel))
            .collect(),
        None => found.apps,
    };
    Ok((apps, total))
}

/// One app's part of a human `--workspace` run: what it printed, and where it ended.
struct AppOutput {
    code: i32,
    status: Status,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `work` on every app of `apps` in parallel, each into its own buffers, then prints
/// them in the apps' order, each headed by `==> path <==`, and one summary line: `3 apps: 1 in
/// sync, 1 applied, 0 pending, 1 failed` (`failed` counts errors and conflicts). Returns the
/// worst exit code: 1 over 2 over 0. `scope` is `--shard` and the number of apps in all shards.
///
/// `work` is one app's whole command (it takes the app's session itself) and returns its exit
/// code and status; any per-app command of wixsync plugs in here.
fn run_workspace<F>(
    apps: &[App],
    scope: Option<(Shard, usize)>,
    summary: Summary,
    streams: &mut Streams<'_>,
    work: F,
) -> i32
where
    F: Fn(&App, &mut Streams<'_>) -> (i32, Status) + Sync + Send,
{
    let color = streams.color;
    let results = workspace::run(apps, |app| {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let (code, status) = work(
            app,
            &mut Streams {
                stdout: &mut stdout,
                stderr: &mut stderr,
                color,
            },
        );
        AppOutput {
            code,
            status,
            stdout,
            stderr,
        }
    });
    let mut written = Ok(());
    for (index, (app, result)) in apps.iter().zip(&results).enumerate() {
        written = written.and_then(|()| {
            if index > 0 {
                writeln!(streams.stdout)?;
            }
            writeln!(streams.stdout, "==> {} <==", app.path.display())?;
            streams.stdout.flush()?;
            streams.stderr.write_all(&result.stderr)?;
            streams.stdout.write_all(&result.stdout)
        });
    }
    let count = |status: Status| results.iter().filter(|r| r.status == status).count();
    let failed = count(Status::Error) + count(Status::Conflict);
    let shard = match scope {
        Some((shard, total)) => format!(" (shard {shard} of {total} apps)"),
        None => String::new(),
    };
    written = written.and_then(|()| {
        if !apps.is_empty() {
            writeln!(streams.stdout)?;
        }
        let apps_text = format!(
            "{} app{}{shard}",
            apps.len(),
            if apps.len() == 1 { "" } else { "s" }
        );
        match summary {
            Summary::Reconcile => writeln!(
                streams.stdout,
                "{apps_text}: {} in sync, {} applied, {} pending, {failed} failed",
                count(Status::InSync),
                count(Status::Applied),
                count(Status::Pending),
            ),
            Summary::Import => writeln!(
                streams.stdout,
                "{apps_text}: {} imported, {} skipped (a manifest already), {failed} failed",
                count(Status::Applied),
                count(Status::InSync),
            ),
        }
    });
    let codes = results.iter().map(|r| r.code);
    let worst = codes.fold(EXIT_OK, |worst, code| match (worst, code) {
        (EXIT_ERROR, _) | (_, EXIT_ERROR) => EXIT_ERROR,
        (EXIT_PENDING, _) | (_, EXIT_PENDING) => EXIT_PENDING,
        _ => EXIT_OK,
    });
    finish(worst, written, streams)
}

/// A `--workspace` run in a machine format: one document with every app of `apps`, in their
/// order.
fn workspace_machine(
    args: &AppArgs,
    command: CommandName,
    format: Format,
    apps: &[App],
    streams: &mut Streams<'_>,
    ids: Option<Vec<Uuid>>,
) -> i32 {
    let cwd = std::env::current_dir().ok();
    let access = if command == CommandName::Apply {
        Access::Write
    } else {
        Access::Read
    };
    let results = workspace::run(apps, |app| {
        // Messages of waiting for a lock have no place in a machine document.
        let mut log = Vec::new();
        let session = session::open(&app.path, access, &mut log);
        let located = session
            .as_ref()
            .err()
            .map(|d| crate::reconcile::ReconcileError::Journal(d.clone()));
        let request = output::Request {
            command,
            dir: &app.path,
            located: located.as_ref(),
            options: options(args, ids.clone()),
            strict: args.strict,
            format,
        };
        let (report, diagnostics) = output::app_result(&request, cwd.as_deref());
        let paths = output::app_paths(&app.path, None, None);
        // Only the github format's log shows the diagnostics with their code frames.
        let diagnostics = if format == Format::Github {
            relabel(diagnostics, &paths)
        } else {
            Vec::new()
        };
        (report, diagnostics)
    });
    let (reports, diagnostics): (Vec<_>, Vec<_>) = results.into_iter().unzip();
    let diagnostics: Vec<Diagnostic> = diagnostics.into_iter().flatten().collect();
    output::write(
        &Report::new(command, reports),
        &diagnostics,
        format,
        streams,
    )
}
