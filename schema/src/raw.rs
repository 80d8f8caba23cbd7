//! The serde shape of `wix-events.yaml`: what the YAML says, with the location of every value,
//! before any rule is checked. [`crate::Manifest::parse`] turns it into the validated shape.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawManifest {
    /// The manifest format version; only `1` exists.
    pub version: Spanned<u64>,
    /// `default` or `named`: how new builders export their extension.
    #[serde(default)]
    pub export_style: Option<Spanned<String>>,
    /// Folder name → event, in file order.
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

/// The long form of an entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLongEntry {
    /// The event reference.
    pub event: Spanned<String>,
    /// Earlier folder names of this extension.
    #[serde(default)]
    pub renamed_from: Option<Spanned<Vec<Spanned<String>>>>,
    /// The pinned extension UUID.
    #[serde(default)]
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
