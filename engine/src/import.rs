//! `wixsync import`: adopt an app by writing its `wix-events.yaml` from the event extensions it
//! has.
//!
//! The pipeline is the same one-way road as `apply`'s, short of planning: read the app
//! ([`AppTree::load`]), [`scan`] it, [`draft`] the manifest (pure: every folder mapped to its
//! event through the handler's import and the compiled-in catalog), then write the one file
//! through [`commit`] (journal, staged file, durability barrier). Nothing is written when any
//! extension cannot be mapped; every such problem is reported at once, as a typed
//! [`Unmappable`] that `diagnose::import_error` turns into words.
//!
//! The manifest pins no ids: rule 1 of matching ("a folder with the entry's name exists") finds
//! each extension by its folder, so `wixsync apply --check` exits 0 right after an import of
//! an app whose extensions are in the shape `apply` writes.
//!
//! The caller holds the app's write lock ([`crate::commit::session::open`] with
//! [`crate::commit::session::Access::Write`]), as for [`commit`].

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use heck::ToKebabCase;
use wixsync_schema::catalog::Catalog;
use wixsync_schema::installed::InstalledSdk;
use wixsync_schema::{EventRef, ExportStyle, FolderName, MANIFEST_FILE_NAME};

use crate::changeset::{Change, Changeset};
use crate::commit::{CommitFailure, CommitReport, commit};
use crate::reconcile::ReconcileError;
use crate::scan::{EventExtension, Scan, scan};
use crate::tree::{AppTree, EVENTS_DIR};

/// The modeline that opts the manifest into the JSON Schema in editors with the YAML language
/// server, with the schema saved beside it as `wixsync schema` suggests
/// (`wixsync schema > wix-events.schema.json`).
pub const SCHEMA_MODELINE: &str = "# yaml-language-server: $schema=wix-events.schema.json";

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Replace an existing `wix-events.yaml` (`--force`); without it an existing manifest is
    /// an error and nothing is written.
    pub force: bool,
}

/// One entry of the imported manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEntry {
    /// The folder name, the entry's key: `contact-created`.
    pub folder: String,
    /// The event in full form: `crm.contacts.onContactCreated`.
    pub event: EventRef,
    /// The handler the event was read from, relative to the app root.
    pub handler: String,
    /// The builder, relative to the app root, when the folder has one.
    pub builder: Option<String>,
    /// Whether the handler has the legacy shape (`import { onX } from '@wix/<pkg>/events'`),
    /// whose namespace came from the catalog; `wixsync apply` migrates it.
    pub legacy: bool,
}

/// A manifest drafted from a scan: its text and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The manifest's text: the modeline, `version: 1`, `export-style` when the app is
    /// uniformly `named`, and `events:` with one entry per folder, sorted by folder.
    pub text: String,
    /// The entries, sorted by folder.
    pub entries: Vec<ImportedEntry>,
    /// The `export-style` written, when one is.
    pub export_style: Option<ExportStyle>,
}

/// What [`import`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The manifest written, relative to the app root: `wix-events.yaml`. With `--force` over
    /// a manifest that already holds exactly the drafted text, nothing is written
    /// ([`Imported::written`] counts 0 files).
    pub path: String,
    /// The drafted manifest.
    pub draft: Draft,
    /// Whether an existing manifest was replaced (`--force`).
    pub replaced: bool,
    /// The change written, for a diff.
    pub changeset: Changeset,
    /// What commit did.
    pub written: CommitReport,
}

/// An event extension the import cannot turn into a manifest entry. Each names the file and
/// byte range to point at (relative to the app root, in the scanned tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmappable {
    /// The handler subscribes to an event the catalog does not know.
    UnknownEvent {
        /// The folder.
        folder: String,
        /// The handler.
        path: String,
        /// The callee's function name in the handler.
        range: Range<usize>,
        /// The event as the handler names it.
        event: EventRef,
        /// The nearest catalog event, if one is near.
        near: Option<String>,
    },
    /// Several folders handle events registered under one webhook slug: Wix keeps one
    /// handler per slug per app, and the manifest allows one entry per slug.
    SharedSlug {
        /// The registered slug: `wix.contacts.v4.contact_created`.
        slug: String,
        /// Each handler: (folder, handler path, callee range, event), sorted by folder.
        handlers: Vec<(String, String, Range<usize>, EventRef)>,
    },
    /// The folder holds an extension whose handler makes no SDK subscription wixsync
    /// recognises, or has no handler file.
    NoSubscription {
        /// The folder.
        folder: String,
        /// The handler, or the builder when the handler file is missing.
        path: String,
        /// What to point at: the builder's `source` when the handler is missing, else the
        /// file's start.
        range: Range<usize>,
        /// Whether the handler file is missing (the builder names one that does not exist).
        missing_handler: bool,
    },
    /// A legacy handler (`import { onX } from '@wix/<package>/events'`) whose function the
    /// catalog has in no namespace of the package, or in several.
    LegacyEvent {
        /// The folder.
        folder: String,
        /// The handler.
        path: String,
        /// The callee as written.
        range: Range<usize>,
        /// The package, without `@wix/`.
        package: String,
        /// The function.
        function: String,
        /// The catalog events of that package with that function, in full form; empty when
        /// none.
        candidates: Vec<String>,
    },
    /// The folder's name cannot be a manifest key (`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`).
    FolderName {
        /// The folder.
        folder: String,
        /// Its builder or handler, to point at.
        path: String,
        /// A valid name near it, if there is one.
        suggestion: Option<String>,
    },
}

/// Why an import wrote nothing. Every variant is an error (exit 1);
/// [`crate::diagnose::import_error`] says it in words.
#[derive(Debug)]
pub enum ImportError {
    /// The app cannot be found, read or scanned, or an apply is in progress on it.
    App(ReconcileError),
    /// A manifest is already there, and `--force` was not given.
    ManifestExists {
        /// The manifest: the app root as given joined with `wix-events.yaml`.
        path: String,
    },
    /// Extensions that cannot be mapped, all at once, with the app as read for code frames.
    Unmappable {
        /// What cannot be mapped, in folder order.
        problems: Vec<Unmappable>,
        /// The app as read.
        tree: Box<AppTree>,
    },
    /// Writing the manifest failed.
    Write(Box<CommitFailure>),
}

impl ImportError {
    /// The error as diagnostics ([`crate::diagnose::import_error`]).
    pub fn diagnostics(&self) -> Vec<wixsync_schema::Diagnostic> {
        crate::diagnose::import_error(self)
    }
}

/// The app root `import` works on: `dir` when it is a Wix app as
/// [`crate::reconcile::locate_app`] has it (a `wix-events.yaml`, or `@wix/astro` in its
/// `package.json` or `astro.config.*`), or when it holds `src/extensions.ts` or the events
/// folder, which only a Wix CLI app has.
///
/// # Errors
///
/// [`ReconcileError::NotAnApp`] for a `dir` that is missing, a file, or no Wix app.
pub fn locate(dir: &Path) -> Result<std::path::PathBuf, ReconcileError> {
    if dir.join(crate::tree::REGISTRY_PATH).is_file() || dir.join(EVENTS_DIR).is_dir() {
        return Ok(dir.to_owned());
    }
    crate::reconcile::locate_app(Some(dir), None)
}

/// Imports the app at `root`: drafts `wix-events.yaml` from its event extensions and writes it,
/// all or nothing. The caller holds the app's write lock.
///
/// # Errors
///
/// [`ImportError::ManifestExists`] when `root/wix-events.yaml` exists (a file, a folder or a
/// link) and `options.force` is off; [`ImportError::App`] when an apply is in progress or the
/// app cannot be read or scanned; [`ImportError::Unmappable`] with every extension that cannot
/// be mapped; [`ImportError::Write`] when writing fails (then rolled back).
pub fn import(root: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    crate::commit::session::refuse_half_written(root)
        .map_err(|d| ImportError::App(ReconcileError::Journal(d)))?;
    let manifest_path = root.join(MANIFEST_FILE_NAME);
    let existing = std::fs::symlink_metadata(&manifest_path).is_ok();
    if existing && !options.force {
        let shown = manifest_path.display().to_string();
        return Err(ImportError::ManifestExists {
            path: shown.strip_prefix("./").unwrap_or(&shown).to_owned(),
        });
    }
    let tree = AppTree::load(root).map_err(|e| ImportError::App(ReconcileError::Load(e)))?;
    let scanned = match scan(&tree) {
        Ok(scanned) => scanned,
        Err(errors) => {
            return Err(ImportError::App(ReconcileError::Scan {
                errors,
                tree: Box::new(tree),
            }));
        }
    };
    // The packages the handlers subscribe from, read where the app has them installed.
    let packages: std::collections::BTreeSet<String> = scanned
        .extensions
        .iter()
        .filter_map(|x| x.handler.as_ref())
        .filter_map(|h| {
            h.subscription
                .as_ref()
                .map(|s| s.event.package.clone())
                .or_else(|| h.legacy.as_ref().map(|c| c.package.clone()))
        })
        .collect();
    let installed = crate::sdk::read_installed(root, &packages);
    let draft = match draft(&scanned, &installed) {
        Ok(draft) => draft,
        Err(problems) => {
            return Err(ImportError::Unmappable {
                problems,
                tree: Box::new(tree),
            });
        }
    };
    let change = match std::fs::read(&manifest_path) {
        // Already this very manifest: nothing to write.
        Ok(original) if existing && original == draft.text.as_bytes() => None,
        Ok(original) if existing => Some(Change::Modify {
            path: MANIFEST_FILE_NAME.to_owned(),
            move_to: None,
            edits: vec![crate::edit::Edit {
                range: 0..original.len(),
                text: draft.text.clone(),
            }],
            original,
        }),
        _ => Some(Change::Create {
            path: MANIFEST_FILE_NAME.to_owned(),
            content: draft.text.clone().into_bytes(),
        }),
    };
    let changeset = Changeset {
        changes: change.into_iter().collect(),
    };
    let written = commit(root, &changeset).map_err(|f| ImportError::Write(Box::new(f)))?;
    Ok(Imported {
        path: MANIFEST_FILE_NAME.to_owned(),
        draft,
        replaced: existing,
        changeset,
        written,
    })
}

/// Drafts the manifest of a scanned app: one entry per event extension, sorted by folder, its
/// event in full form; `export-style: named` when every builder is named (the manifest's
/// default, when it says nothing and the app is mixed or empty, is `default`); a commented
/// starter manifest when the app has no event extension. Pure.
///
/// # Errors
///
/// Every extension that cannot be mapped, in folder order (a shared slug after them).
pub fn draft(scan: &Scan, installed: &InstalledSdk) -> Result<Draft, Vec<Unmappable>> {
    let catalog = Catalog::get();
    // Each mapped entry's registered slug, by entry index, for the one-handler-per-slug check.
    let mut slugs: Vec<Option<String>> = Vec::new();
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    // (folder, handler, callee range) of each mapped entry, for the shared-slug check.
    let mut places: Vec<Range<usize>> = Vec::new();
    let extensions: Vec<&EventExtension> =
        scan.extensions.iter().filter(|x| x.is_extension).collect();
    for extension in &extensions {
        let folder = &extension.folder;
        let builder = extension.builder.as_ref().map(|b| b.path.clone());
        let point_at = builder
            .clone()
            .or_else(|| extension.handler.as_ref().map(|h| h.path.clone()))
            .unwrap_or_else(|| format!("{EVENTS_DIR}/{folder}"));
        if FolderName::new(folder).is_none() {
            let kebab = folder.to_kebab_case();
            problems.push(Unmappable::FolderName {
                folder: folder.clone(),
                path: point_at.clone(),
                suggestion: FolderName::new(&kebab).map(|_| kebab),
            });
            continue;
        }
        let Some(handler) = &extension.handler else {
            let (path, range) = match &extension.builder {
                Some(b) => (
                    b.path.clone(),
                    b.source.as_ref().map_or(0..0, |s| s.range.clone()),
                ),
                None => (point_at.clone(), 0..0),
            };
            problems.push(Unmappable::NoSubscription {
                folder: folder.clone(),
                path,
                range,
                missing_handler: true,
            });
            continue;
        };
        let mapped = if let Some(subscription) = &handler.subscription {
            let event = &subscription.event;
            match known_event(installed, event) {
                Some(slug) => {
                    slugs.push(slug);
                    Some((event.clone(), subscription.callee_function.clone()))
                }
                None => {
                    problems.push(Unmappable::UnknownEvent {
                        folder: folder.clone(),
                        path: handler.path.clone(),
                        range: subscription.callee_function.clone(),
                        event: event.clone(),
                        near: nearest(catalog, &event.to_string()),
                    });
                    None
                }
            }
        } else if let Some(call) = &handler.legacy {
            let candidates: Vec<EventRef> = installed
                .known_events()
                .into_iter()
                .filter(|(package, _, function)| {
                    *package == call.package && *function == call.function
                })
                .map(|(package, namespace, function)| EventRef {
                    package: package.to_owned(),
                    namespace: namespace.to_owned(),
                    function: function.to_owned(),
                })
                .collect();
            match &candidates[..] {
                [event] => {
                    slugs.push(known_event(installed, event).flatten());
                    Some((event.clone(), call.callee.clone()))
                }
                _ => {
                    problems.push(Unmappable::LegacyEvent {
                        folder: folder.clone(),
                        path: handler.path.clone(),
                        range: call.callee.clone(),
                        package: call.package.clone(),
                        function: call.function.clone(),
                        candidates: candidates.iter().map(ToString::to_string).collect(),
                    });
                    None
                }
            }
        } else {
            problems.push(Unmappable::NoSubscription {
                folder: folder.clone(),
                path: handler.path.clone(),
                range: 0..0,
                missing_handler: false,
            });
            None
        };
        if let Some((event, range)) = mapped {
            entries.push(ImportedEntry {
                folder: folder.clone(),
                event,
                handler: handler.path.clone(),
                builder,
                legacy: handler.subscription.is_none(),
            });
            places.push(range);
        }
    }
    // One handler per registered slug: entries sharing one are all reported together.
    let mut by_slug: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, slug) in slugs.iter().enumerate() {
        if let Some(slug) = slug {
            by_slug.entry(slug).or_default().push(i);
        }
    }
    for (slug, indices) in by_slug {
        if indices.len() > 1 {
            problems.push(Unmappable::SharedSlug {
                slug: slug.to_owned(),
                handlers: indices
                    .iter()
                    .map(|&i| {
                        let e = &entries[i];
                        (
                            e.folder.clone(),
                            e.handler.clone(),
                            places[i].clone(),
                            e.event.clone(),
                        )
                    })
                    .collect(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let styles: Vec<ExportStyle> = extensions.iter().filter_map(|x| x.export_style()).collect();
    let export_style = (!styles.is_empty() && styles.iter().all(|s| *s == ExportStyle::Named))
        .then_some(ExportStyle::Named);
    Ok(Draft {
        text: manifest_text(&entries, export_style),
        entries,
        export_style,
    })
}

/// Whether the app knows `event`, and then its registered webhook slug when that is known:
/// from the installed package when the app has it (it is the truth for that package;
/// docs/contract.md, "The installed SDK"), else from the compiled-in catalog. `None` when the
/// event is unknown.
fn known_event(installed: &InstalledSdk, event: &EventRef) -> Option<Option<String>> {
    match installed.package(&event.package) {
        Some(package) => package
            .event(&event.namespace, &event.function)
            .map(|e| Some(package.registered_slug(e).to_owned())),
        None => Catalog::get()
            .event(&event.package, &event.namespace, &event.function)
            .map(|known| Some(known.registered_slug.to_owned())),
    }
}

/// The nearest catalog event to `name` (full form), when it is near enough to suggest.
fn nearest(catalog: &Catalog, name: &str) -> Option<String> {
    catalog
        .events()
        .iter()
        .map(|e| {
            let full = e.to_string();
            (strsim::levenshtein(name, &full), full)
        })
        .filter(|(distance, _)| *distance <= 3.max(name.len() / 6))
        .min()
        .map(|(_, full)| full)
}

/// The manifest's text: see [`Draft::text`]; the starter manifest when `entries` is empty.
fn manifest_text(entries: &[ImportedEntry], export_style: Option<ExportStyle>) -> String {
    let mut text = format!("{SCHEMA_MODELINE}\n");
    if entries.is_empty() {
        text.push_str(
            "# The backend events this app handles: one entry per event extension, its folder\n\
             # name and the SDK event (`wixsync events` lists them all). `wixsync apply` then\n\
             # creates each extension under src/extensions/backend/events/<folder>/ and\n\
             # registers it in src/extensions.ts. To add the first one, replace `events: {}`\n\
             # with, for example:\n\
             #\n\
             # events:\n\
             #   contact-created: crm.contacts.onContactCreated\n\
             version: 1\n\
             events: {}\n",
        );
        return text;
    }
    text.push_str("version: 1\n");
    if export_style == Some(ExportStyle::Named) {
        text.push_str("export-style: named\n");
    }
    text.push_str("events:\n");
    for entry in entries {
        let _ = writeln!(text, "  {}: {}", entry.folder, entry.event);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use wixsync_schema::{Manifest, SourceFile};

    /// [`draft`] for an app with no `@wix/*` package installed: the catalog is the truth.
    fn draft_from_catalog(scan: &Scan) -> Result<Draft, Vec<Unmappable>> {
        draft(scan, &InstalledSdk::default())
    }

    fn scan_of(files: &[(&str, &str)]) -> Scan {
        scan(&AppTree::from_files(files.iter().map(|(p, t)| (*p, *t)))).unwrap()
    }

    const BUILDER: &str = "import { extensions } from '@wix/astro/builders';\n\nexport default extensions.event({\n  id: '3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718',\n  source: './extensions/backend/events/a/a.ts',\n});\n";

    #[test]
    fn the_starter_manifest_parses_with_no_entries() {
        let draft = draft_from_catalog(&scan_of(&[])).unwrap();
        assert!(draft.entries.is_empty());
        let manifest =
            Manifest::parse(&SourceFile::new("wix-events.yaml", draft.text.clone())).unwrap();
        assert!(manifest.entries.is_empty());
        assert!(draft.text.starts_with(SCHEMA_MODELINE));
    }

    #[test]
    fn an_aliased_namespace_import_gives_the_full_event() {
        let draft = draft_from_catalog(&scan_of(&[
            ("src/extensions/backend/events/a/a.extension.ts", BUILDER),
            (
                "src/extensions/backend/events/a/a.ts",
                "import { contacts as c } from '@wix/crm';\nexport default c.onContactCreated(async () => {});\n",
            ),
        ]))
        .unwrap();
        assert_eq!(
            draft.text,
            format!("{SCHEMA_MODELINE}\nversion: 1\nevents:\n  a: crm.contacts.onContactCreated\n")
        );
        assert_eq!(draft.export_style, None);
    }

    #[test]
    fn a_legacy_function_shared_by_namespaces_is_not_guessed() {
        let problems = draft_from_catalog(&scan_of(&[
            ("src/extensions/backend/events/a/a.extension.ts", BUILDER),
            (
                "src/extensions/backend/events/a/a.ts",
                "import { onCartCreated } from '@wix/ecom/events';\nonCartCreated(async () => {});\n",
            ),
        ]))
        .unwrap_err();
        let [Unmappable::LegacyEvent { candidates, .. }] = &problems[..] else {
            panic!("{problems:?}");
        };
        assert!(candidates.len() > 1, "{candidates:?}");
        assert!(candidates.contains(&"ecom.cart.onCartCreated".to_owned()));
    }
}
