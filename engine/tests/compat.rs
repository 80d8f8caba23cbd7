//! The compatibility test: what wixsync writes must build under the real packages.
//!
//! For every case of `cases/` that converges, and for one app with a handler for every webhook
//! slug of the catalog, this test applies wixsync to a copy, writes the slugs each event
//! folder must yield (`expected-slugs.json`, from the catalog), and runs `compat/run.sh`:
//! `tsc --noEmit` under `astro/tsconfigs/strict`, then `src/extensions.ts` loaded with Vite's
//! SSR loader the way `@wix/astro` does at build time, calling every handler's default export
//! and comparing the slug it returns. With the UUID of each event folder (`expected-ids.json`),
//! it then runs a real offline `astro build` of each app (`compat/build.mjs`, two at a time) and
//! checks the built `dist/_wix/app-manifest.json`: one `WEBHOOK` component per event extension,
//! with the folder's UUID as `compId` and the registered slug (after `@wix/astro`'s
//! `legacyWebhookMap`) as `webhookSlug`, and no other. It needs node, npm and the npm registry
//! (the packages are cached in `compat/node_modules`), so it is ignored by `cargo test` and run
//! by `.ci/run`: `cargo test -p wixsync --test compat -- --ignored`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_case, copy_dir, fixed_ids, workspace, write_files};
use heck::ToKebabCase;
use wixsync::reconcile::{Options, reconcile};
use wixsync::scan::scan;
use wixsync::tree::AppTree;
use wixsync_schema::catalog::Catalog;

/// Applies wixsync to `app` and writes `expected-slugs.json` (folder -> SDK slug) and
/// `expected-ids.json` (folder -> the extension's UUID, as its builder has it after the apply);
/// `false` when the case does not converge (an error or a conflict is what it tests).
fn apply(app: &Path, force: bool) -> bool {
    let options = Options {
        fresh_ids: Some(fixed_ids(1024)),
        force,
        ..Options::default()
    };
    let Ok(reconciliation) = reconcile(app, &options) else {
        return false;
    };
    if !reconciliation.plan.conflicts.is_empty() {
        return false;
    }
    wixsync::commit::commit(app, &reconciliation.changeset).unwrap();
    let mut slugs: BTreeMap<String, String> = reconciliation
        .manifest
        .entries
        .iter()
        .filter_map(|e| Some((e.folder.to_string(), e.event.slug()?.to_owned())))
        .collect();
    // Event extensions outside the events folder (inline ones included) are registered too;
    // the load check names each by its handler's folder.
    let scanned = scan(&AppTree::load(app).unwrap()).unwrap();
    let mut ids: BTreeMap<String, String> = scanned
        .extensions
        .iter()
        .filter(|e| slugs.contains_key(&e.folder))
        .filter_map(|e| Some((e.folder.clone(), e.id()?.to_owned())))
        .collect();
    for other in &scanned.others {
        let (Some(event), Some(source)) = (&other.event, &other.def.source) else {
            continue;
        };
        let folder = source
            .value
            .rsplit('/')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        slugs.insert(folder.clone(), event.slug().unwrap_or_default().to_owned());
        if let Some(id) = &other.def.id {
            ids.insert(folder, id.value.clone());
        }
    }
    for (name, map) in [("expected-slugs.json", &slugs), ("expected-ids.json", &ids)] {
        fs::write(app.join(name), serde_json::to_string_pretty(map).unwrap()).unwrap();
    }
    true
}

/// An app with one event extension per webhook slug of the catalog.
fn all_events_app(dir: &Path) -> PathBuf {
    let app = dir.join("all-events");
    let mut manifest = String::from("version: 1\nevents:\n");
    let mut slugs = std::collections::BTreeSet::new();
    for event in Catalog::get().events() {
        if !slugs.insert(event.slug) {
            continue;
        }
        let folder = format!(
            "{}-{}-{}",
            event.package,
            event.namespace.to_kebab_case(),
            event.function.to_kebab_case()
        );
        manifest.push_str(&format!("  {folder}: {event}\n"));
    }
    let template = workspace().join("cases/template-app");
    copy_dir(&template, &app);
    write_files(&app, &[("wix-events.yaml", &manifest)]);
    app
}

#[test]
#[ignore = "needs node, npm and the npm registry; .ci/run runs it"]
fn compat() {
    let dir = tempfile::tempdir().unwrap();
    let mut apps = Vec::new();
    let mut cases: Vec<PathBuf> = fs::read_dir(workspace().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        // A case that ships its own stand-in `node_modules/@wix/*`, or opts into events outside
        // the SDK, uses events the pinned real packages do not have, by design.
        let manifest = fs::read_to_string(case.join("wix-events.yaml")).unwrap_or_default();
        if case.join("node_modules/@wix").is_dir() || manifest.contains("unknown-events: allow") {
            println!(
                "compat: skipping {} (its events are outside the real SDK by design)",
                case.display()
            );
            continue;
        }
        let app = dir.path().join(case.file_name().unwrap());
        let config = copy_case(&case, &app);
        if let Some(why) = &config.compat_skip {
            println!("compat: skipping {} ({why})", case.display());
            continue;
        }
        let force = config.force();
        if apply(&app, force) {
            apps.push(app);
        } else {
            println!(
                "compat: skipping {} (does not converge by design)",
                case.display()
            );
        }
    }
    let all = all_events_app(dir.path());
    assert!(apply(&all, false), "the all-events app must converge");
    apps.push(all);

    let status = Command::new("bash")
        .arg(workspace().join("compat/run.sh"))
        .arg("--build")
        .args(&apps)
        .status()
        .expect("bash runs compat/run.sh");
    assert!(
        status.success(),
        "compat/run.sh failed: see its output above"
    );
}
