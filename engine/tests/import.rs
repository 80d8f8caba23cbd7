//! `wixsync import`: the command line end to end, in process.
//!
//! - `import_then_check_converges_on_every_case`: every case of `cases/` that converges
//!   (`apply` exits 0, then `apply --check` exits 0) is applied, its manifest deleted and
//!   imported again, and `apply --check` must then exit 0: the imported manifest describes the
//!   app exactly, keeping every UUID without pinning one.
//! - One snapshot per behaviour (`snapshots/import__<name>.snap`): what `import` printed, its
//!   exit code, and the manifest it left. Each error case also checks that nothing was
//!   written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{copy_case, copy_dir, fixed_ids, snapshot, snapshot_tree, workspace, write_files};
use wixsync::cli::{Streams, run_with_ids};

/// Runs wixsync with `args` in process; returns (exit code, stdout, stderr).
fn wixsync(args: &[&str]) -> (i32, String, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = run_with_ids(
        std::iter::once("wixsync").chain(args.iter().copied()),
        &mut Streams {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
        },
        Some(fixed_ids(256)),
    );
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

#[test]
fn import_then_check_converges_on_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<PathBuf> = fs::read_dir(workspace().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut converging, mut failures) = (0, Vec::new());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let app = dir.path().join(&name);
        let config = copy_case(case, &app);
        let app_arg = app.to_str().unwrap();
        let mut apply: Vec<&str> = vec!["apply"];
        apply.extend(config.args.iter().map(String::as_str));
        apply.push(app_arg);
        if wixsync(&apply).0 != 0 || wixsync(&["apply", "--check", app_arg]).0 != 0 {
            continue; // An error or a conflict is what the case tests.
        }
        // An event outside the SDK is an opt-in of the manifest (`unknown-events: allow`),
        // which import cannot know once the manifest is gone: it refuses such an event.
        let manifest = fs::read_to_string(app.join("wix-events.yaml")).unwrap();
        if manifest.contains("unknown-events: allow") {
            continue;
        }
        converging += 1;
        let applied = snapshot_tree(&app);
        fs::remove_file(app.join("wix-events.yaml")).unwrap();
        let (code, _, stderr) = wixsync(&["import", app_arg]);
        if code != 0 {
            failures.push(format!("{name}: import exited {code}:\n{stderr}"));
            continue;
        }
        let (code, stdout, stderr) = wixsync(&["apply", "--check", "--diff", app_arg]);
        if code != 0 {
            let manifest = fs::read_to_string(app.join("wix-events.yaml")).unwrap();
            failures.push(format!(
                "{name}: apply --check exited {code} after import of\n{manifest}\n{stdout}{stderr}"
            ));
        }
        // Import wrote the manifest and nothing else.
        let files = |tree: &[(String, Vec<u8>, std::time::SystemTime)]| -> Vec<(String, Vec<u8>)> {
            tree.iter()
                .filter(|(p, ..)| p != "wix-events.yaml")
                .map(|(p, b, _)| (p.clone(), b.clone()))
                .collect()
        };
        if files(&snapshot_tree(&app)) != files(&applied) {
            failures.push(format!(
                "{name}: import changed a file besides the manifest"
            ));
        }
    }
    assert!(converging >= 40, "only {converging} converging cases");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// An app: the template app (which has no event extension) with `files` added.
fn app_with(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let app = dir.join("app");
    copy_dir(&workspace().join("cases/template-app"), &app);
    fs::remove_file(app.join("wix-events.yaml")).unwrap();
    write_files(&app, files);
    app
}

fn builder(folder: &str, id: &str, named: Option<&str>) -> String {
    let export = match named {
        Some(name) => format!("export const {name} ="),
        None => "export default".to_owned(),
    };
    format!(
        "import {{ extensions }} from '@wix/astro/builders';\n\n{export} extensions.event({{\n  id: '{id}',\n  source: './extensions/backend/events/{folder}/{folder}.ts',\n}});\n"
    )
}

const ID_A: &str = "3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718";
const ID_B: &str = "9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a";

fn handler(import: &str, call: &str) -> String {
    format!("{import}\n\nexport default {call}(async (event) => {{\n  console.log(event);\n}});\n")
}

fn events_dir(folder: &str, file: &str) -> String {
    format!("src/extensions/backend/events/{folder}/{file}")
}

/// Runs `wixsync import ARGS APP` and snapshots what it printed and the manifest it left;
/// returns the exit code. When it fails, checks that nothing was written.
fn import_case(name: &str, app: &Path, args: &[&str]) -> i32 {
    let before = snapshot_tree(app);
    let app_arg = app.to_str().unwrap();
    let mut all: Vec<&str> = vec!["import"];
    all.extend(args);
    all.push(app_arg);
    let (code, stdout, stderr) = wixsync(&all);
    if code != 0 {
        assert_eq!(
            snapshot_tree(app),
            before,
            "a failed import wrote something"
        );
    }
    let manifest = fs::read_to_string(app.join("wix-events.yaml")).unwrap_or_default();
    let shown: Vec<&str> = args.iter().copied().chain(["APP"]).collect();
    let mut doc = format!("# wixsync import {} (exit {code})\n", shown.join(" "));
    for (section, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        if !text.is_empty() {
            doc.push_str(&format!("## {section}\n{text}"));
        }
    }
    doc.push_str(&format!("\n# wix-events.yaml\n{manifest}"));
    snapshot(
        &format!("import__{name}"),
        &doc.replace(app_arg, "APP")
            .replace(&app_arg.replace('/', "\\/"), "APP"),
    );
    code
}

#[test]
fn starter_manifest_for_an_app_without_event_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), &[]);
    assert_eq!(import_case("starter", &app, &[]), 0);
    let app_arg = app.to_str().unwrap();
    let (code, stdout, stderr) = wixsync(&["apply", "--check", app_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn named_builders_give_export_style_named_and_a_legacy_handler_is_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(
        dir.path(),
        &[
            (
                &events_dir("contact-created", "contact-created.extension.ts"),
                &builder("contact-created", ID_A, Some("eventContactCreated")),
            ),
            (
                &events_dir("contact-created", "contact-created.ts"),
                &handler(
                    "import { onContactCreated } from '@wix/crm/events';",
                    "onContactCreated",
                ),
            ),
            (
                &events_dir("order-approved", "order-approved.extension.ts"),
                &builder("order-approved", ID_B, Some("eventOrderApproved")),
            ),
            (
                &events_dir("order-approved", "order-approved.ts"),
                &handler(
                    "import { orders as o } from '@wix/ecom';",
                    "o.onOrderApproved",
                ),
            ),
        ],
    );
    assert_eq!(import_case("named-and-legacy", &app, &[]), 0);
}

#[test]
fn every_unmappable_extension_is_an_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(
        dir.path(),
        &[
            // An event the catalog does not know (a typo).
            (
                &events_dir("typo", "typo.extension.ts"),
                &builder("typo", ID_A, None),
            ),
            (
                &events_dir("typo", "typo.ts"),
                &handler(
                    "import { contacts } from '@wix/crm';",
                    "contacts.onContactCreate",
                ),
            ),
            // Two handlers of one webhook: ecom.cart and ecom.currentCart share their slug.
            (
                &events_dir("cart-a", "cart-a.extension.ts"),
                &builder("cart-a", ID_B, None),
            ),
            (
                &events_dir("cart-a", "cart-a.ts"),
                &handler("import { cart } from '@wix/ecom';", "cart.onCartCreated"),
            ),
            (
                &events_dir("cart-b", "cart-b.extension.ts"),
                &builder("cart-b", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", None),
            ),
            (
                &events_dir("cart-b", "cart-b.ts"),
                &handler(
                    "import { currentCart } from '@wix/ecom';",
                    "currentCart.onCartCreated",
                ),
            ),
            // A handler without a subscription.
            (
                &events_dir("no-subscription", "no-subscription.extension.ts"),
                &builder(
                    "no-subscription",
                    "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
                    None,
                ),
            ),
            (
                &events_dir("no-subscription", "no-subscription.ts"),
                "export default async function handler() {}\n",
            ),
            // A builder whose handler file is missing.
            (
                &events_dir("no-handler", "no-handler.extension.ts"),
                &builder("no-handler", "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", None),
            ),
            // A legacy handler whose function four ecom namespaces have.
            (
                &events_dir("legacy-cart", "legacy-cart.extension.ts"),
                &builder("legacy-cart", "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a", None),
            ),
            (
                &events_dir("legacy-cart", "legacy-cart.ts"),
                &handler(
                    "import { onCartCreated } from '@wix/ecom/events';",
                    "onCartCreated",
                ),
            ),
            // A folder name that cannot be a manifest key.
            (
                &events_dir("Contact_Updated", "Contact_Updated.extension.ts"),
                &builder(
                    "Contact_Updated",
                    "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b",
                    None,
                ),
            ),
            (
                &events_dir("Contact_Updated", "Contact_Updated.ts"),
                &handler(
                    "import { contacts } from '@wix/crm';",
                    "contacts.onContactUpdated",
                ),
            ),
        ],
    );
    assert_eq!(import_case("unmappable", &app, &[]), 1);
    let (_, stdout, _) = wixsync(&["import", "--format", "json", app.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let codes: Vec<&str> = report["apps"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "import::folder-name",
            "import::legacy-event",
            "import::no-handler",
            "import::no-subscription",
            "import::unknown-event",
            "import::shared-slug",
        ]
    );
    assert_eq!(report["exit_code"], 1);
    assert_eq!(report["apps"][0]["status"], "error");
    assert!(!app.join("wix-events.yaml").exists());
}

#[test]
fn an_existing_manifest_is_refused_then_replaced_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(
        dir.path(),
        &[
            (
                &events_dir("contact-created", "contact-created.extension.ts"),
                &builder("contact-created", ID_A, None),
            ),
            (
                &events_dir("contact-created", "contact-created.ts"),
                &handler(
                    "import { contacts } from '@wix/crm';",
                    "contacts.onContactCreated",
                ),
            ),
            (
                "wix-events.yaml",
                "version: 1\nevents:\n  old-name: crm.contacts.onContactCreated\n",
            ),
        ],
    );
    assert_eq!(import_case("refuse-existing", &app, &[]), 1);
    assert_eq!(import_case("force-replaces", &app, &["--force"]), 0);
    let app_arg = app.to_str().unwrap();
    // The extension is not registered in src/extensions.ts: the import keeps it, and apply
    // registers it (the manifest is not what is missing).
    let (code, stdout, _) = wixsync(&["apply", "--check", app_arg]);
    assert_eq!(code, 2);
    assert!(stdout.contains("register     contact-created"), "{stdout}");
    // Again: the manifest already holds exactly this; nothing is written.
    let (code, stdout, _) = wixsync(&["import", "--force", app_arg]);
    assert_eq!(code, 0);
    assert!(stdout.contains("nothing to write"), "{stdout}");
}

#[test]
fn init_is_an_alias_and_a_folder_that_is_no_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = wixsync(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a Wix app"), "{stderr}");
    assert!(!dir.path().join("wix-events.yaml").exists());
}
