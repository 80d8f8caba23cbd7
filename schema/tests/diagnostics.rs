//! The full text of every manifest diagnostic, code frame included, one snapshot per rule.

use std::path::Path;

use wixsync_schema::diagnostic::render_plain;
use wixsync_schema::{MANIFEST_FILE_NAME, Manifest, SourceFile};

const CASES: &[(&str, &str)] = &[
    (
        "unknown_event_with_suggestion",
        "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreatd\n",
    ),
    (
        "unknown_short_event_with_suggestion",
        "version: 1\nevents:\n  contact-created: contacts.onContactCreatd\n",
    ),
    (
        "ambiguous_short_form",
        "version: 1\nevents:\n  order-created: orders.onOrderCreated\n",
    ),
    (
        "duplicate_slug",
        "version: 1\nevents:\n  cart-created: ecom.cart.onCartCreated\n  current-cart-created: ecom.currentCart.onCartCreated\n",
    ),
    (
        "duplicate_key",
        "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreated\n  contact-created: crm.contacts.onContactUpdated\n",
    ),
    (
        "duplicate_pinned_id",
        "version: 1\nevents:\n  a:\n    event: crm.contacts.onContactCreated\n    id: 9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a\n  b:\n    event: crm.contacts.onContactDeleted\n    id: 9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a\n",
    ),
    (
        "bad_uuid",
        "version: 1\nevents:\n  a:\n    event: crm.contacts.onContactCreated\n    id: '{{GENERATE_UUID}}'\n",
    ),
    (
        "bad_folder_name",
        "version: 1\nevents:\n  contactCreated: crm.contacts.onContactCreated\n",
    ),
    (
        "unknown_key",
        "version: 1\nevent:\n  contact-created: crm.contacts.onContactCreated\n",
    ),
    (
        "unknown_key_in_long_form",
        "version: 1\nevents:\n  contact-created:\n    event: crm.contacts.onContactCreated\n    renamed_from: [old]\n",
    ),
    (
        "wrong_version",
        "version: 2\nevents:\n  contact-created: crm.contacts.onContactCreated\n",
    ),
    (
        "tab_indented",
        "version: 1\nevents:\n\tcontact-created: crm.contacts.onContactCreated\n",
    ),
    (
        "several_at_once",
        "version: 1\nexport-style: defualt\nevents:\n  Contact: crm.contacts.onContactCreated\n  b: crm.contacts.onContactCreated\n  c:\n    event: ecom.orders.onOrderApproved\n    id: 9B2E4C1A-7D3F-4E8A-B5C6-0F1E2D3C4B5A\n",
    ),
    (
        "not_in_catalog_is_an_error",
        "version: 1\nevents:\n  spun: acme.widgets.onWidgetSpun\n",
    ),
    (
        "not_in_catalog_allowed_is_a_warning",
        "version: 1\nunknown-events: allow\nevents:\n  spun: acme.widgets.onWidgetSpun\n",
    ),
    (
        "typo_allowed_is_a_warning_with_suggestion",
        "version: 1\nunknown-events: allow\nevents:\n  contact-created: crm.contacts.onContactCreate\n",
    ),
    (
        "bad_unknown_events_value",
        "version: 1\nunknown-events: yes\nevents:\n  contact-created: crm.contacts.onContactCreated\n",
    ),
];

#[test]
fn diagnostics() {
    for (name, text) in CASES {
        let source = SourceFile::new(MANIFEST_FILE_NAME, *text);
        let diagnostics = match Manifest::parse(&source) {
            Ok(manifest) => manifest.warnings,
            Err(errors) => errors,
        };
        assert!(!diagnostics.is_empty(), "{name}: no diagnostic");
        let doc = format!("{text}\n---\n{}", render_plain(&diagnostics, 100));
        insta::with_settings!({
            snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("manifest__{name}"), doc);
        });
    }
}

#[test]
fn short_form_resolves_through_the_catalog() {
    let text = "version: 1\nevents:\n  contact-created: contacts.onContactCreated\n";
    let manifest = Manifest::parse(&SourceFile::new(MANIFEST_FILE_NAME, text)).unwrap();
    assert_eq!(
        manifest.entries[0].event.to_string(),
        "crm.contacts.onContactCreated"
    );
    assert_eq!(
        manifest.entries[0].event.slug(),
        Some("wix.contacts.v4.contact_created")
    );
}
