//! The entry points of the fuzz targets (`fuzz/`, run with `cargo +nightly fuzz`) and of the
//! stable replay of their corpus (`engine/tests/fuzz_corpus.rs`). Not part of wixsync's API.
//!
//! Each entry takes the raw fuzz input and panics on a finding: a panic anywhere in wixsync
//! is one, and so is a run of the pipeline that reports a bug against itself: a changeset
//! that cannot be built, one that fails `verify`, or one whose result does not plan empty.
//! Every diagnostic produced on the way is rendered too, so a panic in the renderer counts.
//!
//! The entries recurse as deeply as the binary does: call them on a thread with a large stack
//! (the binary's is 256 MiB, `engine/src/main.rs`).

use std::collections::BTreeSet;

use uuid::Uuid;
use wixsync_schema::{Diagnostic, MANIFEST_FILE_NAME, Manifest, SourceFile};

use crate::changeset::{self, Changeset};
use crate::git::GitState;
use crate::plan::{PlanInputs, plan};
use crate::reconcile::{ReconcileError, Reconciliation};
use crate::scan::scan;
use crate::tree::{
    AppTree, EVENTS_DIR, PACKAGE_JSON, PRETTIER_FILES, REGISTRY_PATH, SOURCE_EXTENSIONS,
};

/// The width diagnostics are rendered at, as the CLI does (`cli.rs`).
const WIDTH: usize = 100;

/// The manifest target: parse `data` as `wix-events.yaml` and render every diagnostic.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Manifest::parse(&SourceFile::new(MANIFEST_FILE_NAME, text)) {
        Ok(manifest) => {
            render(&manifest.warnings);
        }
        Err(diagnostics) => render(&diagnostics),
    }
}

/// The manifest of the fixed app the scan targets run in: one extension kept, one created.
const FIXED_MANIFEST: &str = "version: 1
events:
  contact-created: crm.contacts.onContactCreated
  order-approved: ecom.orders.onOrderApproved
";

/// The fixed app (the `in-sync` case plus an extension the manifest no longer names, so the
/// plan removes it), without its `src/extensions.ts`.
const FIXED_APP: [(&str, &str); 5] = [
    (
        "src/extensions/backend/events/contact-created/contact-created.extension.ts",
        "import { extensions } from '@wix/astro/builders';\n\nexport default extensions.event({\n  \
         id: '3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718',\n  \
         source: './extensions/backend/events/contact-created/contact-created.ts',\n});\n",
    ),
    (
        "src/extensions/backend/events/contact-created/contact-created.ts",
        "import { contacts } from '@wix/crm';\n\nexport default contacts.onContactCreated(async \
         (event) => {\n  console.log('handled', event.metadata.instanceId);\n});\n",
    ),
    (
        "src/extensions/backend/events/old-one/old-one.extension.ts",
        "import { extensions } from '@wix/astro/builders';\n\nexport default extensions.event({\n  \
         id: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5',\n  \
         source: './extensions/backend/events/old-one/old-one.ts',\n});\n",
    ),
    (
        "src/extensions/backend/events/old-one/old-one.ts",
        "import { orders } from '@wix/ecom';\n\nexport default orders.onOrderPaid(async (event) \
         => {\n  console.log(event);\n});\n",
    ),
    (
        PACKAGE_JSON,
        "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"@wix/astro\": \"^2.0.0\",\n    \
         \"@wix/crm\": \"^1.0.0\"\n  }\n}\n",
    ),
];

/// The `src/extensions.ts` of the fixed app.
const FIXED_REGISTRY: &str = "import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import oldOne from './extensions/backend/events/old-one/old-one.extension.ts';

export default app()
  .use(contactCreated)
  .use(oldOne);
";

fn fixed_app() -> AppTree {
    AppTree::from_files(FIXED_APP.iter().map(|(p, t)| (*p, t.as_bytes())))
}

/// The `scan_extensions` target: the fixed app with `data` as its `src/extensions.ts`,
/// through the whole pipeline.
pub fn scan_extensions(data: &[u8]) {
    let mut tree = fixed_app();
    tree.insert(REGISTRY_PATH.to_owned(), data.to_vec());
    pipeline_over(&tree, FIXED_MANIFEST, true, false);
}

/// The `scan_handler` target: the fixed app with `data` as the handler of `contact-created`,
/// through the whole pipeline.
pub fn scan_handler(data: &[u8]) {
    let mut tree = fixed_app();
    tree.insert(REGISTRY_PATH.to_owned(), FIXED_REGISTRY.as_bytes().to_vec());
    tree.insert(FIXED_APP[1].0.to_owned(), data.to_vec());
    pipeline_over(&tree, FIXED_MANIFEST, true, false);
}

/// The `pipeline` target: an app decoded from `data` ([`decode_app`]) through the whole
/// pipeline.
pub fn pipeline(data: &[u8]) {
    let app = decode_app(data);
    pipeline_over(&app.tree, &app.manifest, app.git, app.force);
}

/// An app as the `pipeline` target reads it.
#[derive(Debug, Default)]
pub struct FuzzApp {
    /// The files, as `AppTree::load` would read them.
    pub tree: AppTree,
    /// The text of `wix-events.yaml` (empty when the input has none).
    pub manifest: String,
    /// Whether every event file is committed in git unmodified (so removals may go ahead).
    pub git: bool,
    /// `--force`.
    pub force: bool,
}

/// Decodes a `pipeline` input: an archive of files, each introduced by a line `=== PATH`
/// and holding the lines up to the next such line. `wix-events.yaml` is the manifest;
/// `=== --git` says every event file is committed unmodified, `=== --force` sets `--force`.
/// Paths the app loader would never produce (`..`, empty or hidden segments, files outside
/// what it reads, a file where another needs a folder) are dropped, so that every decoded
/// app is one `AppTree::load` could have read. Bytes that are not UTF-8 stay in the content.
pub fn decode_app(data: &[u8]) -> FuzzApp {
    let mut app = FuzzApp::default();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut current: Option<(String, Vec<u8>)> = None;
    let mut flush = |current: &mut Option<(String, Vec<u8>)>, app: &mut FuzzApp| {
        if let Some((path, bytes)) = current.take() {
            if path == MANIFEST_FILE_NAME {
                app.manifest = String::from_utf8_lossy(&bytes).into_owned();
            } else if loadable(&path) && !files.iter().any(|(p, _)| clashes(p, &path)) {
                files.push((path, bytes));
            }
        }
    };
    for line in data.split_inclusive(|b| *b == b'\n') {
        if let Some(header) = line.strip_prefix(b"=== ") {
            flush(&mut current, &mut app);
            let name = String::from_utf8_lossy(header)
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            match name.as_str() {
                "--git" => app.git = true,
                "--force" => app.force = true,
                _ => current = Some((name, Vec::new())),
            }
        } else if let Some((_, bytes)) = &mut current {
            bytes.extend_from_slice(line);
        }
    }
    flush(&mut current, &mut app);
    app.tree = AppTree::from_files(files);
    app
}

/// Whether `AppTree::load` reads a file at `path`.
fn loadable(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == ".." || s.contains(['\\', '\0']))
    {
        return false;
    }
    if path == REGISTRY_PATH || path == PACKAGE_JSON || PRETTIER_FILES.contains(&path) {
        return true;
    }
    if let Some(rest) = path.strip_prefix(&format!("{EVENTS_DIR}/")) {
        // A file in a folder of the events folder (files directly in it are not read).
        return rest.contains('/');
    }
    segments[0] == "src"
        && segments.len() > 1
        && !segments
            .iter()
            .any(|s| s.starts_with('.') || *s == "node_modules")
        && path
            .rsplit_once('.')
            .is_some_and(|(_, ext)| SOURCE_EXTENSIONS.contains(&ext))
}

/// Whether two paths cannot both be files: equal, or one a folder of the other.
fn clashes(a: &str, b: &str) -> bool {
    a == b
        || b.strip_prefix(a).is_some_and(|r| r.starts_with('/'))
        || a.strip_prefix(b).is_some_and(|r| r.starts_with('/'))
}

/// The UUIDs new extensions get: fixed, distinct, version 4, and none written anywhere in
/// `tree` or `manifest` (a random UUID never is; a fuzzer that copies one of these fixed ones
/// into an app would otherwise report a collision no real run can have).
fn fresh_ids(n: usize, tree: &AppTree, manifest: &str) -> Vec<Uuid> {
    let taken = |id: &Uuid| {
        let text = id.to_string();
        manifest.contains(&text)
            || tree.paths().any(|path| {
                tree.bytes(path)
                    .is_some_and(|bytes| String::from_utf8_lossy(bytes).contains(&text))
            })
    };
    (0_u128..)
        .map(|i| uuid::Builder::from_random_bytes((0x5eed_0000_u128 + i).to_be_bytes()).into_uuid())
        .filter(|id| !taken(id))
        .take(n)
        .collect()
}

/// Runs the pipeline over `tree` as `reconcile` does, without git or disk, and panics on a
/// finding (see the module documentation).
fn pipeline_over(tree: &AppTree, manifest_text: &str, git: bool, force: bool) {
    let manifest = match Manifest::parse(&SourceFile::new(MANIFEST_FILE_NAME, manifest_text)) {
        Ok(manifest) => manifest,
        Err(diagnostics) => {
            render(&diagnostics);
            return;
        }
    };
    let scanned = match scan(tree) {
        Ok(scanned) => scanned,
        Err(errors) => {
            render(&crate::diagnose::reconcile_error(&ReconcileError::Scan {
                errors,
                tree: Box::new(tree.clone()),
            }));
            return;
        }
    };
    let git = if git {
        GitState::Repository {
            clean: tree
                .event_files()
                .into_iter()
                .map(str::to_owned)
                .collect::<BTreeSet<_>>(),
        }
    } else {
        GitState::NoRepository
    };
    let inputs = PlanInputs {
        fresh_ids: fresh_ids(manifest.entries.len(), tree, manifest_text),
        git,
        force,
        recorded_ids: Default::default(),
    };
    let planned = plan(&manifest, &scanned, &inputs);
    let mut changeset = Changeset::default();
    if planned.conflicts.is_empty() {
        changeset = changeset::build(&planned, &scanned, tree)
            .unwrap_or_else(|e| panic!("changeset::build failed (a bug): {e}"));
        let next =
            crate::verify::verify(&changeset, tree, &manifest, &inputs).unwrap_or_else(|e| {
                let errors: Vec<String> = e.iter().map(ToString::to_string).collect();
                panic!("verify failed (a bug): {}", errors.join("; "))
            });
        let rescan = scan(&next).unwrap_or_else(|e| panic!("the result does not scan: {e:?}"));
        let again = plan(&manifest, &rescan, &inputs);
        assert!(
            again.is_empty(),
            "the result does not plan empty: steps {:?}, conflicts {:?}",
            again
                .steps
                .iter()
                .map(|s| s.action.to_string())
                .collect::<Vec<_>>(),
            again.conflicts
        );
    }
    let reconciliation = Reconciliation {
        manifest,
        tree: tree.clone(),
        plan: planned,
        changeset,
    };
    render(&reconciliation.diagnostics());
    // The text `plan` prints.
    let mut out = Vec::new();
    let _ = crate::render::plan_report(
        &mut out,
        "app",
        &reconciliation,
        crate::render::Palette::new(false),
    );
}

/// Renders `diagnostics` as the CLI does, coloured and plain.
fn render(diagnostics: &[Diagnostic]) {
    let _ = wixsync_schema::diagnostic::render(diagnostics, WIDTH, true);
    let _ = wixsync_schema::diagnostic::render_plain(diagnostics, WIDTH);
}
