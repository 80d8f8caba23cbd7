//! The JSON Schema of each field of `wix-events.yaml`, attached to the serde shape in `raw.rs`
//! with `#[schemars(schema_with = ...)]` and `#[schemars(with = ...)]`.
//!
//! The event references are where the schema catches typos:
//!
//! - [`CatalogEvent`] (`definitions/Event`): an `enum` of every catalog event,
//!   `package.namespace.function`, each with a description (the SDK's description, the
//!   registered webhook slug, and the permission scopes that each suffice), which the YAML
//!   language server shows beside each completion; then an `enum` of the short forms
//!   `namespace.function` that one package alone has, marked `doNotSuggest` so that the
//!   completion list shows each event once;
//! - [`AnyEvent`] (`definitions/EventReference`): a catalog event, or any
//!   `package.namespace.function`. The root schema (`json_schema.rs`) allows the second only
//!   under `unknown-events: allow`, as the parser does.
//!
//! This module builds values only; it does not know the root shape (that is `raw.rs`) nor
//! parse anything.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use crate::catalog::{Catalog, Event};
use crate::format::{
    EXTENSION_ID_PATTERN, ExportStyle, FOLDER_NAME_PATTERN, FULL_EVENT_PATTERN, SUPPORTED_VERSIONS,
    UnknownEvents,
};

/// The description of one catalog event, as the completion list shows it:
/// `Triggered when a post is created. Webhook wix.blog.post_created (the SDK's
/// wix.blog.v3.post_created). Any one of these permission scopes: Manage Blog, Read Blog, Read
/// Draft Blog Posts.`
pub(crate) fn event_description(catalog: &Catalog, event: &Event) -> String {
    let mut text = String::new();
    if !event.description.is_empty() {
        text.push_str(&event.description);
        text.push(' ');
    }
    text.push_str(&format!("Webhook {}", event.registered_slug));
    if event.registered_slug != event.slug {
        text.push_str(&format!(" (the SDK's {})", event.slug));
    }
    text.push('.');
    let mut names: Vec<&str> = catalog.scopes_of(event).map(|s| &*s.name).collect();
    names.sort_unstable();
    match names[..] {
        [] => text.push_str(" The SDK names no permission scope for it."),
        [one] => text.push_str(&format!(" Permission scope: {one}.")),
        _ => text.push_str(&format!(
            " Any one of these permission scopes: {}.",
            names.join(", ")
        )),
    }
    text
}

/// The short forms `namespace.function` that exactly one package's event has, sorted, each
/// with the full form it stands for.
pub(crate) fn unambiguous_short_forms(catalog: &Catalog) -> Vec<(String, &Event)> {
    let mut shorts: Vec<(String, &Event)> = catalog
        .events()
        .iter()
        .filter(|e| catalog.resolve_short(e.namespace, e.function).len() == 1)
        .map(|e| (format!("{}.{}", e.namespace, e.function), e))
        .collect();
    shorts.sort_by(|a, b| a.0.cmp(&b.0));
    shorts
}

/// A catalog event, full or short: `definitions/Event`.
pub(crate) struct CatalogEvent;

impl JsonSchema for CatalogEvent {
    fn schema_name() -> Cow<'static, str> {
        "Event".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let catalog = Catalog::get();
        let events = catalog.events();
        let names: Vec<String> = events.iter().map(ToString::to_string).collect();
        // `enumDescriptions` and `doNotSuggest` are not standard JSON Schema: the YAML language
        // server shows the first beside the completions of `enum` and hides completions marked
        // with the second; validators ignore both.
        let descriptions: Vec<String> = events
            .iter()
            .map(|e| event_description(catalog, e))
            .collect();
        let shorts = unambiguous_short_forms(catalog);
        let short_names: Vec<&str> = shorts.iter().map(|(short, _)| short.as_str()).collect();
        let short_descriptions: Vec<String> = shorts
            .iter()
            .map(|(_, event)| format!("Short for {event}."))
            .collect();
        schemars::json_schema!({
            "type": "string",
            "description": "An SDK event of wixsync's catalog, `package.namespace.function`: the \
                npm package without its `@wix/` scope, the namespace it exports, the `on...` \
                function. `crm.contacts.onContactCreated` is `contacts.onContactCreated` from \
                `@wix/crm`. The short form `contacts.onContactCreated` is accepted when only one \
                package has that event. `wixsync events` lists them all.",
            "anyOf": [
                { "enum": names, "enumDescriptions": descriptions },
                {
                    "enum": short_names,
                    "enumDescriptions": short_descriptions,
                    "doNotSuggest": true,
                },
            ],
        })
    }
}

/// A catalog event, or any well-formed full form: `definitions/EventReference`, the value of
/// an entry and of `event:`. The root schema narrows it to [`CatalogEvent`] unless the
/// manifest says `unknown-events: allow`.
pub(crate) struct AnyEvent;

impl JsonSchema for AnyEvent {
    fn schema_name() -> Cow<'static, str> {
        "EventReference".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "An SDK event, `package.namespace.function`, like \
                `crm.contacts.onContactCreated`; `wixsync events` lists them all. An event the \
                catalog does not know is accepted only with `unknown-events: allow`.",
            "anyOf": [
                generator.subschema_for::<CatalogEvent>(),
                {
                    "type": "string",
                    "pattern": FULL_EVENT_PATTERN,
                    "description": "An SDK event wixsync's catalog does not know, written in \
                        full: allowed by `unknown-events: allow`.",
                },
            ],
        })
    }
}

/// An entry whose event is a catalog event: `definitions/CatalogEntry`, what every entry must
/// be unless the manifest says `unknown-events: allow`. It checks only the event; the rest of
/// an entry is checked by `Entry`, which applies as well.
pub(crate) struct CatalogEntry;

impl JsonSchema for CatalogEntry {
    fn schema_name() -> Cow<'static, str> {
        "CatalogEntry".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let event = generator.subschema_for::<CatalogEvent>();
        schemars::json_schema!({
            "anyOf": [
                event,
                { "type": "object", "properties": { "event": event } },
            ],
        })
    }
}

/// A folder name: a key of `events:`, or an item of `renamed-from`.
pub(crate) fn folder_name() -> Value {
    serde_json::json!({
        "type": "string",
        "pattern": FOLDER_NAME_PATTERN,
        "maxLength": crate::format::MAX_FOLDER_NAME_BYTES,
    })
}

/// `version`: one of [`SUPPORTED_VERSIONS`].
pub(crate) fn version(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "integer",
        "enum": SUPPORTED_VERSIONS,
    })
}

/// `export-style`: `default` or `named`, each explained.
pub(crate) fn export_style(_: &mut SchemaGenerator) -> Schema {
    let styles = [ExportStyle::Default, ExportStyle::Named].map(|style| style.to_string());
    schemars::json_schema!({
        "type": "string",
        "enum": styles,
        "enumDescriptions": [
            "export default extensions.event({...}), imported by a default import: what \
             `wix generate` writes",
            "export const eventContactCreated = extensions.event({...}), imported by name: the \
             style of older docs",
        ],
    })
}

/// `unknown-events`: `error` or `allow`, each explained.
pub(crate) fn unknown_events(_: &mut SchemaGenerator) -> Schema {
    let values = UnknownEvents::ALL.map(|v| v.to_string());
    schemars::json_schema!({
        "type": "string",
        "enum": values,
        "enumDescriptions": [
            "an event the catalog does not know is an error, with a suggestion (the default)",
            "an event the catalog does not know, written in full, is used as written with a \
             warning: for an SDK event newer than wixsync's catalog",
        ],
    })
}

/// `renamed-from`: folder names, each once.
pub(crate) fn folder_names(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "array",
        "items": folder_name(),
        "uniqueItems": true,
    })
}

/// `id`: a lowercase, hyphenated UUID.
pub(crate) fn extension_id(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "string",
        "pattern": EXTENSION_ID_PATTERN,
        "examples": ["9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a"],
    })
}
