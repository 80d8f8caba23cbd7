//! Developer tasks of the wixsync workspace (see xtask/README.md).
//!
//! - `cargo catalog` (`cargo xtask catalog`): regenerate `schema/catalog.json`, the SDK event
//!   catalog, from the published `@wix/*` npm packages;
//! - `cargo xtask reference FILE`: compare the catalog with another extraction;
//! - `cargo xtask npm-pack OUT_DIR`: the npm tarballs of `wixsync` and this machine's platform
//!   package.

mod astro;
mod catalog;
mod dts;
mod jsdoc;
mod npm;
mod npm_pack;
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
    /// Build the release binary and write the npm tarballs of `wixsync` and this machine's
    /// platform package (`@wixsync/cli-<platform>`) to OUT_DIR.
    NpmPack(npm_pack::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Catalog(args) => catalog::run(args),
        Task::Reference(args) => reference::run(args),
        Task::NpmPack(args) => npm_pack::run_pack(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
