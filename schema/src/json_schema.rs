//! The JSON Schema of `wix-events.yaml`, for editors: completion of every SDK event of the
//! [catalog](crate::catalog), a description on hover, and validation as you type.
//!
//! ```
//! let schema = wixsync_schema::json_schema();
//! assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
//! assert_eq!(schema["required"], serde_json::json!(["version", "events"]));
//! ```
//!
//! [`json_schema`] derives it from the serde shape (`raw.rs`) with `schemars`, in draft-07: the
//! draft the YAML language server (VS Code, Zed, Neovim, Helix) reads. A manifest opts in with
//! its first line:
//!
//! ```yaml
//! # yaml-language-server: $schema=wix-events.schema.json
//! ```
//!
//! The event reference is `anyOf` a list of every catalog event (offered for completion, each
//! with its webhook slug) and the pattern of `package.namespace.function` or
//! `namespace.function`: an event newer than the catalog, or a short form, validates here and
//! is judged by the parser (a warning, or an error with a suggestion). Keys of `events:` are checked by
//! `propertyNames` and their values given by `additionalProperties`: the YAML language server
//! completes values from `properties` and `additionalProperties` only, not from
//! `patternProperties`.
//!
//! The committed copy, `schema/wix-events.schema.json`, is compared with this one by a test;
//! after a change here, in `raw.rs` or in the catalog, regenerate it from the workspace root:
//!
//! ```text
//! cargo run -p wixsync -- schema > schema/wix-events.schema.json
//! ```
//!
//! # Limitations
//!
//! The schema checks each value alone. A folder, event or `id` listed twice, and `renamed-from`
//! names that clash, are found by [`crate::Manifest::parse`] only.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::manifest::{ExportStyle, SUPPORTED_VERSIONS};
use crate::raw::RawManifest;

/// A folder name, the rule of [`crate::Slug`].
pub(crate) const FOLDER_NAME_PATTERN: &str = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

/// `package.namespace.function` (the shape [`crate::EventRef::parse`] accepts), or the short
/// `namespace.function`, which the manifest accepts when one package of the catalog has it.
pub(crate) const EVENT_REFERENCE_PATTERN: &str =
    r"^([a-z][a-z0-9-]*\.)?[A-Za-z_$][A-Za-z0-9_$]*\.on[A-Z][A-Za-z0-9_$]*$";

/// A lowercase, hyphenated UUID, the only spelling of an `id` the manifest accepts.
pub(crate) const EXTENSION_ID_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// The JSON Schema (draft-07) of `wix-events.yaml`. Object keys are sorted, so the text is the
/// same whatever `serde_json` features the build unifies.
pub fn json_schema() -> Value {
    let mut schema = SchemaSettings::draft07()
        .with_transform(RecursiveTransform(tidy))
        .into_generator()
        .into_root_schema_for::<RawManifest>()
        .to_value();
    schema.sort_all_objects();
    schema
}

/// [`json_schema`] as pretty-printed JSON with a final newline: the text of
/// `schema/wix-events.schema.json` and of `wixsync schema`.
pub fn json_schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(&json_schema()).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// Two touches on what `schemars` derives. A `///` comment keeps its line breaks, which
/// editors show as they are in completion lists: a paragraph becomes one line. An `Option`
/// field with `#[serde(default)]` gets `"default": null`, which is no valid value and which
/// editors would offer: it goes.
fn tidy(schema: &mut Schema) {
    if schema.get("default") == Some(&Value::Null) {
        schema.remove("default");
    }
    if let Some(Value::String(description)) = schema.get_mut("description") {
        *description = description
            .split("\n\n")
            .map(|paragraph| paragraph.replace('\n', " "))
            .collect::<Vec<_>>()
            .join("\n\n");
    }
}

/// An SDK event reference, `package.namespace.function`: the short form of an entry and the
/// `event` of the long form. A definition of its own, as the list of events is long.
pub(crate) struct EventReference;

impl JsonSchema for EventReference {
    fn schema_name() -> Cow<'static, str> {
        "EventReference".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let events = Catalog::get().events();
        let names: Vec<String> = events.iter().map(ToString::to_string).collect();
        // Not standard JSON Schema: the YAML and JSON language servers show these beside
        // the completions of `enum`; validators ignore them.
        let slugs: Vec<String> = events
            .iter()
            .map(|e| format!("webhook {}", e.slug))
            .collect();
        schemars::json_schema!({
            "type": "string",
            "description": "An SDK event, `package.namespace.function`: the npm package without \
                its `@wix/` scope, the namespace it exports, the `on...` function. \
                `crm.contacts.onContactCreated` is `contacts.onContactCreated` from `@wix/crm`. \
                The short form `contacts.onContactCreated` is accepted when only one package \
                has that event. `wixsync events` lists them all.",
            "anyOf": [
                { "enum": names, "enumDescriptions": slugs },
                { "pattern": EVENT_REFERENCE_PATTERN },
            ],
        })
    }
}

/// A folder name: a key of `events:`, or an item of `renamed-from`.
pub(crate) fn folder_name() -> Value {
    serde_json::json!({
        "type": "string",
        "pattern": FOLDER_NAME_PATTERN,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The command that rewrites `schema/wix-events.schema.json`, run from the workspace root.
    const REGENERATE: &str = "cargo run -p wixsync -- schema > schema/wix-events.schema.json";

    #[test]
    fn committed_schema_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wix-events.schema.json");
        let committed = std::fs::read_to_string(path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        // No assert_eq: a 40 kB diff of JSON tells less than the command that fixes it.
        assert!(
            committed == json_schema_text(),
            "schema/wix-events.schema.json is out of date with schema/src/raw.rs, \
             schema/src/json_schema.rs or schema/catalog.json; regenerate it from the \
             workspace root with `{REGENERATE}` and review its diff"
        );
    }

    #[test]
    fn draft07_with_the_shape_of_the_manifest() {
        let schema = json_schema();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["title"], "wix-events.yaml");
        assert_eq!(schema["additionalProperties"], false);
        let properties = &schema["properties"];
        assert_eq!(properties["version"]["enum"], serde_json::json!([1]));
        assert_eq!(
            properties["export-style"]["enum"],
            serde_json::json!(["default", "named"])
        );
        let events = &properties["events"];
        assert_eq!(events["propertyNames"]["pattern"], FOLDER_NAME_PATTERN);
        assert_eq!(
            events["additionalProperties"]["$ref"],
            "#/definitions/Entry"
        );
        let long = &schema["definitions"]["LongEntry"];
        assert_eq!(long["required"], serde_json::json!(["event"]));
        assert_eq!(long["additionalProperties"], false);
        assert_eq!(long["properties"]["id"]["pattern"], EXTENSION_ID_PATTERN);
        // Every field says what it is for: descriptions come from the `///` lines.
        for (name, property) in properties
            .as_object()
            .unwrap()
            .iter()
            .chain(long["properties"].as_object().unwrap())
        {
            assert!(property["description"].is_string(), "{name}");
        }
    }

    #[test]
    fn every_catalog_event_is_offered() {
        let schema = json_schema();
        let reference = &schema["definitions"]["EventReference"];
        let offered = reference["anyOf"][0]["enum"].as_array().unwrap();
        let catalog = Catalog::get().events();
        assert_eq!(offered.len(), catalog.len());
        assert!(offered.contains(&"crm.contacts.onContactCreated".into()));
        let descriptions = reference["anyOf"][0]["enumDescriptions"]
            .as_array()
            .unwrap();
        let i = offered
            .iter()
            .position(|e| e == "crm.contacts.onContactCreated")
            .unwrap();
        assert_eq!(descriptions[i], "webhook wix.contacts.v4.contact_created");
        assert_eq!(reference["anyOf"][1]["pattern"], EVENT_REFERENCE_PATTERN);
    }
}
