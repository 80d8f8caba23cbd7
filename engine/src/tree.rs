//! The app's files that wixsync reads, held in memory.
//!
//! [`AppTree::load`] is the only place that reads the app from disk. Every later stage works on
//! the in-memory tree, which is what lets `verify` scan and plan the result of a changeset
//! before anything is written.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The folder holding one sub-folder per event extension, relative to the app root.
/// Source: docs/wix-facts.md, "Files of an event extension".
pub const EVENTS_DIR: &str = "src/extensions/backend/events";

/// The file whose default export registers every extension, relative to the app root.
/// Source: docs/wix-facts.md, "Registration in `src/extensions.ts`".
pub const REGISTRY_PATH: &str = "src/extensions.ts";

/// The endings of the source files under `src/` that wixsync reads: TypeScript for the
/// builders and handlers of other extensions, and every kind of module that may import a file
/// of an event folder.
pub const SOURCE_EXTENSIONS: [&str; 6] = ["ts", "tsx", "mts", "js", "mjs", "jsx"];

/// The app's dependencies, relative to the app root.
pub const PACKAGE_JSON: &str = "package.json";

/// The Prettier settings files wixsync reads, in the order it looks for them: the first one
/// present decides the style of new files where the app's own event files do not.
pub const PRETTIER_FILES: [&str; 4] = [
    ".prettierrc",
    ".prettierrc.json",
    ".prettierrc.yaml",
    ".prettierrc.yml",
];

/// The largest file wixsync reads, in bytes: 2 MiB. A Wix app's sources are far smaller (the
/// largest `src/extensions.ts` of a public app is a few KiB); a larger file is refused rather
/// than parsed, so that memory and time stay bounded whatever is in the folder.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Reads the file at `path` (shown as `rel`) when it is a regular file of at most `limit`
/// bytes; `Ok(None)` when nothing is there. Never follows a FIFO or a device, so a read never
/// blocks, and never reads past `limit`, so a file growing meanwhile cannot exhaust memory.
///
/// # Errors
///
/// [`LoadError::NotARegularFile`], [`LoadError::TooLarge`], or [`LoadError::Io`].
pub fn read_regular_file(path: &Path, rel: &str, limit: u64) -> Result<Option<Vec<u8>>, LoadError> {
    use std::io::Read;
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if !metadata.file_type().is_file() {
        return Err(LoadError::NotARegularFile {
            path: rel.to_owned(),
        });
    }
    let too_large = || LoadError::TooLarge {
        path: rel.to_owned(),
        limit,
    };
    if metadata.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    fs::File::open(path)
        .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(Some(bytes))
}

/// A failure to read the app.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The app root does not exist or is not a folder.
    #[error("{path} is not a folder")]
    NotADirectory {
        /// The path given as the app root.
        path: PathBuf,
    },
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A FIFO, socket or device where wixsync reads a file.
    #[error("{path} is not a regular file; wixsync reads only regular files")]
    NotARegularFile {
        /// The path, relative to the app root.
        path: String,
    },
    /// A file larger than wixsync reads.
    #[error("{path} is larger than {limit} bytes, the most wixsync reads of one file")]
    TooLarge {
        /// The path, relative to the app root.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A symbolic link where wixsync writes (the events folder, its parents, its contents,
    /// `src/extensions.ts`, `package.json`): wixsync does not follow links, so that it never
    /// writes outside the app.
    #[error(
        "{path} is a symbolic link; wixsync does not follow links where it writes \
         (src/extensions.ts, package.json, {EVENTS_DIR})"
    )]
    Symlink {
        /// The link, relative to the app root.
        path: String,
    },
}

/// The app's files wixsync reads, by path relative to the app root (`/`-separated).
///
/// Holds every file under `src/extensions/backend/events/` and every folder there (even an
/// empty one), every other TypeScript file under `src/` (`.ts`, `.tsx`; the walk skips what
/// `.gitignore` and hidden folders hide), and `package.json` and Prettier settings when
/// present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppTree {
    files: BTreeMap<String, Vec<u8>>,
    event_folders: Vec<String>,
}

impl AppTree {
    /// Reads the app at `root`.
    ///
    /// # Errors
    ///
    /// [`LoadError`] when `root` is not a folder, a file cannot be read, or a symbolic link
    /// stands inside the events folder.
    pub fn load(root: &Path) -> Result<AppTree, LoadError> {
        if !root.is_dir() {
            return Err(LoadError::NotADirectory {
                path: root.to_owned(),
            });
        }
        let io_error = |path: &Path| {
            let path = path.to_owned();
            move |source| LoadError::Io { path, source }
        };
        // wixsync writes under these paths: none of them may lead through a link.
        let mut guarded = vec![REGISTRY_PATH.to_owned(), PACKAGE_JSON.to_owned()];
        let mut prefix = String::new();
        for part in EVENTS_DIR.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            guarded.push(prefix.clone());
        }
        for rel in guarded {
            if fs::symlink_metadata(root.join(&rel)).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(LoadError::Symlink { path: rel });
            }
        }
        let mut tree = AppTree::default();
        for name in [REGISTRY_PATH, PACKAGE_JSON]
            .into_iter()
            .chain(PRETTIER_FILES)
        {
            if let Some(bytes) = read_regular_file(&root.join(name), name, MAX_FILE_BYTES)? {
                tree.files.insert(name.to_owned(), bytes);
            }
        }
        tree.read_sources(root)?;
        let events = root.join(EVENTS_DIR);
        let entries = match fs::read_dir(&events) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(tree),
            Err(e) => return Err(io_error(&events)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(&events))?;
            let file_type = entry.file_type().map_err(io_error(&entry.path()))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let rel = format!("{EVENTS_DIR}/{name}");
            if file_type.is_symlink() {
                return Err(LoadError::Symlink { path: rel });
            }
            if file_type.is_dir() {
                tree.event_folders.push(name);
                tree.read_dir_into(&entry.path(), &rel)?;
            }
        }
        tree.event_folders.sort();
        Ok(tree)
    }

    /// Reads the TypeScript files under `src/` outside the events folder: the builders and
    /// handlers of other extensions, which `scan` checks for shared ids and events.
    fn read_sources(&mut self, root: &Path) -> Result<(), LoadError> {
        let src = root.join("src");
        if !src.is_dir() {
            return Ok(());
        }
        let events = root.join(EVENTS_DIR);
        let walk = ignore::WalkBuilder::new(&src)
            .require_git(false)
            .filter_entry(move |entry| {
                entry.path() != events && entry.file_name() != "node_modules"
            })
            .build();
        for entry in walk {
            let entry = entry.map_err(|e| LoadError::Io {
                path: src.clone(),
                source: io::Error::other(e),
            })?;
            let path = entry.path();
            let is_source = path
                .extension()
                .and_then(|ext| ext.to_str())
                .is_some_and(|ext| SOURCE_EXTENSIONS.contains(&ext));
            if !is_source || !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if !self.files.contains_key(&rel)
                && let Some(bytes) = read_regular_file(path, &rel, MAX_FILE_BYTES)?
            {
                self.files.insert(rel, bytes);
            }
        }
        Ok(())
    }

    fn read_dir_into(&mut self, dir: &Path, rel: &str) -> Result<(), LoadError> {
        let io_error = |path: &Path| {
            let path = path.to_owned();
            move |source| LoadError::Io { path, source }
        };
        for entry in fs::read_dir(dir).map_err(io_error(dir))? {
            let entry = entry.map_err(io_error(dir))?;
            let file_type = entry.file_type().map_err(io_error(&entry.path()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{rel}/{name}");
            if file_type.is_symlink() {
                return Err(LoadError::Symlink { path: child });
            } else if file_type.is_dir() {
                self.read_dir_into(&entry.path(), &child)?;
            } else if let Some(bytes) = read_regular_file(&entry.path(), &child, MAX_FILE_BYTES)? {
                self.files.insert(child, bytes);
            }
        }
        Ok(())
    }

    /// A tree of the given files; folders under the events folder are derived from the paths.
    pub fn from_files<P: Into<String>, B: Into<Vec<u8>>>(
        files: impl IntoIterator<Item = (P, B)>,
    ) -> AppTree {
        let mut tree = AppTree::default();
        for (path, bytes) in files {
            tree.insert(path.into(), bytes.into());
        }
        tree
    }

    /// Adds or replaces a file, and registers its event folder if it lies in one.
    pub fn insert(&mut self, path: String, bytes: Vec<u8>) {
        if let Some(folder) = event_folder_of(&path)
            && let Err(i) = self
                .event_folders
                .binary_search_by(|f| f.as_str().cmp(folder))
        {
            self.event_folders.insert(i, folder.to_owned());
        }
        self.files.insert(path, bytes);
    }

    /// Removes a file; an event folder left empty disappears with it.
    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
        if let Some(folder) = event_folder_of(path) {
            let prefix = format!("{EVENTS_DIR}/{folder}/");
            if !self.files.keys().any(|p| p.starts_with(&prefix)) {
                self.event_folders.retain(|f| f != folder);
            }
        }
    }

    /// The bytes of a file.
    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The text of a file, if it exists and is UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.bytes(path).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Whether a file exists.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The names of the folders under the events folder, sorted.
    pub fn event_folders(&self) -> &[String] {
        &self.event_folders
    }

    /// Every file's path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The paths of every file inside the event folders, sorted.
    pub fn event_files(&self) -> Vec<&str> {
        let prefix = format!("{EVENTS_DIR}/");
        self.files
            .range(prefix.clone()..)
            .map(|(path, _)| path.as_str())
            .take_while(|path| path.starts_with(&prefix))
            .collect()
    }

    /// The paths of every file inside one event folder, sorted.
    pub fn files_in_folder(&self, folder: &str) -> Vec<&str> {
        let prefix = format!("{EVENTS_DIR}/{folder}/");
        self.files
            .range(prefix.clone()..)
            .map(|(path, _)| path.as_str())
            .take_while(|path| path.starts_with(&prefix))
            .collect()
    }
}

/// The event folder a path lies in, if any.
fn event_folder_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(EVENTS_DIR)?.strip_prefix('/')?;
    let (folder, _) = rest.split_once('/')?;
    Some(folder)
}

/// The path of an event extension's builder: `src/extensions/backend/events/<f>/<f>.extension.ts`.
pub fn builder_path(folder: &str) -> String {
    format!("{EVENTS_DIR}/{folder}/{folder}.extension.ts")
}

/// The path of an event extension's handler: `src/extensions/backend/events/<f>/<f>.ts`.
pub fn handler_path(folder: &str) -> String {
    format!("{EVENTS_DIR}/{folder}/{folder}.ts")
}

/// Where a rename of the folder `from` to `to` moves `path`, a file of `from`: files named
/// after the folder (`from.ts`, `from.extension.ts`, `from.test.ts`) take the new name, others
/// keep theirs; nested paths keep their place.
pub fn moved_path(path: &str, from: &str, to: &str) -> String {
    let old_dir = format!("{EVENTS_DIR}/{from}/");
    let rest = path.strip_prefix(&old_dir).unwrap_or(path);
    let renamed = match rest.strip_prefix(from) {
        Some(ext) if ext.starts_with('.') => format!("{to}{ext}"),
        _ => rest.to_owned(),
    };
    format!("{EVENTS_DIR}/{to}/{renamed}")
}

/// The builder's `source` for a folder: the handler's path relative to `src/`, starting with
/// `./` (docs/wix-facts.md, "Files of an event extension").
pub fn handler_source(folder: &str) -> String {
    format!("./extensions/backend/events/{folder}/{folder}.ts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_follow_files() {
        let mut tree = AppTree::from_files([
            (builder_path("b"), "x"),
            (handler_path("b"), "y"),
            (builder_path("a"), "z"),
            ("src/extensions.ts".to_owned(), "w"),
        ]);
        assert_eq!(tree.event_folders(), ["a", "b"]);
        assert_eq!(
            tree.files_in_folder("b"),
            [
                "src/extensions/backend/events/b/b.extension.ts",
                "src/extensions/backend/events/b/b.ts"
            ]
        );
        tree.remove(&builder_path("a"));
        assert_eq!(tree.event_folders(), ["b"]);
        let moved = |p: &str| moved_path(&format!("{EVENTS_DIR}/old/{p}"), "old", "new");
        assert_eq!(moved("old.ts"), format!("{EVENTS_DIR}/new/new.ts"));
        assert_eq!(
            moved("old.extension.ts"),
            format!("{EVENTS_DIR}/new/new.extension.ts")
        );
        assert_eq!(moved("helpers.ts"), format!("{EVENTS_DIR}/new/helpers.ts"));
        assert_eq!(moved("older.ts"), format!("{EVENTS_DIR}/new/older.ts"));
        assert_eq!(moved("lib/old.ts"), format!("{EVENTS_DIR}/new/lib/old.ts"));
    }
}
