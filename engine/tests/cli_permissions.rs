//! `wixsync permissions`, run in-process through `wixsync::cli::run`, on the example app of
//! `cases/template-app` and on manifests written for the test.

use std::path::Path;

mod common;

use common::in_process::wixsync;
use serde_json::Value;
use wixsync::cli::{EXIT_ERROR, EXIT_OK};

fn template_app() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cases/template-app")
        .display()
        .to_string()
}

#[test]
fn the_example_app_needs_three_read_scopes() {
    let app = template_app();
    let (code, out, err) = wixsync(&["permissions", &app]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert_eq!(err, "");
    // Each event with every scope that suffices for it, read-only ones first.
    assert!(out.contains("\n  contact-created   crm.contacts.onContactCreated\n    any one of 11 scopes: Read Contacts, Read Contacts (PII),"), "{out}");
    assert!(
        out.contains(
            "\n  booking-canceled  bookings.bookings.onBookingCanceled\n    any one of 6 scopes: "
        ),
        "{out}"
    );
    // The chosen list: the three scopes WIX-FACTS.md names for these events.
    let (_, list) = out
        .split_once("Add these 3 scopes on the Permissions page of the app dashboard, to receive every event:\n")
        .expect(&out);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .take(3)
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            [
                "Read Contacts",
                "SCOPE.DC-CONTACTS.READ-CONTACTS",
                "for contact-created"
            ],
            [
                "Read Orders",
                "SCOPE.DC-STORES.READ-ORDERS",
                "for order-approved"
            ],
            [
                "Read bookings calendar - including participants",
                "SCOPE.DC-BOOKINGS.READ-CALENDAR-WITH-PARTICIPANTS",
                "for booking-canceled"
            ],
        ]
    );
    assert!(
        out.contains("Chosen as the list with the fewest scopes that can change data"),
        "{out}"
    );
}

#[test]
fn json_for_tools() {
    let app = template_app();
    let (code, out, _) = wixsync(&["permissions", &app, "--format", "json"]);
    assert_eq!(code, EXIT_OK);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let apps = doc["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    let events = apps[0]["events"].as_array().unwrap();
    let folders: Vec<&str> = events
        .iter()
        .map(|e| e["folder"].as_str().unwrap())
        .collect();
    assert_eq!(
        folders,
        ["contact-created", "order-approved", "booking-canceled"]
    );
    assert_eq!(events[0]["event"], "crm.contacts.onContactCreated");
    assert_eq!(
        events[0]["registered_slug"],
        "wix.contacts.v4.contact_created"
    );
    assert_eq!(events[0]["in_catalog"], true);
    assert_eq!(events[0]["scopes"].as_array().unwrap().len(), 11);
    assert_eq!(
        events[0]["scopes"][0],
        serde_json::json!({ "id": "SCOPE.DC-CONTACTS.READ-CONTACTS", "name": "Read Contacts", "read_only": true })
    );
    let cover = &apps[0]["cover"];
    assert_eq!(cover["optimal"], true);
    let ids: Vec<&str> = cover["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "SCOPE.DC-CONTACTS.READ-CONTACTS",
            "SCOPE.DC-STORES.READ-ORDERS",
            "SCOPE.DC-BOOKINGS.READ-CALENDAR-WITH-PARTICIPANTS"
        ]
    );
    assert_eq!(
        cover["scopes"][0]["folders"],
        serde_json::json!(["contact-created"])
    );
}

#[test]
fn one_scope_for_several_events_and_events_without_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("events.yaml");
    std::fs::write(
        &manifest,
        "version: 1\nunknown-events: allow\nevents:\n  post-created: blog.posts.onPostCreated\n  \
         post-deleted: blog.posts.onPostDeleted\n  attribute-created: \
         bookings.attributeDefinition.onAttributeDefinitionCreated\n  teleported: \
         crm.contacts.onContactTeleported\n",
    )
    .unwrap();
    let manifest = manifest.display().to_string();
    let (code, out, err) = wixsync(&["permissions", ".", "--manifest", &manifest]);
    assert_eq!(code, EXIT_OK, "{err}");
    // The warning for the event outside the catalog goes to stderr.
    assert!(
        err.contains("`crm.contacts.onContactTeleported` is not in wixsync's event catalog"),
        "{err}"
    );
    assert!(
        out.starts_with("Permission scopes for the app in . (4 events in "),
        "{out}"
    );
    assert!(
        out.contains("    the SDK names no permission scope for this event\n"),
        "{out}"
    );
    assert!(
        out.contains("    not in wixsync's catalog: its scopes are unknown;"),
        "{out}"
    );
    assert!(out.contains("Add this scope on the Permissions page of the app dashboard, to receive 2 of the 4 events:\n  Read Blog  SCOPE.DC-BLOG.READ-BLOGS  for post-created, post-deleted\n"), "{out}");
}

#[test]
fn a_bad_manifest_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wix-events.yaml"),
        "version: 1\nevents:\n  a: crm.contacts.onContactCreate\n",
    )
    .unwrap();
    let (code, out, err) = wixsync(&["permissions", &dir.path().display().to_string()]);
    assert_eq!(code, EXIT_ERROR);
    assert_eq!(out, "");
    assert!(
        err.contains("did you mean `crm.contacts.onContactCreated`?"),
        "{err}"
    );
}

#[test]
fn plan_and_apply_show_the_scopes_of_each_created_event() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases/template-app"),
        &app,
    );
    let app = app.display().to_string();
    let (code, plan, err) = wixsync(&["plan", &app]);
    assert_eq!(code, 2, "{err}");
    assert!(
        plan.contains(
            "  create       contact-created (crm.contacts.onContactCreated)\n               why: "
        ),
        "{plan}"
    );
    assert!(
        plan.contains(
            "\n               scopes: any one of Read Contacts, Read Contacts (PII), Read Members \
             and Contacts\n"
        ),
        "{plan}"
    );
    let (code, applied, err) = wixsync(&["apply", &app]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(
        applied.contains(
            "  create booking-canceled (bookings.bookings.onBookingCanceled)\n    scopes: any one \
             of Read Bookings - Including Participants,"
        ),
        "{applied}"
    );
}

/// Copies a folder tree (the case apps hold only small text files).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
