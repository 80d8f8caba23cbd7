//! Developer tasks of the wixsync workspace (see xtask/README.md).
//!
//! - `cargo catalog` (`cargo xtask catalog`): regenerate `schema/catalog.json`, the SDK event
//!   catalog, from the published `@wix/*` npm packages;
//! - `cargo xtask reference FILE`: compare the catalog with another extraction.

mod astro;
mod catalog;
mod dts;
mod jsdoc;
mod npm;
mod reference;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "Developer tasks of the wixsync workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate schema/catalog.json from the published @wix SDK packages.
    Catalog(catalog::Args),
    /// Compare schema/catalog.json with another extraction of the SDK events.
    Reference(reference::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Catalog(args) => catalog::run(args),
        Task::Reference(args) => reference::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
