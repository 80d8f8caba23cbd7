//! The SDK packages the app has installed: `node_modules/@wix/<package>`, read in the read
//! stage so that the manifest is checked against what the app's handlers compile against.
//!
//! For each package the manifest names ([`wixsync_schema::Manifest::named_packages`]) that is
//! installed, [`read_installed`] reads its root entry's declarations (`exports["."].types` of
//! its `package.json`, such as `build/es/index.d.mts`), finds the namespace packages it
//! re-exports (`export { x as contacts }` of `@wix/auto_sdk_crm_contacts`), resolves each as
//! Node does (the nearest `node_modules/<module>` from the package's real folder upward, so a
//! pnpm layout works too), and reads from each namespace's entry every exported event with its
//! webhook slug: the extraction of the catalog generator ([`dts`]), over files on disk
//! instead of an npm tarball. Every file goes through [`crate::tree::read_regular_file`]: a
//! regular file of at most [`MAX_DECLARATION_BYTES`].
//!
//! A package that cannot be read (a broken `package.json`, a missing namespace package, a
//! declaration that does not parse) is reported as unreadable, with why; the manifest is then
//! checked against the catalog for it, with a warning.

pub mod dts;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use wixsync_schema::{InstalledEvent, InstalledPackage, InstalledSdk, UnreadablePackage};

use crate::tree::{LoadError, read_regular_file};
use dts::{DtsError, PackageFiles};

/// The largest declaration file or `package.json` read from `node_modules`, in bytes: 8 MiB.
/// `@wix/auto_sdk_crm_contacts`' entry is 28 KiB; the largest entries of the SDK are a few
/// hundred KiB.
pub const MAX_DECLARATION_BYTES: u64 = 8 * 1024 * 1024;

/// Reads the installed SDK packages among `packages` (names without `@wix/`) under
/// `root/node_modules/@wix/`. A package not installed is left out; one that cannot be read
/// is in [`InstalledSdk::unreadable`] with the reason.
pub fn read_installed(root: &Path, packages: &BTreeSet<String>) -> InstalledSdk {
    let mut sdk = InstalledSdk::default();
    let real_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    for name in packages {
        let rel = format!("node_modules/@wix/{name}");
        let dir = root.join(&rel);
        if fs::symlink_metadata(&dir).is_err() {
            continue;
        }
        match read_package(&real_root, &dir, name, &rel) {
            Ok(package) => sdk.packages.push(package),
            Err(reason) => sdk.unreadable.push(UnreadablePackage {
                name: name.clone(),
                path: rel,
                reason,
            }),
        }
    }
    sdk
}

/// One installed root package and its namespaces' events, or why it cannot be read.
fn read_package(
    real_root: &Path,
    dir: &Path,
    name: &str,
    rel: &str,
) -> Result<InstalledPackage, String> {
    let root_package = Installed::open(dir, rel)?;
    let entry = root_package.types_entry()?;
    let exports = dts::namespace_exports(&root_package, &entry).map_err(|e| e.to_string())?;
    let mut events = Vec::new();
    for export in &exports.namespaces {
        let module_dir = resolve_module(&root_package.dir, &export.module).ok_or_else(|| {
            format!(
                "{rel}/{entry} re-exports {} as `{}`, but no node_modules folder above {rel} \
                 has it installed",
                export.module, export.name
            )
        })?;
        let module_rel = relative(real_root, &module_dir);
        let namespace = Installed::open(&module_dir, &module_rel)?;
        let namespace_entry = namespace.types_entry()?;
        let label = format!("{module_rel}/{namespace_entry}");
        let found = dts::events(
            &namespace
                .text(&namespace_entry)
                .map_err(|e| e.to_string())?,
            &label,
        )
        .map_err(|e| e.to_string())?;
        events.extend(found.events.into_iter().map(|event| InstalledEvent {
            namespace: export.name.clone(),
            function: event.function,
            slug: event.slug,
        }));
    }
    events.sort();
    events.dedup();
    Ok(InstalledPackage {
        name: name.to_owned(),
        version: root_package.version,
        path: rel.to_owned(),
        events,
    })
}

/// The folder of `module` as Node resolves it from a package in `from`: `<dir>/node_modules/
/// <module>` for `from` and each folder above it that is not itself a `node_modules` folder,
/// nearest first. The real path, so that a symlinked (pnpm) layout resolves from the store.
fn resolve_module(from: &Path, module: &str) -> Option<PathBuf> {
    from.ancestors()
        .filter(|dir| dir.file_name().is_none_or(|name| name != "node_modules"))
        .map(|dir| dir.join("node_modules").join(module))
        .find(|candidate| candidate.join("package.json").is_file())
        .and_then(|found| fs::canonicalize(found).ok())
}

/// `path` relative to `root` when it is inside it (`node_modules/@wix/crm`), else whole.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// An installed package: its real folder, the path messages show, and its `package.json`.
struct Installed {
    dir: PathBuf,
    rel: String,
    version: String,
    manifest: serde_json::Value,
}

impl Installed {
    fn open(dir: &Path, rel: &str) -> Result<Installed, String> {
        let real = fs::canonicalize(dir).map_err(|e| format!("{rel}: {e}"))?;
        if !real.is_dir() {
            return Err(format!("{rel} is not a folder"));
        }
        let mut package = Installed {
            dir: real,
            rel: rel.to_owned(),
            version: String::new(),
            manifest: serde_json::Value::Null,
        };
        let text = package.text("package.json").map_err(|e| e.to_string())?;
        let manifest: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("{rel}/package.json is not valid JSON: {e}"))?;
        package.version = manifest
            .get("version")
            .and_then(|v| v.as_str())
            .unwrap_or("(no version)")
            .to_owned();
        package.manifest = manifest;
        Ok(package)
    }

    /// The declaration file of the root entry: `exports["."].types` (or `.import.types`), else
    /// `types`/`typings`, as the catalog generator reads it.
    fn types_entry(&self) -> Result<String, String> {
        let root = self.manifest.get("exports").and_then(|e| e.get("."));
        let from_exports = root.and_then(|root| {
            root.get("types")
                .or_else(|| root.get("import")?.get("types"))
                .and_then(|v| v.as_str())
        });
        let entry = from_exports
            .or_else(|| self.manifest.get("types").and_then(|v| v.as_str()))
            .or_else(|| self.manifest.get("typings").and_then(|v| v.as_str()))
            .ok_or_else(|| {
                format!(
                    "{}/package.json names no types for its root entry",
                    self.rel
                )
            })?;
        Ok(entry.trim_start_matches("./").to_owned())
    }
}

impl PackageFiles for Installed {
    fn label(&self) -> String {
        self.rel.clone()
    }

    fn has(&self, path: &str) -> bool {
        self.dir.join(path.trim_start_matches("./")).is_file()
    }

    fn text(&self, path: &str) -> Result<Cow<'_, str>, DtsError> {
        let path = path.trim_start_matches("./");
        let shown = format!("{}/{path}", self.rel);
        let bytes = match read_regular_file(&self.dir.join(path), &shown, MAX_DECLARATION_BYTES) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(DtsError::File(format!("{shown} does not exist"))),
            Err(LoadError::Io { source, .. }) => {
                return Err(DtsError::File(format!("cannot read {shown}: {source}")));
            }
            Err(other) => return Err(DtsError::File(other.to_string())),
        };
        String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| DtsError::File(format!("{shown} is not UTF-8 text")))
    }
}
