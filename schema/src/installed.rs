//! The SDK packages installed in the app (`node_modules/@wix/<package>`), as read by the
//! engine before the manifest is checked ([`crate::Manifest::parse_with`]).
//!
//! An installed package is the truth for the app: the handler compiles against it, so an event
//! it declares is known even when the compiled-in [`crate::catalog`] lags, and an event it
//! lacks is an error even under `unknown-events: allow` (which exists for a catalog that lags,
//! not for an SDK that lacks the event). This module only holds what was read; the reading
//! (SWC over the package's declaration files) is the engine's `sdk` module.

use std::fmt;

use crate::catalog::Catalog;

/// What the app has installed of the packages its manifest names.
///
/// Shape: `{ packages: [{ name: "crm", version: "1.0.1700", path: "node_modules/@wix/crm",
/// events: [...] }], unreadable: [{ name: "ecom", path: ..., reason: "..." }] }`, each list
/// sorted by name. A package the app does not have installed is in neither list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstalledSdk {
    /// The packages read, sorted by name.
    pub packages: Vec<InstalledPackage>,
    /// The packages installed but not readable, sorted by name.
    pub unreadable: Vec<UnreadablePackage>,
}

/// One installed root package (`@wix/crm`) and the events its namespaces declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledPackage {
    /// The package name without `@wix/`: `crm`.
    pub name: String,
    /// The version in its `package.json`: `1.0.1700`.
    pub version: String,
    /// Where it is, relative to the app root: `node_modules/@wix/crm`.
    pub path: String,
    /// Every event of every namespace it exports, sorted by (namespace, function).
    pub events: Vec<InstalledEvent>,
}

/// One event an installed package declares: `import { <namespace> } from '@wix/<package>'`,
/// then `<namespace>.<function>(handler)`, for the SDK webhook slug `slug`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InstalledEvent {
    /// The namespace the root package exports: `contacts`.
    pub namespace: String,
    /// The subscription function: `onContactCreated`.
    pub function: String,
    /// The SDK's webhook slug, from `EventDefinition<_, "<slug>">`:
    /// `wix.contacts.v4.contact_created`.
    pub slug: String,
}

/// An installed package wixsync could not read: the manifest is checked against the catalog
/// for it, with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadablePackage {
    /// The package name without `@wix/`: `crm`.
    pub name: String,
    /// Where it is, relative to the app root: `node_modules/@wix/crm`.
    pub path: String,
    /// What failed, in words: `node_modules/@wix/crm/package.json: expected value at line 1`.
    pub reason: String,
}

impl InstalledSdk {
    /// The readable installed package `name` (without `@wix/`), if any.
    pub fn package(&self, name: &str) -> Option<&InstalledPackage> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// The installed but unreadable package `name`, if any.
    pub fn unreadable(&self, name: &str) -> Option<&UnreadablePackage> {
        self.unreadable.iter().find(|p| p.name == name)
    }

    /// Every event known to this app, as (package, namespace, function): the events of each
    /// readable installed package, and the catalog's events of every other package. Sorted.
    pub fn known_events(&self) -> Vec<(&str, &str, &str)> {
        let catalog = Catalog::get();
        let mut events: Vec<(&str, &str, &str)> = catalog
            .events()
            .iter()
            .filter(|e| self.package(e.package).is_none())
            .map(|e| (e.package, e.namespace, e.function))
            .collect();
        for package in &self.packages {
            events.extend(package.events.iter().map(|e| {
                (
                    package.name.as_str(),
                    e.namespace.as_str(),
                    e.function.as_str(),
                )
            }));
        }
        events.sort_unstable();
        events
    }
}

impl InstalledPackage {
    /// The event `namespace.function`, if the package declares it.
    pub fn event(&self, namespace: &str, function: &str) -> Option<&InstalledEvent> {
        self.events
            .iter()
            .find(|e| e.namespace == namespace && e.function == function)
    }

    /// The slug `@wix/astro` registers `event` under: the catalog's registered slug for an
    /// event of the same SDK slug, else the SDK slug itself. `@wix/astro`'s
    /// `legacyWebhookMap` is read only by the catalog generator, so an SDK slug the catalog
    /// has never seen is taken as registered unchanged (docs/contract.md, "The installed SDK").
    pub fn registered_slug<'a>(&self, event: &'a InstalledEvent) -> &'a str {
        match Catalog::get().by_slug(&event.slug).first() {
            Some(known) if known.registered_slug != known.slug => known.registered_slug,
            _ => &event.slug,
        }
    }
}

impl fmt::Display for InstalledPackage {
    /// `@wix/crm 1.0.1700 (node_modules/@wix/crm)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@wix/{} {} ({})", self.name, self.version, self.path)
    }
}
