//! Output for machines: `--format json|github|sarif` of `plan`, `apply` and `apply --check`.
//!
//! [`run`] reconciles the app (and, for `apply`, commits) exactly as the human commands do,
//! turns the result into a [`report::Report`] with the one conversion [`report::app_report`],
//! and renders that report: [`json`] (one versioned document, its JSON Schema committed as
//! `schema/wixsync-output.schema.json`), [`github`] (workflow commands and a job summary) or
//! [`sarif`] (SARIF 2.1.0). The exit code is the report's and never depends on the format;
//! stdout holds the document and nothing else.
//!
//! This module reads the environment (`GITHUB_ACTIONS`, `GITHUB_STEP_SUMMARY`) and the current
//! directory, and writes the summary file; the renderers below it only write to the writers
//! they are given. The human output stays in `cli.rs`.

pub mod github;
pub mod json;
pub mod report;
pub mod sarif;

use std::io;
use std::path::{Component, Path, PathBuf};

use clap::ValueEnum;
use wixsync_schema::{Diagnostic, MANIFEST_FILE_NAME};

use crate::cli::Streams;
use crate::commit::commit;
use crate::reconcile::{Options, ReconcileError, reconcile};
use report::{AppPaths, AppReport, CommandName, Outcome, Report, app_report};

/// The output format of `plan`, `apply` and `apply --check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people: the plan, a unified diff, diagnostics with code frames.
    Human,
    /// One JSON document on stdout (see `wixsync schema --output`).
    Json,
    /// GitHub Actions workflow commands: an annotation at the manifest line of every pending
    /// change and at the place of every diagnostic, plus a Markdown job summary appended to
    /// $GITHUB_STEP_SUMMARY when it is set.
    Github,
    /// SARIF 2.1.0, for code scanning (`github/codeql-action/upload-sarif`).
    Sarif,
}

impl Format {
    /// The format to use: the one asked for, else `github` under GitHub Actions
    /// (`GITHUB_ACTIONS=true`, which the runner sets in every step), else `human`.
    pub fn resolve(asked: Option<Format>, github_actions: Option<&str>) -> Format {
        asked.unwrap_or(if github_actions == Some("true") {
            Format::Github
        } else {
            Format::Human
        })
    }
}

/// One machine-format run of `plan`, `apply` or `apply --check` on one app.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Which command.
    pub command: CommandName,
    /// The app root, as given on the command line.
    pub dir: &'a Path,
    /// Why the app could not be found, if it could not ([`crate::reconcile::locate_app`]).
    pub located: Option<&'a ReconcileError>,
    /// The manifest and `--force`.
    pub options: Options,
    /// `--strict`: a warning fails the run (exit 1), and `apply` writes nothing.
    pub strict: bool,
    /// `json`, `github` or `sarif` (not `human`).
    pub format: Format,
}

/// Runs `request` and prints its report in the machine format; returns the exit code (0 in
/// sync or applied, 1 error or conflict, 2 pending), the same as the human output's.
pub fn run(request: &Request<'_>, streams: &mut Streams<'_>) -> i32 {
    let cwd = std::env::current_dir().ok();
    let (app, diagnostics) = app_result(request, cwd.as_deref());
    let report = Report::new(request.command, vec![app]);
    write(&report, &diagnostics, request.format, streams)
}

/// Reconciles (and, for `apply`, commits) the app of `request` and returns its report, with
/// paths relative to `cwd`, and its diagnostics as the engine names them (for the `github`
/// format's log). Holds nothing of the app after it returns but these.
pub fn app_result(request: &Request<'_>, cwd: Option<&Path>) -> (AppReport, Vec<Diagnostic>) {
    let paths = app_paths(request.dir, request.options.manifest.as_deref(), cwd);
    let owned;
    let reconciled = match request.located {
        Some(error) => Err(error),
        None => {
            owned = reconcile(request.dir, &request.options);
            owned.as_ref()
        }
    };
    match reconciled {
        Err(failure) => (
            app_report(request.command, &paths, &Outcome::Failed(failure)),
            failure.diagnostics(),
        ),
        Ok(reconciliation) => {
            let plan = &reconciliation.plan;
            let strict_fails = request.strict && reconciliation.has_warnings();
            let committed = (request.command == CommandName::Apply
                && !strict_fails
                && plan.conflicts.is_empty()
                && !plan.steps.is_empty())
            .then(|| {
                commit(request.dir, &reconciliation.changeset)
                    .map_err(|failure| crate::diagnose::commit_failure(&failure))
            });
            let mut diagnostics: Vec<Diagnostic> = reconciliation.diagnostics();
            if let Some(Err(error)) = &committed {
                diagnostics.push(error.clone());
            }
            let outcome = Outcome::Planned {
                reconciliation,
                committed,
            };
            let mut app = app_report(request.command, &paths, &outcome);
            if strict_fails {
                app.status = report::Status::Error;
            }
            (app, diagnostics)
        }
    }
}

/// Prints the report of one `wixsync import` of the app at `dir` (as given) in a machine
/// format; returns the exit code, 0 when the manifest was written, else 1.
pub fn print_import(
    dir: &Path,
    result: &Result<crate::import::Imported, crate::import::ImportError>,
    format: Format,
    streams: &mut Streams<'_>,
) -> i32 {
    let cwd = std::env::current_dir().ok();
    let paths = app_paths(dir, None, cwd.as_deref());
    let diagnostics = match result {
        Ok(_) => Vec::new(),
        Err(error) => error.diagnostics(),
    };
    let report = Report::new(
        CommandName::Import,
        vec![report::import_report(&paths, result)],
    );
    write(&report, &diagnostics, format, streams)
}

/// Prints `report` in `format` (`diagnostics`, with their code frames, go to stderr as the
/// `github` format's log) and returns its exit code, or 1 when stdout cannot be written.
pub fn write(
    report: &Report,
    diagnostics: &[Diagnostic],
    format: Format,
    streams: &mut Streams<'_>,
) -> i32 {
    let written = match format {
        Format::Human | Format::Json => json::write(streams.stdout, report),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            let prefix = cwd.as_deref().map(repository_prefix).unwrap_or_default();
            sarif::write(streams.stdout, report, &prefix)
        }
        Format::Github => {
            // The human text goes to the log (stderr); the commands to stdout.
            // The log is for people reading the step's output; the annotations carry the same.
            drop(crate::cli::report(streams, diagnostics));
            drop(github::write_log(streams.stderr, report));
            let summary = github::write_summary_file(
                std::env::var_os("GITHUB_STEP_SUMMARY").as_deref(),
                report,
            );
            github::write_commands(streams.stdout, report).and(summary.or_else(|error| {
                let _ = writeln!(
                    streams.stderr,
                    "wixsync: could not append the job summary to $GITHUB_STEP_SUMMARY: {error}"
                );
                Ok(())
            }))
        }
    };
    match written.and_then(|()| streams.stdout.flush()) {
        Ok(()) => report.exit_code,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => report.exit_code,
        Err(error) => {
            let _ = writeln!(
                streams.stderr,
                "wixsync: could not write the output: {error}"
            );
            1
        }
    }
}

/// The paths of the app at `dir` as the report names them (see [`AppPaths`]).
pub fn app_paths(dir: &Path, manifest: Option<&Path>, cwd: Option<&Path>) -> AppPaths {
    let manifest_path = manifest.map_or_else(|| dir.join(MANIFEST_FILE_NAME), Path::to_path_buf);
    let shown = manifest_path.display().to_string();
    AppPaths {
        root: relative(dir, cwd),
        manifest: relative(&manifest_path, cwd),
        manifest_source_name: shown.strip_prefix("./").map(str::to_owned).unwrap_or(shown),
    }
}

/// `path` relative to `cwd`, `/`-separated, without `./` (`.` for the directory itself); an
/// absolute path outside `cwd` stays absolute.
pub fn relative(path: &Path, cwd: Option<&Path>) -> String {
    let stripped: PathBuf = match cwd {
        Some(cwd) if path.is_absolute() => match path.strip_prefix(cwd) {
            Ok(rest) => rest.to_path_buf(),
            Err(_) => return path.display().to_string(),
        },
        _ => path.to_path_buf(),
    };
    let parts: Vec<String> = stripped
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if stripped.is_absolute() {
        return stripped.display().to_string();
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Where the current directory lies inside its git work tree (the nearest folder upward
/// holding `.git`), `/`-terminated: `apps/` when wixsync runs in `<repo>/apps`, `""` at the
/// root or outside a repository. SARIF's URIs are relative to the repository root.
fn repository_prefix(cwd: &Path) -> String {
    let Some(root) = cwd.ancestors().find(|dir| dir.join(".git").exists()) else {
        return String::new();
    };
    match relative(cwd, Some(root)).as_str() {
        "." => String::new(),
        rest => format!("{rest}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_is_the_default_under_github_actions_only() {
        assert_eq!(Format::resolve(None, Some("true")), Format::Github);
        assert_eq!(Format::resolve(None, None), Format::Human);
        assert_eq!(Format::resolve(None, Some("false")), Format::Human);
        assert_eq!(
            Format::resolve(Some(Format::Json), Some("true")),
            Format::Json
        );
        assert_eq!(
            Format::resolve(Some(Format::Human), Some("true")),
            Format::Human
        );
    }

    #[test]
    fn paths_are_relative_to_the_current_directory() {
        let cwd = Path::new("/repo");
        assert_eq!(relative(Path::new("."), Some(cwd)), ".");
        assert_eq!(relative(Path::new("./apps/shop/"), Some(cwd)), "apps/shop");
        assert_eq!(
            relative(Path::new("/repo/apps/shop"), Some(cwd)),
            "apps/shop"
        );
        assert_eq!(relative(Path::new("/repo"), Some(cwd)), ".");
        assert_eq!(
            relative(Path::new("/elsewhere/app"), Some(cwd)),
            "/elsewhere/app"
        );

        let p = app_paths(Path::new("."), None, Some(cwd));
        assert_eq!(
            (p.root.as_str(), p.manifest.as_str()),
            (".", "wix-events.yaml")
        );
        assert_eq!(p.manifest_source_name, "wix-events.yaml");
        assert_eq!(p.file("src/extensions.ts"), "src/extensions.ts");

        let p = app_paths(Path::new("/repo/apps/shop"), None, Some(cwd));
        assert_eq!(p.manifest, "apps/shop/wix-events.yaml");
        assert_eq!(
            p.file("/repo/apps/shop/wix-events.yaml"),
            "apps/shop/wix-events.yaml"
        );
        assert_eq!(p.file("package.json"), "apps/shop/package.json");

        let p = app_paths(
            Path::new("app"),
            Some(Path::new("conf/events.yaml")),
            Some(cwd),
        );
        assert_eq!(p.file("conf/events.yaml"), "conf/events.yaml");
        assert_eq!(p.file("src/extensions.ts"), "app/src/extensions.ts");
    }
}
