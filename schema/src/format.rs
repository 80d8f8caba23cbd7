//! The vocabulary of the `wix-events.yaml` format: its versions, the export styles, the
//! unknown-events policy and the patterns of names, shared by the parser (`manifest.rs`) and
//! the JSON Schema (`field_schema.rs`, `json_schema.rs`).
//!
//! This module depends on nothing else in the crate, so that the serde shape, the parser and
//! the schema can all use it without depending on one another.

use std::fmt;

/// The manifest versions this build understands.
pub const SUPPORTED_VERSIONS: &[u64] = &[1];

/// The manifest's file name, at the app root.
pub const MANIFEST_FILE_NAME: &str = "wix-events.yaml";

/// The longest folder name (manifest key or `renamed-from` name) wixsync accepts, in bytes
/// (folder names are ASCII). The builder's file is `<name>.extension.ts`, and most file systems
/// allow 255 bytes per file name.
pub const MAX_FOLDER_NAME_BYTES: usize = 100;

/// A folder name, the rule of [`crate::FolderName`].
pub(crate) const FOLDER_NAME_PATTERN: &str = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

/// `package.namespace.function`, the shape [`crate::EventRef::parse`] accepts: what an event
/// outside the catalog must look like under `unknown-events: allow`.
pub(crate) const FULL_EVENT_PATTERN: &str =
    r"^[a-z][a-z0-9-]*\.[A-Za-z_$][A-Za-z0-9_$]*\.on[A-Z][A-Za-z0-9_$]*$";

/// A lowercase, hyphenated UUID, the only spelling of an `id` the manifest accepts.
pub(crate) const EXTENSION_ID_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// How a builder exports its extension. See WIX-FACTS.md, "Registration".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExportStyle {
    /// `export default extensions.event({...})`, imported as `import contactCreated from '...'`.
    /// What `wix generate` writes (`@wix/cli` 1.1.247).
    #[default]
    Default,
    /// `export const eventContactCreated = extensions.event({...})`, imported by name.
    /// The style of older docs and agent skills.
    Named,
}

impl fmt::Display for ExportStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExportStyle::Default => "default",
            ExportStyle::Named => "named",
        })
    }
}

/// What the manifest does with an event written in full that the catalog does not know
/// (`unknown-events:` at the top of `wix-events.yaml`).
///
/// The catalog may lag the SDK, so an event newer than it can be allowed; but by default a
/// typo like `crm.contacts.onContactCreate` must not pass, neither in the editor (the JSON
/// Schema) nor in the CLI, and both follow this one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UnknownEvents {
    /// `unknown-events: error` (the default): such an event is an error, with the nearest
    /// catalog event as a suggestion.
    #[default]
    Error,
    /// `unknown-events: allow`: such an event is used as written, with a warning (and the
    /// suggestion, if there is a near one). A short form `namespace.function` must still be
    /// a catalog event.
    Allow,
}

impl UnknownEvents {
    /// Every value, in the order the schema lists them.
    pub const ALL: [UnknownEvents; 2] = [UnknownEvents::Error, UnknownEvents::Allow];

    /// The value as written in the manifest, by its spelling there.
    pub fn from_name(name: &str) -> Option<UnknownEvents> {
        Self::ALL.into_iter().find(|v| v.to_string() == name)
    }
}

impl fmt::Display for UnknownEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnknownEvents::Error => "error",
            UnknownEvents::Allow => "allow",
        })
    }
}
