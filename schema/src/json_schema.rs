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
//! Event references are where it catches typos (see `field_schema.rs`): each value is a
//! catalog event, offered for completion with its description, registered webhook slug and
//! permission scopes, or a short form one package alone has. An event the catalog does not know
//! validates only when the manifest opts in with `unknown-events: allow`, as in the parser:
//!
//! ```json
//! "if": { "properties": { "unknown-events": { "const": "allow" } }, "required": ["unknown-events"] },
//! "else": { "properties": { "events": { "additionalProperties": { "$ref": "#/definitions/CatalogEntry" } } } }
//! ```
//!
//! The base schema accepts any well-formed full form (so that completion still offers every
//! catalog event in both cases); `else` adds the catalog check when the opt-in is missing.
//! Keys of `events:` are checked by `propertyNames` and their values given by
//! `additionalProperties`: the YAML language server completes values from `properties` and
//! `additionalProperties` only, not from `patternProperties`.
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

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use serde_json::Value;

use crate::field_schema::CatalogEntry;
use crate::format::UnknownEvents;
use crate::raw::RawManifest;

/// The JSON Schema (draft-07) of `wix-events.yaml`. Object keys are sorted, so the text is the
/// same whatever `serde_json` features the build unifies.
pub fn json_schema() -> Value {
    let mut generator = SchemaSettings::draft07()
        .with_transform(RecursiveTransform(tidy))
        .into_generator();
    let catalog_entry = generator.subschema_for::<CatalogEntry>();
    let mut schema = generator.into_root_schema_for::<RawManifest>();
    let allow = UnknownEvents::Allow.to_string();
    schema.insert(
        "if".to_owned(),
        serde_json::json!({
            "properties": { "unknown-events": { "const": allow } },
            "required": ["unknown-events"],
        }),
    );
    schema.insert(
        "else".to_owned(),
        serde_json::json!({
            "properties": { "events": { "additionalProperties": catalog_entry } },
        }),
    );
    let mut schema = schema.to_value();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::format::{EXTENSION_ID_PATTERN, FOLDER_NAME_PATTERN, FULL_EVENT_PATTERN};

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
    fn every_catalog_event_is_offered_with_its_description() {
        let schema = json_schema();
        let event = &schema["definitions"]["Event"];
        let offered = event["anyOf"][0]["enum"].as_array().unwrap();
        let catalog = Catalog::get().events();
        assert_eq!(offered.len(), catalog.len());
        let descriptions = event["anyOf"][0]["enumDescriptions"].as_array().unwrap();
        let describe = |name: &str| {
            let i = offered.iter().position(|e| e == name).unwrap();
            descriptions[i].as_str().unwrap().to_owned()
        };
        assert_eq!(
            describe("blog.posts.onPostCreated"),
            "Triggered when a post is created. Webhook wix.blog.post_created (the SDK's \
             wix.blog.v3.post_created). Any one of these permission scopes: Manage Blog, Read \
             Blog, Read Draft Blog Posts."
        );
        assert_eq!(
            describe("bookings.attributeDefinition.onAttributeDefinitionCreated"),
            "Triggered when an attribute definition is created. Webhook \
             wix.bookings.attributes.v1.attribute_definition_created. The SDK names no \
             permission scope for it."
        );
        // Short forms validate but are not offered twice.
        let shorts = &event["anyOf"][1];
        assert_eq!(shorts["doNotSuggest"], true);
        let shorts = shorts["enum"].as_array().unwrap();
        assert!(shorts.contains(&"contacts.onContactCreated".into()));
        assert!(
            !shorts.contains(&"orders.onOrderUpdated".into()),
            "three packages have it"
        );
        // Outside the catalog: only a full form, and only under the opt-in.
        let reference = &schema["definitions"]["EventReference"];
        assert_eq!(reference["anyOf"][0]["$ref"], "#/definitions/Event");
        assert_eq!(reference["anyOf"][1]["pattern"], FULL_EVENT_PATTERN);
        assert_eq!(
            schema["if"]["properties"]["unknown-events"]["const"],
            "allow"
        );
        assert_eq!(
            schema["else"]["properties"]["events"]["additionalProperties"]["$ref"],
            "#/definitions/CatalogEntry"
        );
    }
}
