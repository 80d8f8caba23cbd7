//! `wix-events.yaml`, the manifest of wixsync: its types, parsing and validation.
//!
//! ```
//! use wixsync_schema::{Manifest, SourceFile};
//!
//! let text = "version: 1\nevents:\n  contact-created: crm.contacts.onContactCreated\n";
//! let manifest = Manifest::parse(&SourceFile::new("wix-events.yaml", text)).unwrap();
//! assert_eq!(manifest.entries[0].folder.as_str(), "contact-created");
//! assert_eq!(manifest.entries[0].event.npm_package(), "@wix/crm");
//! ```
//!
//! Parsing reports every problem at once as [`Diagnostic`]s with `wix-events.yaml:LINE:COL`, a
//! code frame and a fix.
//!
//! Event references are checked against the SDK event catalog ([`catalog`]): a near miss is an
//! error with a suggestion, a short form `namespace.function` must name exactly one package's
//! event, and two entries may not share a registered webhook slug.
//!
//! # Limitations
//!
//! The catalog knows the packages and versions recorded in `schema/catalog.json`; a full-form
//! event it does not know is an error, unless the manifest says `unknown-events: allow`. When
//! the app has an SDK package installed, [`Manifest::parse_with`] checks that package's events
//! against what it declares instead ([`installed`]).
//!
//! # Modules
//!
//! `format` (the format's vocabulary) ← `field_schema` (each field's JSON Schema) ← `raw` (the
//! serde shape) ← `manifest` (the checked shape) and `json_schema` (the root schema); `catalog`
//! and `diagnostic` stand alone. No cycle: `manifest` and `json_schema` do not know each other.

pub mod catalog;
pub mod diagnostic;
mod field_schema;
mod format;
pub mod installed;
mod json_schema;
pub mod manifest;
mod raw;

pub use diagnostic::{Diagnostic, Label, Severity, SourceFile};
pub use installed::{InstalledEvent, InstalledPackage, InstalledSdk, UnreadablePackage};
pub use json_schema::{json_schema, json_schema_text};
pub use manifest::{
    Entry, EventRef, ExportStyle, FolderName, MANIFEST_FILE_NAME, Manifest, Place,
    SUPPORTED_VERSIONS, UnknownEvents, is_identifier,
};
