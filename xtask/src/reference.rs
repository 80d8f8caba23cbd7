//! `cargo xtask reference FILE`: compares `schema/catalog.json` with another extraction of the
//! SDK events (such as `catalog-reference.json`: `{"events": [{"package": "@wix/crm",
//! "namespace", "function", "webhook_slug"}]}`).
//!
//! Every reference event must be in the catalog with the same slug; events the catalog has
//! beyond the reference's packages are not a difference, extra events within them are listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::catalog::{CatalogFile, workspace_root};

/// Arguments of `cargo xtask reference`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The reference extraction to compare with.
    reference: PathBuf,
    /// The catalog file.
    #[arg(long, default_value_os_t = workspace_root().join("schema/catalog.json"))]
    catalog: PathBuf,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    source: Option<String>,
    events: Vec<ReferenceEvent>,
}

#[derive(Deserialize)]
struct ReferenceEvent {
    package: String,
    namespace: String,
    function: String,
    webhook_slug: String,
}

pub fn run(args: Args) -> Result<()> {
    let reference: Reference = serde_json::from_str(
        &fs::read_to_string(&args.reference)
            .with_context(|| format!("reading {}", args.reference.display()))?,
    )
    .with_context(|| format!("parsing {}", args.reference.display()))?;
    let catalog: CatalogFile = serde_json::from_str(
        &fs::read_to_string(&args.catalog)
            .with_context(|| format!("reading {}", args.catalog.display()))?,
    )
    .with_context(|| format!("parsing {}", args.catalog.display()))?;

    type Key = (String, String, String);
    let ours: BTreeMap<Key, &str> = catalog
        .events
        .iter()
        .map(|e| {
            let key = (e.package.clone(), e.namespace.clone(), e.function.clone());
            (key, e.slug.as_str())
        })
        .collect();
    let mut theirs: BTreeMap<Key, &str> = BTreeMap::new();
    for e in &reference.events {
        let package = e.package.strip_prefix("@wix/").unwrap_or(&e.package);
        let key = (package.to_owned(), e.namespace.clone(), e.function.clone());
        if theirs.insert(key, &e.webhook_slug).is_some() {
            eprintln!(
                "reference lists {package}.{}.{} twice",
                e.namespace, e.function
            );
        }
    }
    if let Some(source) = &reference.source {
        eprintln!("reference: {source}");
    }
    let packages: BTreeSet<&str> = theirs.keys().map(|k| k.0.as_str()).collect();
    for package in &packages {
        let version = catalog
            .packages
            .iter()
            .find(|p| p.package == *package)
            .map_or("(absent)", |p| p.version.as_str());
        let (r, o) = (
            theirs.keys().filter(|k| k.0 == *package).count(),
            ours.keys().filter(|k| k.0 == *package).count(),
        );
        eprintln!("  {package:<10} reference {r:>4}  catalog {o:>4}  (catalog from {version})");
    }

    let mut problems = 0;
    for (key @ (p, n, f), slug) in &theirs {
        match ours.get(key) {
            None => {
                problems += 1;
                println!("missing   {p}.{n}.{f} ({slug})");
            }
            Some(our) if our != slug => {
                problems += 1;
                println!("slug      {p}.{n}.{f}: reference {slug}, catalog {our}");
            }
            Some(_) => {}
        }
    }
    for (key @ (p, n, f), slug) in &ours {
        if packages.contains(p.as_str()) && !theirs.contains_key(key) {
            println!("extra     {p}.{n}.{f} ({slug})");
        }
    }
    eprintln!(
        "{} reference events, {problems} missing or different",
        theirs.len()
    );
    if problems > 0 {
        bail!("the catalog disagrees with the reference");
    }
    Ok(())
}
