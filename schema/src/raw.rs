//! The serde shape of `wix-events.yaml`: what the YAML says, with the location of every value,
//! before any rule is checked. [`crate::Manifest::parse`] turns it into the validated shape.
//!
//! The same types give the JSON Schema (`json_schema.rs`): each field's `///` line becomes its
//! description, shown by editors on hover, so it is written for someone new to wixsync; the
//! schema of each value comes from `field_schema.rs`. `RawEvents` and `RawEntry`, deserialized
//! by hand, have hand-written schemas below their `Deserialize` impls; keep each pair in step.
//! This module checks no rule: that is `manifest.rs`.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::field_schema::{self as js, AnyEvent};

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    title = "wix-events.yaml",
    description = "The backend event extensions of a Wix CLI app, which wixsync keeps in step: \
                   one folder of src/extensions/backend/events/ per SDK event the app handles."
)]
pub struct RawManifest {
    /// The version of this file's format: write `version: 1`.
    #[schemars(schema_with = "js::version")]
    pub version: Spanned<u64>,
    /// How the builders wixsync creates export their extension: `default` (what `wix generate`
    /// writes) or `named`. Leave it out to follow the app's existing builders.
    #[serde(default)]
    #[schemars(schema_with = "js::export_style")]
    pub export_style: Option<Spanned<String>>,
    /// What to do with an event written in full that wixsync's catalog does not know:
    /// `error` (the default: it is most likely a typo, and the error suggests the nearest
    /// event) or `allow` (use it as written, with a warning: for an SDK event newer than the
    /// catalog).
    #[serde(default)]
    #[schemars(schema_with = "js::unknown_events")]
    pub unknown_events: Option<Spanned<String>>,
    /// The event extensions the app must have, in order. Each key is a folder name under
    /// src/extensions/backend/events/ (lowercase words joined by hyphens, like
    /// `contact-created`); each value the SDK event its handler subscribes to, like
    /// `crm.contacts.onContactCreated`, or a map with `event`, `renamed-from` and `id`.
    #[schemars(with = "RawEvents")]
    pub events: Spanned<RawEvents>,
}

/// The `events:` map, in file order, each key with its location.
#[derive(Debug, Default)]
pub struct RawEvents(pub Vec<(Spanned<String>, Spanned<RawEntry>)>);

/// One value under `events:`: the short form (a string) or the long form (a map).
#[derive(Debug)]
pub enum RawEntry {
    /// `folder: pkg.namespace.function`
    Short(String),
    /// `folder: { event, renamed-from, id }`
    Long(Box<RawLongEntry>),
}

/// The long form of an entry: the event, and what to do with an existing extension.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "LongEntry")]
pub struct RawLongEntry {
    /// The SDK event the handler subscribes to, as `package.namespace.function`: for example
    /// `crm.contacts.onContactCreated`.
    #[schemars(with = "AnyEvent")]
    pub event: Spanned<String>,
    /// Earlier names of this folder: an existing extension under one of them is renamed to
    /// this entry's folder, and keeps its id and its handler's code.
    #[serde(default)]
    #[schemars(schema_with = "js::folder_names")]
    pub renamed_from: Option<Spanned<Vec<Spanned<String>>>>,
    /// Pins the extension's id, a lowercase UUID: an existing extension with this id is this
    /// entry's, and is renamed to its folder if need be. Leave it out: an existing extension
    /// keeps its id, and a new one gets a fresh UUID.
    #[serde(default)]
    #[schemars(schema_with = "js::extension_id")]
    pub id: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for RawEvents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EventsVisitor;
        impl<'de> Visitor<'de> for EventsVisitor {
            type Value = RawEvents;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map from folder names to events")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawEvents, E> {
                Ok(RawEvents::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEvents, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(RawEvents(entries))
            }
        }
        deserializer.deserialize_any(EventsVisitor)
    }
}

/// A map from folder names to entries, or nothing (`events:` alone: no event extensions).
/// Keys are checked by `propertyNames` and values given by `additionalProperties`, which the
/// YAML language server completes from (it ignores `patternProperties` for completion).
impl JsonSchema for RawEvents {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Events".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": ["object", "null"],
            "propertyNames": js::folder_name(),
            "additionalProperties": generator.subschema_for::<RawEntry>(),
        })
    }
}

impl<'de> Deserialize<'de> for RawEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = RawEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event like `crm.contacts.onContactCreated`, or a map with `event`")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RawEntry, E> {
                Ok(RawEntry::Short(value.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawEntry, A::Error> {
                RawLongEntry::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|long| RawEntry::Long(Box::new(long)))
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

/// The short form (an event reference) or the long form (a map).
impl JsonSchema for RawEntry {
    fn schema_name() -> Cow<'static, str> {
        "Entry".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "The SDK event this folder's handler subscribes to, like \
                `crm.contacts.onContactCreated`; or a map with `event` and, optionally, \
                `renamed-from` and `id`.",
            "anyOf": [
                generator.subschema_for::<AnyEvent>(),
                generator.subschema_for::<RawLongEntry>(),
            ],
        })
    }
}
