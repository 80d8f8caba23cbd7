//! `wixsync events`: the SDK event catalog, as text for people or as JSON for tools: each
//! event with the webhook slug Wix registers it under (and the SDK's own slug where
//! `@wix/astro` maps it to another), its description and its permission scopes.
//!
//! Choosing what to list ([`select`]) is apart from writing it ([`render_text`],
//! [`render_json`]), and neither reads a file: the catalog is compiled in.
//!
//! ```
//! use wixsync::catalog_cmd::{render_text, select};
//! use wixsync_schema::catalog::Catalog;
//!
//! let catalog = Catalog::get();
//! let crm = select(catalog, Some("@wix/crm")).unwrap();
//! let mut out = Vec::new();
//! render_text(&mut out, catalog, &crm, false).unwrap();
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.contains(
//!     "  crm.contacts.onContactCreated  wix.contacts.v4.contact_created\n      \
//!      Triggered when a contact is created.\n"
//! ));
//!
//! let error = select(catalog, Some("crmm")).unwrap_err();
//! assert_eq!(error.closest, Some("crm"));
//! ```

use std::io::{self, Write};

use anstyle::Style;
use wixsync_schema::Diagnostic;
use wixsync_schema::catalog::{Catalog, Event, Package};

/// A `--package` the catalog does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a package of wixsync's event catalog")]
pub struct UnknownPackage {
    /// The name as given.
    pub name: String,
    /// The known package nearest in spelling, if one is near enough.
    pub closest: Option<&'static str>,
    /// The packages that export a namespace of that name (`contacts` → `crm`).
    pub exporting: Vec<&'static str>,
    /// Every package of the catalog, sorted.
    pub known: Vec<&'static str>,
}

impl UnknownPackage {
    /// The error with a help line: the nearest package, the packages with a namespace of that
    /// name, then every package (on lines of their own, so that no name is wrapped).
    pub fn diagnostic(&self) -> Diagnostic {
        let mut help = String::new();
        if let Some(closest) = self.closest {
            help.push_str(&format!("did you mean `{closest}`? "));
        }
        if !self.exporting.is_empty() {
            let also = if self.closest.is_some() { "also " } else { "" };
            let packages: Vec<String> = self
                .exporting
                .iter()
                .map(|p| format!("`--package {p}`"))
                .collect();
            help.push_str(&format!(
                "`{}` is {also}a namespace: {} lists its events. ",
                self.name,
                packages.join(" or ")
            ));
        }
        help.push_str("`wixsync events` lists every event.\nThe catalog's packages (npm names without `@wix/`):");
        let mut line = String::new();
        for (i, name) in self.known.iter().enumerate() {
            let item = if i + 1 < self.known.len() {
                format!("{name}, ")
            } else {
                (*name).to_owned()
            };
            if !line.is_empty() && line.len() + item.len() > 72 {
                help.push_str(&format!("\n  {}", line.trim_end()));
                line.clear();
            }
            line.push_str(&item);
        }
        help.push_str(&format!("\n  {line}"));
        Diagnostic::error("events::package", self.to_string()).help(help)
    }
}

/// The packages to list: every one, or the one named, with or without its `@wix/` scope, in
/// any case (`CRM` is `crm`).
///
/// # Errors
///
/// [`UnknownPackage`] when the catalog has no package of that name.
pub fn select<'c>(
    catalog: &'c Catalog,
    package: Option<&str>,
) -> Result<Vec<&'c Package>, UnknownPackage> {
    let Some(name) = package else {
        return Ok(catalog.packages().iter().collect());
    };
    let bare = name.trim().strip_prefix("@wix/").unwrap_or(name.trim());
    // Package names are lowercase; `CRM` and `@wix/Crm` mean `crm`.
    if let Some(found) = catalog
        .packages()
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(bare))
    {
        return Ok(vec![found]);
    }
    let lower = bare.to_ascii_lowercase();
    let closest = catalog
        .packages()
        .iter()
        .map(|p| (strsim::jaro_winkler(&lower, p.name), p.name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name);
    let mut exporting: Vec<&'static str> = catalog
        .namespaces()
        .iter()
        .filter(|n| n.name == bare)
        .map(|n| n.package)
        .collect();
    exporting.dedup();
    Err(UnknownPackage {
        name: name.to_owned(),
        closest,
        exporting,
        known: catalog.packages().iter().map(|p| p.name).collect(),
    })
}

/// The events of `package`, sorted by (namespace, function).
fn events_of<'c>(catalog: &'c Catalog, package: &str) -> impl Iterator<Item = &'c Event> {
    catalog
        .events()
        .iter()
        .filter(move |e| e.package == package)
}

/// One block per package, headed by its npm name and version, then one line per event:
/// `  package.namespace.function  registered-slug`, two spaces apart so that lines stay easy to
/// `grep` and to copy into `wix-events.yaml`, followed by `(SDK slug <slug>)` where
/// `@wix/astro` registers the event under another slug than the SDK's; then, indented on a
/// line of its own, the event's description when the SDK gives one.
pub fn render_text(
    out: &mut dyn Write,
    catalog: &Catalog,
    packages: &[&Package],
    color: bool,
) -> io::Result<()> {
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let mut total = 0;
    for (i, package) in packages.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let events: Vec<&Event> = events_of(catalog, package.name).collect();
        total += events.len();
        let count = match events.len() {
            0 => "no events".to_owned(),
            1 => "1 event".to_owned(),
            n => format!("{n} events"),
        };
        writeln!(
            out,
            "{bold}@wix/{} {}{bold:#} ({count})",
            package.name, package.version
        )?;
        for event in events {
            write!(out, "  {event}  {}", event.registered_slug)?;
            if event.registered_slug != event.slug {
                write!(out, " (SDK slug {})", event.slug)?;
            }
            writeln!(out)?;
            if !event.description.is_empty() {
                writeln!(out, "      {}", event.description)?;
            }
        }
    }
    let in_packages = match packages.len() {
        1 => String::new(),
        n => format!(" in {n} packages"),
    };
    writeln!(
        out,
        "\n{total} events{in_packages}. Each goes in wix-events.yaml as \
         `<folder-name>: <package.namespace.function>`."
    )
}

/// A JSON array, one object per event: `{ "package", "namespace", "function", "slug",
/// "registered_slug", "description", "scopes", "version" }`: `slug` is the SDK's,
/// `registered_slug` the one `@wix/astro` registers, `description` the SDK's first line (`""`
/// when it has none), `scopes` the permission scopes that each suffice, as `[{ "id", "name" }]`,
/// and `version` the npm version of the package the catalog was read from.
pub fn render_json(
    out: &mut dyn Write,
    catalog: &Catalog,
    packages: &[&Package],
) -> io::Result<()> {
    let events: Vec<serde_json::Value> = packages
        .iter()
        .flat_map(|package| {
            events_of(catalog, package.name).map(|event| {
                let scopes: Vec<serde_json::Value> = catalog
                    .scopes_of(event)
                    .map(|s| serde_json::json!({ "id": s.id, "name": s.name }))
                    .collect();
                serde_json::json!({
                    "package": event.package,
                    "namespace": event.namespace,
                    "function": event.function,
                    "slug": event.slug,
                    "registered_slug": event.registered_slug,
                    "description": event.description,
                    "scopes": scopes,
                    "version": package.version,
                })
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &events)?;
    writeln!(out)
}
