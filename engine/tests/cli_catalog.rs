//! `wixsync events` and `wixsync schema`, run in-process through `wixsync::cli::run`.

mod common;

use common::in_process::wixsync;
use serde_json::Value;
use wixsync::cli::{EXIT_ERROR, EXIT_OK};
use wixsync_schema::catalog::Catalog;

#[test]
fn events_of_one_package() {
    let (code, out, err) = wixsync(&["events", "--package", "crm"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert_eq!(err, "");
    assert!(out.starts_with("@wix/crm 1.0.1643 (29 events)\n"), "{out}");
    assert!(
        out.contains(
            "\n  crm.contacts.onContactCreated  wix.contacts.v4.contact_created\n      \
             Triggered when a contact is created.\n"
        ),
        "{out}"
    );
    assert!(!out.contains("ecom."), "{out}");
    let event_lines = out.lines().filter(|l| l.starts_with("  crm.")).count();
    assert_eq!(event_lines, 29);
    assert!(out.ends_with("\n29 events. Each goes in wix-events.yaml as `<folder-name>: <package.namespace.function>`.\n"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour when color is false");
}

#[test]
fn the_package_may_carry_its_npm_scope() {
    let (code, scoped, _) = wixsync(&["events", "--package", "@wix/crm"]);
    assert_eq!(code, EXIT_OK);
    assert_eq!(scoped, wixsync(&["events", "--package", "crm"]).1);
    // Package names are lowercase; any case is accepted (a fresh-user finding).
    assert_eq!(scoped, wixsync(&["events", "--package", "CRM"]).1);
    assert_eq!(scoped, wixsync(&["events", "--package", "@wix/Crm"]).1);
}

#[test]
fn every_event_grouped_by_package() {
    let (code, out, _) = wixsync(&["events"]);
    assert_eq!(code, EXIT_OK);
    let catalog = Catalog::get();
    let event_lines = out
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .count();
    assert_eq!(event_lines, catalog.events().len());
    let descriptions = out.lines().filter(|l| l.starts_with("      ")).count();
    assert_eq!(descriptions, 290, "the SDK describes 290 of the 351 events");
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("@wix/")).collect();
    assert_eq!(headers.len(), catalog.packages().len());
    assert!(
        headers.contains(&"@wix/ecom 1.0.2509 (90 events)"),
        "{headers:#?}"
    );
    // The registered slug first, the SDK's where @wix/astro maps it to another.
    assert!(out.contains(
        "  app-management.appInstances.onAppInstanceInstalled  APP_PROVISIONED_WEBHOOK \
         (SDK slug AppInstalled)\n"
    ));
    assert!(out.contains(
        "  blog.posts.onPostCreated  wix.blog.post_created (SDK slug wix.blog.v3.post_created)\n      \
         Triggered when a post is created.\n"
    ));
    assert!(out.contains("  ecom.cart.onCartCreated  wix.ecom.v1.cart_created\n"));
    let total = catalog.events().len();
    let packages = catalog.packages().len();
    assert!(
        out.contains(&format!("\n{total} events in {packages} packages. ")),
        "{out}"
    );
}

#[test]
fn events_as_json() {
    let (code, out, _) = wixsync(&["events", "--json", "--package", "crm"]);
    assert_eq!(code, EXIT_OK);
    let events: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(events.len(), 29);
    let created = events
        .iter()
        .find(|e| e["function"] == "onContactCreated" && e["namespace"] == "contacts")
        .unwrap();
    let mut created = created.clone();
    let scopes = created.as_object_mut().unwrap().remove("scopes").unwrap();
    assert_eq!(
        created,
        serde_json::json!({
            "package": "crm",
            "namespace": "contacts",
            "function": "onContactCreated",
            "slug": "wix.contacts.v4.contact_created",
            "registered_slug": "wix.contacts.v4.contact_created",
            "description": "Triggered when a contact is created.",
            "version": "1.0.1643",
        })
    );
    let scopes = scopes.as_array().unwrap();
    assert_eq!(scopes.len(), 11);
    assert!(scopes.contains(&serde_json::json!({
        "id": "SCOPE.DC-CONTACTS.READ-CONTACTS",
        "name": "Read Contacts",
    })));

    let (_, all, _) = wixsync(&["events", "--json"]);
    let all: Vec<Value> = serde_json::from_str(&all).unwrap();
    assert_eq!(all.len(), Catalog::get().events().len());
    assert!(all.iter().all(|e| e.as_object().unwrap().len() == 8));
}

#[test]
fn an_unknown_package_suggests_the_closest() {
    let (code, out, err) = wixsync(&["events", "--package", "crmm"]);
    assert_eq!(code, EXIT_ERROR);
    assert_eq!(out, "");
    // The help line wraps at 100 columns.
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("`crmm` is not a package of wixsync's event catalog"),
        "{err}"
    );
    assert!(err.contains("did you mean `crm`?"), "{err}");
    assert!(
        err.contains("app-management, blog, bookings, crm, ecom"),
        "{err}"
    );
    assert!(!err.contains("nothing was written"), "{err}");

    let (code, _, err) = wixsync(&["events", "--package", "pricing"]);
    assert_eq!(code, EXIT_ERROR);
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("did you mean `pricing-plans`?"), "{err}");
    assert!(
        err.contains("`pricing` is also a namespace: `--package bookings` lists its events."),
        "{err}"
    );
}

#[test]
fn a_namespace_given_as_package_names_its_package() {
    let (code, _, err) = wixsync(&["events", "--package", "contacts"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(
        err.contains("`contacts` is a namespace: `--package crm` lists its events."),
        "{err}"
    );
}

#[test]
fn schema_prints_the_committed_json_schema() {
    let (code, out, err) = wixsync(&["schema"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert_eq!(out, wixsync_schema::json_schema_text());
    let schema: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["title"], "wix-events.yaml");
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/wix-events.schema.json"),
    )
    .unwrap()
    .replace("\r\n", "\n");
    assert!(
        committed == out,
        "schema/wix-events.schema.json is out of date: run \
         `cargo run -p wixsync -- schema > schema/wix-events.schema.json`"
    );
}

#[test]
fn help_names_the_new_commands() {
    let (code, out, _) = wixsync(&["--help"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("events"), "{out}");
    assert!(out.contains("schema"), "{out}");
    let (code, out, _) = wixsync(&["events", "--help"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("--package <NAME>"), "{out}");
    assert!(out.contains("--json"), "{out}");
}
