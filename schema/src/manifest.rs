//! The validated manifest: every rule of `wix-events.yaml` checked, every value typed.
//!
//! [`Manifest::parse`] reads the YAML with `serde-saphyr` (duplicate keys are errors, booleans
//! are YAML 1.2's strict `true`/`false`), then checks the rules of the format and reports every
//! problem it finds at once, each with `wix-events.yaml:LINE:COL` and a fix. No stage after
//! this one sees an unchecked value.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde_saphyr::{DuplicateKeyPolicy, MessageFormatter, Spanned, UserMessageFormatter};
use uuid::Uuid;

use crate::catalog::{Catalog, Event};
use crate::diagnostic::{Diagnostic, SourceFile};
pub use crate::format::{
    ExportStyle, MANIFEST_FILE_NAME, MAX_FOLDER_NAME_BYTES, SUPPORTED_VERSIONS, UnknownEvents,
};
use crate::installed::InstalledSdk;
use crate::raw::{RawEntry, RawManifest};

/// A folder name: `^[a-z][a-z0-9]*(-[a-z0-9]+)*$` (lowercase words joined by single hyphens,
/// starting with a letter), so that its camelCase is a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FolderName(String);

impl FolderName {
    /// Checks `name` against the folder-name rule.
    pub fn new(name: &str) -> Option<Self> {
        let mut words = name.split('-');
        let first = words.next()?;
        let word_ok = |w: &str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        (first.starts_with(|c: char| c.is_ascii_lowercase())
            && word_ok(first)
            && words.all(word_ok))
        .then(|| FolderName(name.to_owned()))
    }

    /// The folder name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FolderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Wix SDK event: `<package>.<namespace>.<function>`, e.g. `crm.contacts.onContactCreated`
/// for `import { contacts } from '@wix/crm'` and `contacts.onContactCreated(...)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventRef {
    /// The npm package without its `@wix/` scope: `crm`, `app-management`.
    pub package: String,
    /// The namespace the root package exports: `contacts`.
    pub namespace: String,
    /// The subscription function: `onContactCreated`.
    pub function: String,
}

impl EventRef {
    /// The npm package name: `@wix/crm`.
    pub fn npm_package(&self) -> String {
        format!("@wix/{}", self.package)
    }

    /// Parses `package.namespace.function`; the error says what is wrong and how to fix it.
    pub fn parse(text: &str) -> Result<EventRef, (String, String)> {
        let example = "write it as package.namespace.function, like crm.contacts.onContactCreated";
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("@wix/") {
            return Err((
                format!("`{text}` starts with the npm scope `@wix/`"),
                format!("drop the scope: `{rest}`"),
            ));
        }
        let parts: Vec<&str> = text.split('.').collect();
        let [package, namespace, function] = parts[..] else {
            let what = if parts.len() == 2 {
                format!("`{text}` does not name the package")
            } else {
                format!("`{text}` is not an event reference")
            };
            return Err((what, example.to_owned()));
        };
        let package_ok = package.starts_with(|c: char| c.is_ascii_lowercase())
            && package
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !package_ok {
            return Err((
                format!("`{package}` is not a Wix package name"),
                "package names are lowercase, like crm, ecom or app-management".to_owned(),
            ));
        }
        if !is_identifier(namespace) {
            return Err((
                format!("`{namespace}` is not a valid namespace name"),
                example.to_owned(),
            ));
        }
        let function_ok = is_identifier(function)
            && function
                .strip_prefix("on")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
        if !function_ok {
            return Err((
                format!("`{function}` is not an event function"),
                "event functions are named on<Something>, like onContactCreated".to_owned(),
            ));
        }
        Ok(EventRef {
            package: package.to_owned(),
            namespace: namespace.to_owned(),
            function: function.to_owned(),
        })
    }
}

impl EventRef {
    /// The catalog's record of this event, if it has one.
    pub fn catalog_event(&self) -> Option<&'static Event> {
        Catalog::get().event(&self.package, &self.namespace, &self.function)
    }

    /// The SDK's webhook slug (what the handler's `default()` returns), when the catalog has
    /// this event: `wix.blog.v3.post_created`.
    pub fn slug(&self) -> Option<&'static str> {
        self.catalog_event().map(|e| e.slug)
    }

    /// The slug `@wix/astro` registers the handler under, when the catalog has this event:
    /// `wix.blog.post_created` for `blog.posts.onPostCreated`. The one Wix shows, and the one
    /// to compare for "one handler per event" (see [`crate::catalog::Event::registered_slug`]).
    pub fn registered_slug(&self) -> Option<&'static str> {
        self.catalog_event().map(|e| e.registered_slug)
    }
}

impl From<&crate::catalog::Event> for EventRef {
    fn from(event: &crate::catalog::Event) -> Self {
        EventRef {
            package: event.package.to_owned(),
            namespace: event.namespace.to_owned(),
            function: event.function.to_owned(),
        }
    }
}

impl fmt::Display for EventRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.package, self.namespace, self.function)
    }
}

/// Whether `text` is a plain JavaScript identifier (ASCII letters, digits, `_`, `$`).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A byte range of the manifest: `offset` and `len` in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    /// Byte offset in the manifest text.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

impl Place {
    fn of<T>(spanned: &Spanned<T>) -> Place {
        let span = spanned.referenced.span();
        Place {
            offset: span.byte_offset().unwrap_or(0) as usize,
            len: span.byte_len().unwrap_or(0) as usize,
        }
    }
}

/// One entry of `events:`: the extension that must exist in `src/extensions/backend/events/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The folder name, which is also the extension's name.
    pub folder: FolderName,
    /// The SDK event its handler subscribes to.
    pub event: EventRef,
    /// Earlier folder names: an existing folder with one of these names is renamed.
    pub renamed_from: Vec<FolderName>,
    /// The pinned extension UUID (lowercase, hyphenated).
    pub id: Option<Uuid>,
    /// Where the folder key stands in the manifest.
    pub key_place: Place,
    /// Where the event reference stands.
    pub event_place: Place,
    /// The webhook slug `@wix/astro` registers the handler under, when known: from the
    /// installed package when the app has it ([`crate::installed`]), else from the catalog
    /// ([`EventRef::registered_slug`]); `None` for an event neither knows.
    pub registered_slug: Option<String>,
    /// Where the pinned id stands, if any.
    pub id_place: Option<Place>,
}

/// A checked `wix-events.yaml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The format version (1).
    pub version: u64,
    /// The export style new builders use; `None` lets the app's existing builders decide.
    pub export_style: Option<ExportStyle>,
    /// What an event the catalog does not know is: an error (the default) or allowed.
    pub unknown_events: UnknownEvents,
    /// The entries, in manifest order.
    pub entries: Vec<Entry>,
    /// The manifest's text, for diagnostics that point into it.
    pub source: SourceFile,
    /// Problems that do not stop wixsync, such as an event missing from the catalog.
    pub warnings: Vec<Diagnostic>,
    /// The installed SDK packages the manifest was checked against (empty without
    /// `node_modules`).
    pub installed: InstalledSdk,
}

impl Manifest {
    /// Parses and checks a manifest. `source` holds its display name (shown in
    /// `name:LINE:COL`) and its text; a leading byte-order mark is ignored.
    ///
    /// # Errors
    ///
    /// Every problem found, each a [`Diagnostic`] pointing into `source`: YAML syntax,
    /// unknown or duplicate keys, an unsupported `version`, a bad `export-style`, a folder
    /// name outside `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`, a malformed event reference or `id`, an
    /// event or `id` given twice, and `renamed-from` names that clash.
    pub fn parse(source: &SourceFile) -> Result<Manifest, Vec<Diagnostic>> {
        Manifest::parse_with(source, &InstalledSdk::default())
    }

    /// [`Manifest::parse`], with the events of the SDK packages the app has installed as the
    /// truth for their packages: an event an installed package declares is known even if the
    /// catalog lacks it; one it lacks is an error, even under `unknown-events: allow`. A package
    /// installed but unreadable gives a warning, and the catalog is used for it.
    ///
    /// # Errors
    ///
    /// As [`Manifest::parse`].
    pub fn parse_with(
        source: &SourceFile,
        installed: &InstalledSdk,
    ) -> Result<Manifest, Vec<Diagnostic>> {
        let text = source.text();
        let yaml = text.strip_prefix('\u{feff}').unwrap_or(text);
        let bom = text.len() - yaml.len();
        let options = serde_saphyr::options! {
            strict_booleans: true,
            duplicate_keys: DuplicateKeyPolicy::Error,
        };
        let raw: RawManifest = match serde_saphyr::from_str_with_options(yaml, options) {
            Ok(raw) => raw,
            Err(err) => return Err(vec![yaml_error(&err, source, bom)]),
        };
        Checker {
            source,
            bom,
            unknown_events: UnknownEvents::default(),
            installed,
            warned_unreadable: BTreeSet::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
        .check(raw)
    }

    /// The SDK packages (without `@wix/`) the manifest's events may come from, for reading
    /// the installed ones before [`Manifest::parse_with`]: the package of each full form; for
    /// `namespace.function`, every catalog package with that namespace (and the first part
    /// itself when it is a package, as in `stores.onProductCreated`); for a bare function,
    /// every catalog package with an event of that name. Empty when the YAML does not parse
    /// (the parse then reports why). Sorted.
    pub fn named_packages(source: &SourceFile) -> BTreeSet<String> {
        let text = source.text();
        let yaml = text.strip_prefix('\u{feff}').unwrap_or(text);
        let options = serde_saphyr::options! {
            strict_booleans: true,
            duplicate_keys: DuplicateKeyPolicy::Error,
        };
        let Ok(raw) = serde_saphyr::from_str_with_options::<RawManifest>(yaml, options) else {
            return BTreeSet::new();
        };
        let catalog = Catalog::get();
        let mut packages = BTreeSet::new();
        for (_, value) in &raw.events.value.0 {
            let event = match &value.value {
                RawEntry::Short(event) => event.as_str(),
                RawEntry::Long(long) => long.event.value.as_str(),
            };
            let parts: Vec<&str> = event.trim().split('.').collect();
            match parts[..] {
                [package, _, _] => {
                    packages.insert(package.to_owned());
                }
                [first, _] => {
                    packages.extend(
                        catalog
                            .namespaces()
                            .iter()
                            .filter(|n| n.name == first)
                            .map(|n| n.package.to_owned()),
                    );
                    if catalog.package_version(first).is_some() {
                        packages.insert(first.to_owned());
                    }
                }
                [function] => packages.extend(
                    catalog
                        .events()
                        .iter()
                        .filter(|e| e.function == function)
                        .map(|e| e.package.to_owned()),
                ),
                _ => {}
            }
        }
        packages
    }

    /// The slug `@wix/astro` registers a handler of `event` under, when known: the installed
    /// package's when the app has it, else the catalog's. For an event of another extension
    /// (one outside the manifest); an entry has its own [`Entry::registered_slug`].
    pub fn registered_slug_of(&self, event: &EventRef) -> Option<String> {
        registered_slug(&self.installed, event)
    }
}

/// See [`Manifest::registered_slug_of`].
fn registered_slug(installed: &InstalledSdk, event: &EventRef) -> Option<String> {
    match installed.package(&event.package) {
        Some(package) => package
            .event(&event.namespace, &event.function)
            .map(|e| package.registered_slug(e).to_owned()),
        None => event.registered_slug().map(str::to_owned),
    }
}

fn yaml_error(err: &serde_saphyr::Error, source: &SourceFile, bom: usize) -> Diagnostic {
    let message = UserMessageFormatter
        .format_message(err.without_snippet())
        .into_owned();
    let help = if matches!(
        err.without_snippet(),
        serde_saphyr::Error::DuplicateMappingKey { .. }
    ) {
        "each key may appear once in its map: under `events:` each folder is listed once; \
         remove or rename one of them"
    } else if message.contains("unknown field") {
        "check the spelling; see the manifest format in wixsync's README (`wixsync schema` \
         prints the JSON Schema)"
    } else if message.contains("tab") {
        "indent YAML with spaces, not tabs"
    } else if message.contains("missing field `event`") {
        "the long form of an entry needs `event: package.namespace.function`"
    } else if message.contains("missing field") {
        "a manifest needs `version: 1` and an `events:` map"
    } else if message.contains("sequence") {
        "`renamed-from` takes a list of earlier folder names: `renamed-from: [old-name]`"
    } else {
        "fix the YAML at this place; a manifest looks like `version: 1` followed by `events:` \
         with one `folder: package.namespace.function` line per event"
    };
    let mut diagnostic = Diagnostic::error("manifest::yaml", message)
        .in_source(source)
        .help(help);
    if let Some(location) = err.location() {
        let (offset, len) = match (location.span().byte_offset(), location.span().byte_len()) {
            (Some(offset), Some(len)) => (offset as usize, len as usize),
            _ => (
                line_col_offset(source.text(), location.line(), location.column()),
                0,
            ),
        };
        diagnostic = diagnostic.label(offset + bom, len, "here");
    }
    diagnostic
}

/// Byte offset of a 1-based line and column (in characters).
fn line_col_offset(text: &str, line: u64, column: u64) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    line_start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(rest.len(), |(i, _)| i)
}

struct Checker<'a> {
    source: &'a SourceFile,
    bom: usize,
    unknown_events: UnknownEvents,
    installed: &'a InstalledSdk,
    /// The unreadable installed packages already warned about.
    warned_unreadable: BTreeSet<String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error<T>(&mut self, code: &'static str, at: &Spanned<T>, message: String, help: String) {
        let place = Place::of(at);
        self.error_at(code, place, message, help);
    }

    fn error_at(&mut self, code: &'static str, place: Place, message: String, help: String) {
        self.errors.push(
            Diagnostic::error(code, message)
                .in_source(self.source)
                .label(place.offset + self.bom, place.len, "here")
                .help(help),
        );
    }

    fn place<T>(&self, spanned: &Spanned<T>) -> Place {
        let place = Place::of(spanned);
        Place {
            offset: place.offset + self.bom,
            ..place
        }
    }

    fn check(mut self, raw: RawManifest) -> Result<Manifest, Vec<Diagnostic>> {
        if !SUPPORTED_VERSIONS.contains(&raw.version.value) {
            self.error(
                "manifest::version",
                &raw.version,
                format!("manifest version {} is not supported", raw.version.value),
                "this wixsync reads `version: 1`; upgrade wixsync if the manifest is newer"
                    .to_owned(),
            );
        }
        let export_style = raw
            .export_style
            .as_ref()
            .and_then(|style| match style.value.as_str() {
                "default" => Some(ExportStyle::Default),
                "named" => Some(ExportStyle::Named),
                other => {
                    self.error(
                        "manifest::export-style",
                        style,
                        format!("`{other}` is not an export style"),
                        "use `export-style: default` (what `wix generate` writes) or \
                         `export-style: named`, or leave it out to follow the app"
                            .to_owned(),
                    );
                    None
                }
            });

        if let Some(policy) = &raw.unknown_events {
            match UnknownEvents::from_name(&policy.value) {
                Some(value) => self.unknown_events = value,
                None => self.error(
                    "manifest::unknown-events",
                    policy,
                    format!("`{}` is not a value of `unknown-events`", policy.value),
                    "use `unknown-events: allow` to accept events the catalog does not know, or \
                     `unknown-events: error` (the default)"
                        .to_owned(),
                ),
            }
        }

        let mut entries = Vec::new();
        for (key, value) in raw.events.value.0 {
            if let Some(entry) = self.check_entry(&key, value) {
                entries.push(entry);
            }
        }
        self.check_uniqueness(&entries);

        if self.errors.is_empty() {
            Ok(Manifest {
                version: raw.version.value,
                export_style,
                unknown_events: self.unknown_events,
                entries,
                source: self.source.clone(),
                warnings: self.warnings,
                installed: self.installed.clone(),
            })
        } else {
            self.errors
                .sort_by_key(|d| d.labels.first().map_or(0, |label| label.offset));
            Err(self.errors)
        }
    }

    /// Checks an event reference against the events this app knows: those of each SDK package
    /// it has installed (the truth for that package), and the catalog's for every other
    /// package. The short form must name exactly one known event. A full form the app's
    /// installed package lacks is an error, even under `unknown-events: allow`: the handler
    /// would not compile against it. One of a package not installed must be a catalog event,
    /// or else is an error with the nearest event as a suggestion, unless the manifest says
    /// `unknown-events: allow`: then it is used as written with a warning, since the catalog
    /// may lag the SDK. The JSON Schema draws the catalog's line.
    fn resolve_event(&mut self, text: &Spanned<String>) -> Option<EventRef> {
        let catalog = Catalog::get();
        let value = text.value.trim();
        let parts: Vec<&str> = value.split('.').collect();
        let did_you_mean = |near: &[String]| -> Option<String> {
            let quoted: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
            (!quoted.is_empty()).then(|| format!("did you mean {}?", quoted.join(" or ")))
        };
        if let [first, function] = parts[..]
            && !value.starts_with("@wix/")
        {
            for package in self.installed.unreadable.clone() {
                if catalog
                    .namespaces()
                    .iter()
                    .any(|n| n.name == first && n.package == package.name)
                {
                    self.warn_unreadable(&package.name, text);
                }
            }
            let found: Vec<(&str, &str, &str)> = self
                .installed
                .known_events()
                .into_iter()
                .filter(|(_, namespace, f)| *namespace == first && *f == function)
                .collect();
            match found[..] {
                [(package, namespace, function)] => {
                    return Some(EventRef {
                        package: package.to_owned(),
                        namespace: namespace.to_owned(),
                        function: function.to_owned(),
                    });
                }
                [] => {
                    let near = self.suggestions(value);
                    let is_package = catalog.package_version(first).is_some()
                        || self.installed.package(first).is_some();
                    let message = if is_package {
                        format!(
                            "`{value}` names the package `{first}` but not the namespace of \
                             `{function}`"
                        )
                    } else {
                        format!("`{value}` is not a Wix SDK event")
                    };
                    let help = match did_you_mean(&near) {
                        Some(near) => format!("{near} (`wixsync events` lists every event)"),
                        None => "write the event as package.namespace.function, like \
                                 crm.contacts.onContactCreated; `wixsync events` lists every event"
                            .to_owned(),
                    };
                    self.error("manifest::unknown-event", text, message, help);
                }
                _ => {
                    let full: Vec<String> = found
                        .iter()
                        .map(|(p, n, f)| format!("`{p}.{n}.{f}`"))
                        .collect();
                    self.error(
                        "manifest::ambiguous-event",
                        text,
                        format!("`{value}` is an event of several packages"),
                        format!("write it in full: {}", full.join(" or ")),
                    );
                }
            }
            return None;
        }
        let event = match EventRef::parse(value) {
            Ok(event) => event,
            Err((message, help)) => {
                // A bare function (`onContactCreated`) names no package or namespace.
                let help = match (&parts[..], did_you_mean(&self.suggestions(value))) {
                    ([_], Some(near)) => format!(
                        "{near} An event is written package.namespace.function \
                         (or namespace.function when one package has it)"
                    ),
                    _ => help,
                };
                self.error("manifest::event", text, message, help);
                return None;
            }
        };
        if let Some(package) = self.installed.package(&event.package) {
            if package.event(&event.namespace, &event.function).is_some() {
                return Some(event);
            }
            let help = match did_you_mean(&self.suggestions(value)) {
                Some(near) => format!("{near} "),
                None => String::new(),
            };
            let newer = match (
                catalog.event(&event.package, &event.namespace, &event.function),
                catalog.package_version(&event.package),
            ) {
                (Some(_), Some(version)) => format!(
                    "wixsync's catalog has this event (from @wix/{} {version}), so the installed \
                     version is older: update it (`npm install @wix/{}@latest`)",
                    event.package, event.package
                ),
                _ => format!(
                    "If the event is newer than this version, update the package (`npm install \
                     @wix/{}@latest`); `wixsync events --package {}` lists the catalog's events",
                    event.package, event.package
                ),
            };
            let help = format!(
                "{help}The app's handlers compile against the installed package, so an event it \
                 does not declare cannot be used, even with `unknown-events: allow`. {newer}"
            );
            self.error(
                "manifest::not-in-installed-sdk",
                text,
                format!("`{value}` is not an event of {package}"),
                help,
            );
            return None;
        }
        if self.installed.unreadable(&event.package).is_some() {
            self.warn_unreadable(&event.package.clone(), text);
        }
        if catalog
            .event(&event.package, &event.namespace, &event.function)
            .is_some()
        {
            return Some(event);
        }
        let near = did_you_mean(&self.suggestions(value));
        let lists = format!(
            "`wixsync events --package {}` lists its events",
            event.package
        );
        let lists = if catalog.package_version(&event.package).is_some() {
            lists
        } else {
            "`wixsync events` lists every event".to_owned()
        };
        let read_from = catalog.package_version(&event.package).map_or_else(
            || format!("has no package `{}`", event.package),
            |v| format!("was read from @wix/{} {v}", event.package),
        );
        match self.unknown_events {
            UnknownEvents::Error => {
                let help = match near {
                    Some(near) => format!(
                        "{near} ({lists}; for an SDK event newer than wixsync's catalog, add \
                         `unknown-events: allow` to the manifest, or install the package: \
                         wixsync reads node_modules/@wix/{})",
                        event.package
                    ),
                    None => format!(
                        "check the spelling ({lists}); the catalog {read_from}. If the SDK has \
                         this event, install @wix/{} (wixsync then reads its events from \
                         node_modules), or add `unknown-events: allow` to the manifest to use it \
                         as written",
                        event.package
                    ),
                };
                self.error(
                    "manifest::unknown-event",
                    text,
                    format!("`{value}` is not a Wix SDK event"),
                    help,
                );
                None
            }
            UnknownEvents::Allow => {
                let place = self.place(text);
                let help = match near {
                    Some(near) => format!(
                        "{near} If not, and the SDK has this event (the catalog {read_from}), \
                         the handler will compile and this warning can be ignored"
                    ),
                    None => format!(
                        "the catalog {read_from}; if the SDK has this event, the handler will \
                         compile and this warning can be ignored; otherwise check the spelling"
                    ),
                };
                self.warnings.push(
                    Diagnostic::warning(
                        "manifest::event-not-in-catalog",
                        format!("`{value}` is not in wixsync's event catalog"),
                    )
                    .in_source(self.source)
                    .label(
                        place.offset,
                        place.len,
                        "used as written (`unknown-events: allow`)",
                    )
                    .help(help),
                );
                Some(event)
            }
        }
    }

    /// Warns, once per package, that the installed `package` could not be read, at the first
    /// event that names it.
    fn warn_unreadable(&mut self, package: &str, text: &Spanned<String>) {
        let Some(unreadable) = self.installed.unreadable(package) else {
            return;
        };
        if !self.warned_unreadable.insert(package.to_owned()) {
            return;
        }
        let place = self.place(text);
        self.warnings.push(
            Diagnostic::warning(
                "manifest::installed-sdk-unreadable",
                format!(
                    "cannot read the installed @wix/{package} ({}): {}",
                    unreadable.path, unreadable.reason
                ),
            )
            .in_source(self.source)
            .label(
                place.offset,
                place.len,
                "checked against wixsync's catalog instead",
            )
            .help(format!(
                "wixsync checks events against the SDK the app has installed; reinstall it \
                 (`npm install @wix/{package}`) so that its declarations can be read"
            )),
        );
    }

    /// The known events nearest to `value`, in full form (at most three, sorted): `value` is
    /// compared with each event's full form when it has three parts; with `namespace.function`
    /// and `package.function` when it has two; with the function when it has one.
    fn suggestions(&self, value: &str) -> Vec<String> {
        let parts = value.split('.').count();
        let chars = value.chars().count();
        let known = self.installed.known_events();
        let mut scored: Vec<(usize, String)> = Vec::new();
        for (package, namespace, function) in known {
            let keys = match parts {
                1 => vec![function.to_owned()],
                2 => vec![
                    format!("{namespace}.{function}"),
                    format!("{package}.{function}"),
                ],
                _ => vec![format!("{package}.{namespace}.{function}")],
            };
            // No distance is smaller than the difference of the lengths, and measuring one
            // costs the product of the lengths: a key too far by length alone is skipped, so
            // that a 5 MB name costs one count of its characters, not seconds per event.
            let best = keys
                .iter()
                .filter_map(|key| {
                    let allowed = 3.max(key.len() / 8);
                    (chars.abs_diff(key.chars().count()) <= allowed
                        && bag_distance(value, key) <= allowed)
                        .then(|| strsim::damerau_levenshtein(value, key))
                        .filter(|distance| *distance <= allowed)
                })
                .min();
            if let Some(distance) = best {
                scored.push((distance, format!("{package}.{namespace}.{function}")));
            }
        }
        let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
            return Vec::new();
        };
        let mut near: Vec<String> = scored
            .into_iter()
            .filter(|(d, _)| *d == best)
            .map(|(_, name)| name)
            .collect();
        near.sort();
        near.dedup();
        near.truncate(3);
        near
    }

    fn check_slug(&mut self, name: &Spanned<String>, what: &str) -> Option<FolderName> {
        if name.value.len() > MAX_FOLDER_NAME_BYTES {
            self.error(
                "manifest::folder-name",
                name,
                format!(
                    "this {what} is {} characters long, more than the {MAX_FOLDER_NAME_BYTES} \
                     wixsync allows",
                    name.value.chars().count()
                ),
                format!(
                    "shorten it: the folder holds `<name>.extension.ts`, and most file systems \
                     allow 255 bytes per file name; {MAX_FOLDER_NAME_BYTES} characters leave \
                     room for that and for reading it"
                ),
            );
            return None;
        }
        let slug = FolderName::new(&name.value);
        if slug.is_none() {
            let suggestion = suggest_slug(&name.value);
            let help = match suggestion {
                Some(s) if s != name.value => format!(
                    "folder names are lowercase letters and digits in words joined by single \
                     hyphens, starting with a letter: `{s}`"
                ),
                _ => "folder names are lowercase letters and digits in words joined by single \
                      hyphens, starting with a letter, like `contact-created`"
                    .to_owned(),
            };
            self.error(
                "manifest::folder-name",
                name,
                format!("`{}` is not a valid {what}", name.value),
                help,
            );
        }
        slug
    }

    fn check_entry(&mut self, key: &Spanned<String>, value: Spanned<RawEntry>) -> Option<Entry> {
        let folder = self.check_slug(key, "folder name");
        let (event_text, renamed_from, id) = match value.value {
            RawEntry::Short(event) => (
                Spanned::new(event, value.referenced, value.defined),
                None,
                None,
            ),
            RawEntry::Long(long) => {
                let long = *long;
                (long.event, long.renamed_from, long.id)
            }
        };
        let event = self.resolve_event(&event_text);
        let mut earlier = Vec::new();
        for name in renamed_from.iter().flat_map(|list| &list.value) {
            if let Some(slug) = self.check_slug(name, "folder name in `renamed-from`") {
                if Some(&slug) == folder.as_ref() {
                    self.error(
                        "manifest::renamed-from",
                        name,
                        format!("`{slug}` lists its own folder name in `renamed-from`"),
                        "list only earlier names of this folder".to_owned(),
                    );
                } else {
                    earlier.push((slug, self.place(name)));
                }
            }
        }
        let id = id.and_then(|id| match parse_id(&id.value) {
            Ok(uuid) => Some((uuid, self.place(&id))),
            Err(help) => {
                self.error(
                    "manifest::id",
                    &id,
                    format!("`{}` is not a valid extension id", id.value),
                    help,
                );
                None
            }
        });
        let event = event?;
        Some(Entry {
            folder: folder?,
            event: event.clone(),
            renamed_from: earlier.into_iter().map(|(slug, _)| slug).collect(),
            id: id.map(|(uuid, _)| uuid),
            key_place: self.place(key),
            event_place: self.place(&event_text),
            id_place: id.map(|(_, place)| place),
            registered_slug: registered_slug(self.installed, &event),
        })
    }

    /// An event, an id or a `renamed-from` name claimed by two entries.
    fn check_uniqueness(&mut self, entries: &[Entry]) {
        let mut by_event: HashMap<&EventRef, &Entry> = HashMap::new();
        let mut by_slug: HashMap<&str, &Entry> = HashMap::new();
        let mut by_id: HashMap<Uuid, &Entry> = HashMap::new();
        let mut by_old_name: HashMap<&FolderName, &Entry> = HashMap::new();
        let folders: HashMap<&FolderName, &Entry> =
            entries.iter().map(|e| (&e.folder, e)).collect();
        for entry in entries {
            if let Some(first) = by_event.insert(&entry.event, entry) {
                self.twice(
                    "manifest::duplicate-event",
                    format!("event `{}` is listed twice", entry.event),
                    first.event_place,
                    entry.event_place,
                    "an app handles each event once: keep one entry and put both handlers' \
                     work in its handler",
                );
            } else if let Some(slug) = entry.registered_slug.as_deref()
                && let Some(first) = by_slug.insert(slug, entry)
            {
                self.twice(
                    "manifest::duplicate-slug",
                    format!(
                        "`{}` and `{}` are registered for the same webhook, `{slug}`",
                        first.event, entry.event
                    ),
                    first.event_place,
                    entry.event_place,
                    "Wix delivers a webhook to one handler per app: keep one of the two entries",
                );
            }
            if let (Some(id), Some(place)) = (entry.id, entry.id_place)
                && let Some(first) = by_id.insert(id, entry)
            {
                self.twice(
                    "manifest::duplicate-id",
                    format!("id `{id}` is pinned twice"),
                    first.id_place.unwrap_or_default(),
                    place,
                    "every extension needs its own id: remove one of the pins, and wixsync \
                     keeps the id the folder already has",
                );
            }
            for old in &entry.renamed_from {
                if let Some(other) = folders.get(old) {
                    self.twice(
                        "manifest::renamed-from",
                        format!(
                            "`{old}` is both an entry and an earlier name of `{}`",
                            entry.folder
                        ),
                        other.key_place,
                        entry.key_place,
                        "a folder can be kept or renamed, not both: remove one of the two",
                    );
                } else if let Some(first) = by_old_name.insert(old, entry) {
                    self.twice(
                        "manifest::renamed-from",
                        format!("`{old}` is an earlier name of two entries"),
                        first.key_place,
                        entry.key_place,
                        "one folder can be renamed to one new name: keep `renamed-from` on one \
                         entry",
                    );
                }
            }
        }
    }

    fn twice(
        &mut self,
        code: &'static str,
        message: String,
        first: Place,
        second: Place,
        help: &str,
    ) {
        self.errors.push(
            Diagnostic::error(code, message)
                .in_source(self.source)
                .label(second.offset, second.len, "again here")
                .label(first.offset, first.len, "first here")
                .help(help),
        );
    }
}

/// A lowercase, hyphenated UUID, or the help line that says what to write instead.
fn parse_id(text: &str) -> Result<Uuid, String> {
    let fresh = "use a lowercase UUID like 9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a, or remove `id` \
                 and wixsync draws one (an existing folder keeps its own)";
    if text.contains("{{") || text.contains("GENERATE") {
        return Err(format!("this looks like a template placeholder; {fresh}"));
    }
    let uuid = Uuid::try_parse(text).map_err(|_| fresh.to_owned())?;
    let canonical = uuid.hyphenated().to_string();
    if canonical != text {
        return Err(format!("write it lowercase and hyphenated: `{canonical}`"));
    }
    Ok(uuid)
}

/// The nearest valid folder name to `name`, if one is easy to derive.
fn suggest_slug(name: &str) -> Option<String> {
    let kebab: String = name
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['-', c.to_ascii_lowercase()]
            } else if c == '_' || c == ' ' || c == '.' {
                vec!['-']
            } else {
                vec![c]
            }
        })
        .collect();
    let words: Vec<&str> = kebab.split('-').filter(|w| !w.is_empty()).collect();
    let joined = words.join("-");
    let trimmed = joined.trim_start_matches(|c: char| !c.is_ascii_lowercase());
    FolderName::new(trimmed).map(|slug| slug.0)
}

/// A lower bound of the Damerau-Levenshtein distance of `a` and `b`, in edits, found in one
/// pass over each: the larger of the number of characters of `a` that `b` lacks and the
/// number of `b` that `a` lacks, counted as multisets (every edit changes each count by at most
/// one, and a transposition by none). Characters outside ASCII share one count, which can only
/// lower the bound.
fn bag_distance(a: &str, b: &str) -> usize {
    let mut counts = [0_i32; 129];
    let index = |c: char| if c.is_ascii() { c as usize } else { 128 };
    for c in a.chars() {
        counts[index(c)] += 1;
    }
    for c in b.chars() {
        counts[index(c)] -= 1;
    }
    let surplus: i32 = counts.iter().filter(|n| **n > 0).sum();
    let deficit: i32 = -counts.iter().filter(|n| **n < 0).sum::<i32>();
    surplus.max(deficit) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rule() {
        for ok in ["a", "contact-created", "order2-paid", "a1-b2-c3"] {
            assert!(FolderName::new(ok).is_some(), "{ok}");
        }
        for bad in ["", "3d-model", "Contact", "a--b", "a-", "-a", "a_b", "é"] {
            assert!(FolderName::new(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn event_refs() {
        let e = EventRef::parse("app-management.appInstances.onAppInstanceInstalled").unwrap();
        assert_eq!(e.package, "app-management");
        assert_eq!(e.namespace, "appInstances");
        assert_eq!(e.function, "onAppInstanceInstalled");
        assert_eq!(e.npm_package(), "@wix/app-management");
        assert!(EventRef::parse("contacts.onContactCreated").is_err());
        assert!(EventRef::parse("@wix/crm.contacts.onContactCreated").is_err());
        assert!(EventRef::parse("crm.contacts.contactCreated").is_err());
        assert!(EventRef::parse("crm.contacts.on").is_err());
    }

    #[test]
    fn ids() {
        assert!(parse_id("9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a").is_ok());
        assert!(parse_id("9B2E4C1A-7D3F-4E8A-B5C6-0F1E2D3C4B5A").is_err());
        assert!(parse_id("{{GENERATE_UUID}}").is_err());
        assert!(parse_id("9b2e4c1a7d3f4e8ab5c60f1e2d3c4b5a").is_err());
    }

    #[test]
    fn slug_suggestions() {
        assert_eq!(
            suggest_slug("contactCreated").as_deref(),
            Some("contact-created")
        );
        assert_eq!(suggest_slug("order_paid").as_deref(), Some("order-paid"));
        assert_eq!(suggest_slug("3d-model").as_deref(), Some("d-model"));
    }

    fn parse(text: &str) -> Result<Manifest, Vec<Diagnostic>> {
        Manifest::parse(&SourceFile::new(MANIFEST_FILE_NAME, text))
    }

    #[test]
    fn short_and_long_forms_in_order() {
        let m = parse(
            "version: 1\nexport-style: named\nevents:\n  b-two: crm.contacts.onContactCreated\n  \
             a-one:\n    event: ecom.orders.onOrderApproved\n    renamed-from: [old-one]\n    \
             id: 9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a\n",
        )
        .unwrap();
        assert_eq!(m.export_style, Some(ExportStyle::Named));
        let folders: Vec<&str> = m.entries.iter().map(|e| e.folder.as_str()).collect();
        assert_eq!(folders, ["b-two", "a-one"]);
        assert_eq!(
            m.entries[1].renamed_from,
            [FolderName::new("old-one").unwrap()]
        );
        assert_eq!(
            m.entries[1].id.unwrap().to_string(),
            "9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a"
        );
        assert_eq!(m.entries[0].key_place, Place { offset: 41, len: 5 });
    }

    #[test]
    fn errors_carry_line_and_column() {
        let errors =
            parse("version: 1\nevents:\n  Bad_Name: crm.contacts.onContactCreated\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location().unwrap(), "wix-events.yaml:3:3");
        assert!(errors[0].help.as_ref().unwrap().contains("`bad-name`"));
    }

    #[test]
    fn duplicate_folder_is_an_error_not_last_wins() {
        let errors =
            parse("version: 1\nevents:\n  a: crm.contacts.onContactCreated\n  a: crm.contacts.onContactDeleted\n")
                .unwrap_err();
        assert_eq!(errors[0].location().unwrap(), "wix-events.yaml:4:3");
        assert!(
            errors[0].message.contains("duplicate"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn several_errors_at_once() {
        let errors = parse(
            "version: 1\nevents:\n  Bad: crm.contacts.onContactCreated\n  ok: nope\n  \
             x:\n    event: crm.contacts.onContactDeleted\n    id: NOT-A-UUID\n",
        )
        .unwrap_err();
        let locations: Vec<String> = errors.iter().filter_map(|e| e.location()).collect();
        assert_eq!(
            locations,
            [
                "wix-events.yaml:3:3",
                "wix-events.yaml:4:7",
                "wix-events.yaml:7:9"
            ]
        );
    }

    #[test]
    fn bag_distance_is_a_lower_bound_of_the_edit_distance() {
        let words = [
            "",
            "onContactCreated",
            "onContactCraeted",
            "contacts.onContactCreated",
            "crm.contacts.onContactDeleted",
            "ecom.orders.onOrderCreated",
            "\u{e9}v\u{e9}nement",
            "evenement",
        ];
        for a in words {
            for b in words {
                assert!(
                    bag_distance(a, b) <= strsim::damerau_levenshtein(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
        assert_eq!(bag_distance("onContactCreated", "onContactCraeted"), 0);
        assert_eq!(bag_distance("abc", "abd"), 1);
        assert_eq!(bag_distance("abc", ""), 3);
    }

    #[test]
    fn strict_booleans_and_bom() {
        assert!(parse("\u{feff}version: 1\nevents: {}\n").is_ok());
        let errors = parse("version: 1\nevents:\n  yes: no\n").unwrap_err();
        assert_eq!(errors[0].location().unwrap(), "wix-events.yaml:3:8");
    }
}
