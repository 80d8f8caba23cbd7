//! What stops a plan, and what is only worth knowing: as data, with the places they point at.
//!
//! A [`Conflict`] stops `apply` (exit 1); a forceable one (it only protects work) becomes a
//! [`Warning::Forced`] under `--force`. Entries are named by their index in the manifest,
//! files by their path relative to the app root and byte ranges. The words people read, the
//! stable codes and the code frames are made at the edge, in `crate::diagnose`.

use std::ops::Range;

use wixsync_schema::EventRef;

use crate::git::GitState;
use crate::scan::PackageJsonError;

/// A problem that stops `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// Rule 2 points one entry at several extensions (a `renamed-from` name and a pinned `id`
    /// naming different folders).
    SeveralRenameSources {
        /// The entry.
        entry: usize,
        /// The folders it points at.
        folders: Vec<String>,
    },
    /// Two entries claim one extension by `renamed-from` or `id`.
    ClaimedTwice {
        /// The claimed extension's folder.
        folder: String,
        /// The entry that holds it.
        first: usize,
        /// The entry that claims it too.
        second: usize,
    },
    /// Rule 3 finds several extensions no entry names that subscribe to the entry's event.
    AmbiguousRename {
        /// The entry.
        entry: usize,
        /// The candidate folders.
        folders: Vec<String>,
    },
    /// The entry pins an id its extension's builder does not have.
    PinnedIdDiffers {
        /// The entry.
        entry: usize,
        /// The id the manifest pins.
        pinned: String,
        /// The id the builder has.
        current: String,
    },
    /// A rename would move a file onto one that a folder left at the new name already holds.
    RenameTargetTaken {
        /// The folder renamed.
        from: String,
        /// The new folder, which exists without an extension in it.
        to: String,
        /// The file in the way.
        path: String,
    },
    /// An extension to remove whose name `src/extensions.ts` uses outside the `.use(...)` links
    /// wixsync owns: removing its import would leave those uses dangling.
    ReferencedElsewhere {
        /// The extension's folder.
        folder: String,
        /// Its local name in `src/extensions.ts`.
        local: String,
        /// The uses, as byte ranges of `src/extensions.ts`.
        places: Vec<Range<usize>>,
    },
    /// An extension to remove that other files of the app import from.
    ImportedFromOutside {
        /// The extension's folder.
        folder: String,
        /// Each importing file with the byte range of its specifier.
        importers: Vec<(String, Range<usize>)>,
    },
    /// A `renamed-from` name that matches no folder but nearly matches one that would be
    /// removed: a typo that would give the extension a new UUID.
    RenamedFromTypo {
        /// The entry.
        entry: usize,
        /// The name as written.
        name: String,
        /// The folder it nearly names.
        folder: String,
    },
    /// An entry matched by its own folder that also lists, in `renamed-from`, another
    /// existing extension no entry holds: the rename cannot happen (both folders are
    /// extensions, each with its own id), and going ahead removes `from` with its UUID.
    RenameSourceBesideTarget {
        /// The entry.
        entry: usize,
        /// The `renamed-from` folder, still an extension.
        from: String,
    },
    /// A file to delete whose content could not be recovered afterwards.
    UnrecoverableDelete {
        /// The file.
        path: String,
        /// Its extension's folder.
        folder: String,
        /// What git said: in a repository the file has changes git cannot restore; outside one
        /// (or when git failed) it is not what wixsync generates.
        git: GitState,
    },
    /// A builder without a static `id` string.
    BuilderWithoutId {
        /// The builder file.
        path: String,
    },
    /// A builder whose id is a UUID in capitals.
    IdNotLowercase {
        /// The extension's folder.
        folder: String,
        /// The builder file.
        path: String,
        /// The id literal's byte range.
        range: Range<usize>,
        /// The id in lowercase.
        lowercase: String,
    },
    /// A folder's builder file that parses but defines no event extension (no
    /// `extensions.event({...})` exported): wixsync does not write over it.
    BuilderNotAnEvent {
        /// The builder file.
        path: String,
    },
    /// A builder without a static `source` string.
    BuilderWithoutSource {
        /// The builder file.
        path: String,
        /// The `source` it should have.
        expected: String,
    },
    /// `src/extensions.ts` imports a file outside the events folder that does not exist.
    DanglingRegistration {
        /// The import's module specifier.
        specifier: String,
        /// The specifier literal's byte range in `src/extensions.ts`.
        range: Range<usize>,
    },
    /// Two extensions of the app share an id.
    DuplicateId {
        /// The id.
        id: String,
        /// The second extension's file and the id's byte range there.
        path: String,
        /// The id's byte range in `path`.
        range: Range<usize>,
        /// The first extension's file.
        first_path: String,
        /// The id's byte range in `first_path`.
        first_range: Range<usize>,
    },
    /// A manifest event already handled by an extension wixsync does not manage.
    EventHandledElsewhere {
        /// The entry.
        entry: usize,
        /// The file that defines the other extension.
        path: String,
        /// The other extension's definition, a byte range of `path`.
        range: Range<usize>,
    },
    /// A handler uses its namespace beyond the subscription, so its event cannot be switched.
    NamespaceUsedElsewhere {
        /// The entry.
        entry: usize,
        /// The handler file.
        path: String,
        /// The callee's namespace, a byte range of `path`.
        range: Range<usize>,
        /// The event it subscribes to now.
        from: EventRef,
    },
    /// A handler importing from a `@wix/<package>/events` path, which does not exist.
    LegacyEventsImport {
        /// The entry.
        entry: usize,
        /// The handler file.
        path: String,
        /// The module specifier.
        specifier: String,
        /// The specifier literal's byte range.
        range: Range<usize>,
    },
    /// A migration wixsync cannot make safely (docs/contract.md, "Editing": a shape it cannot
    /// edit safely is refused with what to change).
    MigrationRefused {
        /// The entry.
        entry: usize,
        /// The file that would change.
        path: String,
        /// Where, a byte range of `path`.
        range: Range<usize>,
        /// Why.
        why: Refusal,
    },
    /// A handler whose subscription wixsync cannot find.
    HandlerUnreadable {
        /// The entry.
        entry: usize,
        /// The handler file.
        path: String,
    },
    /// `package.json` cannot be read, so its dependencies cannot be checked or added.
    PackageJson(PackageJsonError),
}

/// Why a migration is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The `/events` function is not the manifest entry's event.
    LegacyOtherEvent {
        /// The package of the `/events` path: `crm`.
        package: String,
        /// The function called: `onContactUpdated`.
        function: String,
    },
    /// The `/events` import binds several functions.
    LegacySharedImport,
    /// The `/events` function is used besides the one call.
    LegacyUsedElsewhere {
        /// Its local name.
        local: String,
    },
    /// The namespace's name already means something else in the handler.
    LegacyNameTaken {
        /// The namespace: `contacts`.
        namespace: String,
    },
    /// The handler imports the root package without braces (`import * as crm`), so the
    /// namespace cannot be added to that import.
    LegacyRootWithoutBraces,
    /// The builder declares other names in the same `export const`.
    BuilderSharesDeclaration,
    /// The import of the builder in `src/extensions.ts` binds other names too.
    RegistrationShared,
    /// Another file imports the builder's named export.
    BuilderImportedByName {
        /// The importing file.
        importer: String,
    },
}

impl Conflict {
    /// Whether the conflict only protects work, so that `--force` may go ahead.
    pub fn forceable(&self) -> bool {
        matches!(
            self,
            Conflict::ClaimedTwice { .. }
                | Conflict::PinnedIdDiffers { .. }
                | Conflict::RenameSourceBesideTarget { .. }
                | Conflict::UnrecoverableDelete { .. }
        )
    }
}

/// Something worth knowing that does not stop `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A forceable conflict that `--force` went ahead with.
    Forced(Conflict),
    /// A folder without a builder gets a new one, with the id its builder had in `HEAD`.
    BuilderIdFromHead {
        /// The folder.
        folder: String,
        /// The id, read from `HEAD`.
        id: String,
    },
    /// A folder without a builder gets a new one, with a new id.
    NewBuilder {
        /// The folder.
        folder: String,
        /// The id the new builder gets.
        id: String,
    },
    /// `--force` gave an entry's pinned id to another entry's extension; this one keeps its own.
    PinnedIdTaken {
        /// The entry.
        entry: usize,
        /// The id it keeps.
        current: String,
        /// The folder that holds the pinned id.
        other: String,
    },
}
