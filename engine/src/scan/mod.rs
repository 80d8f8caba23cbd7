//! Scan: what the app has now, read off its TypeScript with SWC.
//!
//! For every folder under `src/extensions/backend/events/` the scan finds the builder (its `id`,
//! `source` and export style) and the handler (which SDK event its default export subscribes
//! to), and in `src/extensions.ts` every import and every `.use(...)` link of the default-exported
//! `app()` chain, each with the byte range it occupies. The scan reads the in-memory
//! [`AppTree`] and never the disk, and it decides nothing: matching and editing belong to
//! `plan` and `changeset`.

mod event_files;
mod imports;
pub mod package_json;
mod registry;
mod style;
mod trivia;

use std::ops::Range;

use swc_ecma_ast::Expr;
use thiserror::Error;
use wixsync_schema::{EventRef, ExportStyle};

pub use event_files::{
    Builder, BuilderExport, ExtensionDef, Handler, LegacySubscription, NamedSubscription,
    RootImport, Subscription,
};
pub use imports::FolderImport;
pub use package_json::{PackageJson, PackageJsonError};
pub use registry::{
    Binding, Chain, Import, Link, LinkArg, NamedImport, Registration, Registry, RegistryShape,
};
pub use style::{CodeStyle, RegistryStyle};
pub use trivia::{Decor, TrailingComment};

use crate::parse::ParseError;
use crate::tree::{AppTree, EVENTS_DIR, PACKAGE_JSON, REGISTRY_PATH, builder_path, handler_path};
use event_files::{scan_builder, scan_handler};
use registry::{scan_others, scan_registry};

/// A file the scan cannot read: each stops the run before anything is planned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScanError {
    /// A TypeScript file wixsync must understand does not parse.
    #[error(transparent)]
    Syntax(ParseError),
    /// A TypeScript file wixsync must understand is not text: invalid UTF-8, or a NUL byte.
    #[error("{path}:{line} is not text: {what}")]
    NotText {
        /// The file, relative to the app root.
        path: String,
        /// The 1-based line of the first offending byte.
        line: usize,
        /// What is wrong: "invalid UTF-8" or "a NUL byte".
        what: &'static str,
    },
    /// `src/extensions.ts` registers extensions in a shape wixsync cannot edit safely.
    #[error("src/extensions.ts has a shape wixsync cannot edit: {shape:?}")]
    Registry {
        /// Which shape.
        shape: RegistryShape,
        /// Where, as a byte range of `src/extensions.ts`.
        range: Range<usize>,
    },
}

/// A string literal: its value and the byte range of the whole literal, quotes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The unquoted value.
    pub value: String,
    /// The literal's byte range, quotes included.
    pub range: Range<usize>,
    /// The quote it is written with: `'` or `"`.
    pub quote: char,
}

impl StrLit {
    /// The literal at `range` of `text`, whose value is `value`.
    pub(crate) fn new(text: &str, value: String, range: Range<usize>) -> StrLit {
        let quote = if text[range.clone()].starts_with('"') {
            '"'
        } else {
            '\''
        };
        StrLit {
            value,
            range,
            quote,
        }
    }
}

/// One folder under `src/extensions/backend/events/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventExtension {
    /// The folder's name.
    pub folder: String,
    /// Every file in the folder, by path relative to the app root, sorted.
    pub files: Vec<String>,
    /// Whether the folder holds an extension: its builder file or its handler file exists. A
    /// folder with neither (empty, or holding only stray files such as `.DS_Store` or notes,
    /// as a branch switch or an interrupted run leaves behind) is no extension: no rule
    /// matches it, nothing removes it, and an extension may be created or renamed into it.
    pub is_extension: bool,
    /// The builder, if `<folder>.extension.ts` exists and defines an event extension.
    pub builder: Option<Builder>,
    /// Whether `<folder>.extension.ts` exists but defines no event extension (an
    /// `extensions.event({...})` it exports): the app's own file, never written over.
    pub builder_not_an_event: bool,
    /// The handler, if the file the builder's `source` names (or `<folder>.ts`) exists.
    pub handler: Option<Handler>,
    /// For a folder whose builder is missing, how `src/extensions.ts` still imports the
    /// builder's path and `.use`s it: as its default export, or as the named export a builder
    /// of this folder has (`eventContactCreated`). `None` when the builder exists or nothing
    /// registers it. A builder written anew exports the same way, so the registration holds.
    pub registered_style: Option<ExportStyle>,
}

impl EventExtension {
    /// The builder's id, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.builder
            .as_ref()?
            .id
            .as_ref()
            .map(|id| id.value.as_str())
    }

    /// The event its handler subscribes to.
    pub fn event(&self) -> Option<&EventRef> {
        Some(&self.handler.as_ref()?.subscription.as_ref()?.event)
    }

    /// The export style of its builder; for a missing builder, the style its registration
    /// in `src/extensions.ts` expects ([`EventExtension::registered_style`]).
    pub fn export_style(&self) -> Option<ExportStyle> {
        match &self.builder {
            Some(builder) => Some(builder.export.style()),
            None => self.registered_style,
        }
    }
}

/// An extension registered in `src/extensions.ts` that does not live in the events folder:
/// imported from elsewhere in `src/`, or defined inline in a `.use(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherExtension {
    /// The file that defines it (`src/extensions.ts` for an inline one).
    pub path: String,
    /// Its definition.
    pub def: ExtensionDef,
    /// For an event extension, what its handler subscribes to.
    pub event: Option<EventRef>,
}

/// An import of `src/extensions.ts` whose file does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dangling {
    /// Index into [`Registry::imports`].
    pub import: usize,
    /// The app-root-relative path it points to (without a suffix when it had none).
    pub target: String,
}

/// What the app has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Every folder under the events folder, sorted by name.
    pub extensions: Vec<EventExtension>,
    /// `src/extensions.ts`, or `None` when the file does not exist.
    pub registry: Option<Registry>,
    /// Registered extensions outside the events folder, in registry order.
    pub others: Vec<OtherExtension>,
    /// Registrations whose file does not exist.
    pub dangling: Vec<Dangling>,
    /// Imports into event folders from source files outside them.
    pub folder_imports: Vec<FolderImport>,
    /// `package.json`: `None` when the app has none.
    pub package_json: Option<Result<PackageJson, PackageJsonError>>,
    /// The style new files take.
    pub style: CodeStyle,
}

impl Scan {
    /// The extension in `folder`.
    pub fn extension(&self, folder: &str) -> Option<&EventExtension> {
        self.extensions.iter().find(|e| e.folder == folder)
    }
}

/// Scans the in-memory app.
///
/// # Errors
///
/// A [`ScanError`] for every TypeScript file wixsync must understand that does not parse or is
/// not UTF-8, and for a `src/extensions.ts` whose default export is not an `app()` chain
/// wixsync can edit.
pub fn scan(tree: &AppTree) -> Result<Scan, Vec<ScanError>> {
    // The registry first: a folder whose builder is missing reads from it how the builder is
    // registered. Its error is reported after the folders', in file order.
    let (registry, registry_error) = match source_text(tree, REGISTRY_PATH) {
        Err(error) => (None, Some(error)),
        Ok(None) => (None, None),
        Ok(Some(text)) => match scan_registry(text) {
            Ok(registry) => (Some(registry), None),
            Err(error) => (None, Some(error)),
        },
    };
    let mut errors = Vec::new();
    let mut extensions = Vec::new();
    for folder in tree.event_folders() {
        match scan_extension(tree, folder, registry.as_ref()) {
            Ok(extension) => extensions.push(extension),
            Err(error) => errors.push(error),
        }
    }
    errors.extend(registry_error);
    let (others, dangling) = registry
        .as_ref()
        .map(|r| scan_others(tree, r))
        .unwrap_or_default();
    let package_json = tree
        .bytes(PACKAGE_JSON)
        .map(|bytes| match std::str::from_utf8(bytes) {
            Ok(text) => PackageJson::parse(text),
            Err(_) => Err(PackageJsonError::NotUtf8),
        });
    if errors.is_empty() {
        Ok(Scan {
            extensions,
            registry,
            others,
            dangling,
            package_json,
            folder_imports: imports::scan_folder_imports(tree),
            style: style::app_style(tree),
        })
    } else {
        Err(errors)
    }
}

/// The text of the TypeScript file `path`: `Ok(None)` when it does not exist.
fn source_text<'t>(tree: &'t AppTree, path: &str) -> Result<Option<&'t str>, ScanError> {
    let Some(bytes) = tree.bytes(path) else {
        return Ok(None);
    };
    let not_text = |at: usize, what| ScanError::NotText {
        path: path.to_owned(),
        line: bytes[..at].iter().filter(|b| **b == b'\n').count() + 1,
        what,
    };
    let text =
        std::str::from_utf8(bytes).map_err(|e| not_text(e.valid_up_to(), "invalid UTF-8"))?;
    match text.find('\0') {
        Some(at) => Err(not_text(at, "a NUL byte")),
        None => Ok(Some(text)),
    }
}

/// The id of the event extension a builder file's `text` defines (the file `path`), if any.
pub fn builder_id(path: &str, text: &str) -> Option<String> {
    Some(scan_builder(path, text).ok()??.id?.value)
}

fn scan_extension(
    tree: &AppTree,
    folder: &str,
    registry: Option<&Registry>,
) -> Result<EventExtension, ScanError> {
    let path = builder_path(folder);
    let builder = match source_text(tree, &path)? {
        Some(text) => scan_builder(&path, text)?,
        None => None,
    };
    // The handler is the file the builder's `source` names when that lies in this folder.
    let handler_path = builder
        .as_ref()
        .and_then(|b| b.source.as_ref())
        .and_then(event_files::source_path)
        .filter(|p| p.starts_with(&format!("{EVENTS_DIR}/{folder}/")) && tree.contains(p))
        .unwrap_or_else(|| handler_path(folder));
    let handler = match source_text(tree, &handler_path)? {
        Some(text) => {
            let facts = scan_handler(&handler_path, text)?;
            Some(Handler {
                subscription: facts.subscription,
                legacy_import: facts.legacy_import,
                legacy: facts.legacy,
                eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
                path: handler_path,
                text: text.to_owned(),
            })
        }
        None => None,
    };
    let registered_style = match (&builder, registry) {
        (None, Some(registry)) => registered_style(registry, folder),
        _ => None,
    };
    Ok(EventExtension {
        is_extension: tree.contains(&path) || handler.is_some(),
        builder_not_an_event: builder.is_none() && tree.contains(&path),
        folder: folder.to_owned(),
        files: tree
            .files_in_folder(folder)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        builder,
        handler,
        registered_style,
    })
}

/// How `registry` imports and `.use`s the builder of `folder`: as its default export, or as
/// the named export of the named convention; `None` when it does neither.
fn registered_style(registry: &Registry, folder: &str) -> Option<ExportStyle> {
    let path = builder_path(folder);
    let used = |export: Option<&str>| {
        registry
            .registration(&path, export)
            .is_some_and(|r| !r.links.is_empty())
    };
    if used(None) {
        Some(ExportStyle::Default)
    } else if used(Some(&crate::generate::named_export_name(folder))) {
        Some(ExportStyle::Named)
    } else {
        None
    }
}

/// Strips parentheses and type assertions: `(x as any)` → `x`.
pub(crate) fn unwrap_expr(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(a) => &a.expr,
            Expr::TsSatisfies(s) => &s.expr,
            Expr::TsNonNull(n) => &n.expr,
            Expr::TsTypeAssertion(a) => &a.expr,
            _ => return expr,
        }
    }
}

pub(crate) fn str_value(s: &swc_ecma_ast::Str) -> String {
    s.value.to_string_lossy().into_owned()
}
