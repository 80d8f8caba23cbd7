//! The edge where typed results become words: every stage's error, conflict and warning turned
//! into a [`Diagnostic`] with its stable code, message, help and code frame.
//!
//! Stages return data ([`ScanError`], [`Conflict`], [`Warning`], [`VerifyError`],
//! [`ChangesetError`], [`CommitFailure`]); nothing before this module writes a sentence for
//! people, so that every output format renders the same values. A code is stable once
//! published: tools match on it. Code frames need the text of the file they point into, which
//! is why these functions take the manifest and the app tree.

use std::ops::Range;

use wixsync_schema::{Diagnostic, Manifest, Place, Severity, SourceFile};

use crate::changeset::ChangesetError;
use crate::commit::CommitFailure;
use crate::git::GitState;
use crate::import::{ImportError, Unmappable};
use crate::plan::{Conflict, Refusal, Warning};
use crate::reconcile::{NotAnAppReason, ReconcileError, Reconciliation};
use crate::scan::{PackageJsonError, RegistryShape, ScanError};
use crate::tree::{AppTree, LoadError, PACKAGE_JSON, REGISTRY_PATH};
use crate::verify::VerifyError;
use crate::workspace::{Source as WorkspaceSource, Workspace, WorkspaceError};

/// Exit code: in sync, or applied.
pub const EXIT_OK: i32 = 0;
/// Exit code: an error; nothing was written.
pub const EXIT_ERROR: i32 = 1;
/// Exit code: changes are pending (`plan`, `apply --check`).
pub const EXIT_PENDING: i32 = 2;

/// A diagnostic pointing at `range` of the app file `path`, with a code frame when the tree
/// holds the file's text.
fn in_file(
    tree: &AppTree,
    mut diagnostic: Diagnostic,
    path: &str,
    range: &Range<usize>,
) -> Diagnostic {
    if let Some(text) = tree.text(path) {
        diagnostic = diagnostic.in_source(&SourceFile::new(path, text)).label(
            range.start,
            range.end - range.start,
            "here",
        );
    }
    diagnostic
}

/// `path:LINE:COL` of `offset` in the app file `path`.
fn place(tree: &AppTree, path: &str, offset: usize) -> (usize, usize) {
    SourceFile::new(path, tree.text(path).unwrap_or_default()).line_col(offset)
}

/// A diagnostic pointing at manifest places.
fn in_manifest(
    manifest: &Manifest,
    mut diagnostic: Diagnostic,
    places: &[(Place, &str)],
) -> Diagnostic {
    if !places.is_empty() {
        diagnostic = diagnostic.in_source(&manifest.source);
        for (place, text) in places {
            diagnostic = diagnostic.label(place.offset, place.len, *text);
        }
    }
    diagnostic
}

fn backticked(folders: &[String], joint: &str) -> String {
    folders
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(joint)
}

/// The stable code of a conflict.
pub fn conflict_code(conflict: &Conflict) -> &'static str {
    match conflict {
        Conflict::SeveralRenameSources { .. } => "plan::several-rename-sources",
        Conflict::ClaimedTwice { .. } => "plan::claimed-twice",
        Conflict::AmbiguousRename { .. } => "plan::ambiguous-rename",
        Conflict::PinnedIdDiffers { .. } => "plan::pinned-id-differs",
        Conflict::UnrecoverableDelete { .. } => "plan::unrecoverable-delete",
        Conflict::RenameTargetTaken { .. } => "plan::rename-target-taken",
        Conflict::ReferencedElsewhere { .. } => "plan::referenced-elsewhere",
        Conflict::ImportedFromOutside { .. } => "plan::imported-from-outside",
        Conflict::RenamedFromTypo { .. } => "plan::renamed-from-typo",
        Conflict::RenameSourceBesideTarget { .. } => "plan::rename-source-beside-target",
        Conflict::BuilderWithoutId { .. } => "app::builder-without-id",
        Conflict::IdNotLowercase { .. } => "app::id-not-lowercase",
        Conflict::BuilderWithoutSource { .. } => "app::builder-without-source",
        Conflict::BuilderNotAnEvent { .. } => "app::builder-not-an-event",
        Conflict::DanglingRegistration { .. } => "app::dangling-registration",
        Conflict::DuplicateId { .. } => "app::duplicate-id",
        Conflict::EventHandledElsewhere { .. } => "app::event-handled-elsewhere",
        Conflict::NamespaceUsedElsewhere { .. } => "app::namespace-used-elsewhere",
        Conflict::LegacyEventsImport { .. } => "app::legacy-events-import",
        Conflict::MigrationRefused { .. } => "app::migration-refused",
        Conflict::HandlerUnreadable { .. } => "app::handler-unreadable",
        Conflict::PackageJson(_) => "package-json::invalid",
    }
}

/// A conflict as people read it.
pub fn conflict(conflict: &Conflict, manifest: &Manifest, tree: &AppTree) -> Diagnostic {
    let entries = &manifest.entries;
    let error = |message: String, help: String| {
        Diagnostic::error(conflict_code(conflict), message).help(help)
    };
    match conflict {
        Conflict::SeveralRenameSources { entry, folders } => {
            let entry = &entries[*entry];
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` matches several existing extensions: {}",
                        entry.folder,
                        backticked(folders, " and ")
                    ),
                    "keep one way of naming its extension: a `renamed-from` name or an `id`, not \
                     two that point at different folders"
                        .to_owned(),
                ),
                &[(entry.key_place, "this entry")],
            )
        }
        Conflict::ClaimedTwice {
            folder,
            first,
            second,
        } => {
            let (first, second) = (&entries[*first], &entries[*second]);
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` and `{}` both claim the existing extension `{folder}`",
                        first.folder, second.folder
                    ),
                    "an extension belongs to one entry: remove the `renamed-from` name or pinned \
                     `id` from one of them (with --force the first entry keeps it and the second \
                     is created)"
                        .to_owned(),
                ),
                &[
                    (second.key_place, "claims it here"),
                    (first.key_place, "and here"),
                ],
            )
        }
        Conflict::AmbiguousRename { entry, folders } => {
            let entry = &entries[*entry];
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` could be a rename of {}: all subscribe to {}",
                        entry.folder,
                        backticked(folders, " or "),
                        entry.event
                    ),
                    format!(
                        "say which one it is with `renamed-from: [<folder>]` on `{}`, or give the \
                         others entries of their own; the ones no entry names are removed",
                        entry.folder
                    ),
                ),
                &[(entry.key_place, "this entry")],
            )
        }
        Conflict::PinnedIdDiffers {
            entry,
            pinned,
            current,
        } => {
            let entry = &entries[*entry];
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` pins id {pinned}, but its builder has {current}",
                        entry.folder
                    ),
                    "changing an extension's id makes Wix see a new component and orphans the old \
                     one: remove the pin to keep the current id, or run with --force to change it"
                        .to_owned(),
                ),
                &[(entry.id_place.unwrap_or(entry.key_place), "pinned here")],
            )
        }
        Conflict::UnrecoverableDelete { path, folder, git } => {
            let message = match git {
                GitState::Repository { .. } => format!(
                    "{path} would be deleted, but it has changes git cannot restore \
                     (uncommitted, or not tracked)"
                ),
                GitState::NoRepository => format!(
                    "{path} would be deleted, but it is not what wixsync generates and this app \
                     is not in a git repository"
                ),
                GitState::Failed(reason) => format!(
                    "{path} would be deleted, but it is not what wixsync generates, and git \
                     could not say whether it can restore it: {reason}"
                ),
            };
            error(
                message,
                format!(
                    "commit the file first, add `{folder}` back to the manifest to keep it, or run \
                     with --force to delete it anyway"
                ),
            )
        }
        Conflict::RenameTargetTaken { from, to, path } => error(
            format!(
                "renaming `{from}` to `{to}` would overwrite {path}, which the folder `{to}` \
                 already holds"
            ),
            format!(
                "`{to}` exists without an extension in it (left behind by a branch switch or an \
                 interrupted run?): move {path} out of the way, then run wixsync again"
            ),
        ),
        Conflict::ReferencedElsewhere {
            folder,
            local,
            places,
        } => {
            let at: Vec<String> = places
                .iter()
                .map(|r| {
                    let (line, col) = place(tree, REGISTRY_PATH, r.start);
                    format!("{REGISTRY_PATH}:{line}:{col}")
                })
                .collect();
            let mut diagnostic = error(
                format!(
                    "`{folder}` cannot be removed: src/extensions.ts uses `{local}` outside the \
                     `app()` chain, at {}",
                    at.join(", ")
                ),
                format!(
                    "removing its import would leave `{local}` undefined when Wix loads the \
                     file: take those uses out by hand (wixsync removes only the import and the \
                     `.use(...)` it owns), or keep `{folder}` in the manifest"
                ),
            );
            if let Some(text) = tree.text(REGISTRY_PATH) {
                diagnostic = diagnostic.in_source(&SourceFile::new(REGISTRY_PATH, text));
                for r in places {
                    diagnostic = diagnostic.label(r.start, r.end - r.start, "used here");
                }
            }
            diagnostic
        }
        Conflict::RenamedFromTypo {
            entry,
            name,
            folder,
        } => {
            let entry = &entries[*entry];
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` is renamed from `{name}`, but no folder has that name; did you mean \
                         `{folder}`?",
                        entry.folder
                    ),
                    format!(
                        "as written, `{}` would be created with a new UUID and `{folder}` removed \
                         with its UUID: write `renamed-from: [{folder}]` to keep it",
                        entry.folder
                    ),
                ),
                &[(entry.key_place, "this entry")],
            )
        }
        Conflict::RenameSourceBesideTarget { entry, from } => {
            let entry = &entries[*entry];
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` is renamed from `{from}`, but both folders are extensions, each with \
                         its own id",
                        entry.folder
                    ),
                    format!(
                        "a rename cannot merge two extensions: `{}` keeps its id, and `{from}` \
                         would be removed with its UUID. Keep `{from}` by giving it an entry of \
                         its own; or, if `{}` should carry `{from}`'s id, delete the `{}` folder \
                         and run again; or pass --force to remove `{from}`",
                        entry.folder, entry.folder, entry.folder
                    ),
                ),
                &[(entry.key_place, "this entry")],
            )
        }
        Conflict::ImportedFromOutside { folder, importers } => {
            let at: Vec<String> = importers
                .iter()
                .map(|(path, range)| {
                    let (line, col) = place(tree, path, range.start);
                    format!("{path}:{line}:{col}")
                })
                .collect();
            let (first, range) = &importers[0];
            in_file(
                tree,
                error(
                    format!(
                        "`{folder}` cannot be removed: other files import from it: {}",
                        at.join(", ")
                    ),
                    format!(
                        "removing the folder would break those imports: move what they use out \
                         of `{folder}` first, or keep `{folder}` in the manifest"
                    ),
                ),
                first,
                range,
            )
        }
        Conflict::BuilderWithoutId { path } => in_file(
            tree,
            error(
                format!("{path} has no `id` string"),
                "give its `extensions.event({...})` a static `id: '<lowercase uuid>'`; if it was \
                 deployed before, use the id Wix knows it by"
                    .to_owned(),
            ),
            path,
            &(0..0),
        ),
        Conflict::IdNotLowercase {
            folder,
            path,
            range,
            lowercase,
        } => in_file(
            tree,
            error(
                format!("the id of `{folder}` is not a lowercase UUID"),
                format!("write it as `{lowercase}`"),
            ),
            path,
            range,
        ),
        Conflict::BuilderNotAnEvent { path } => in_file(
            tree,
            error(
                format!(
                    "{path} does not define an event extension, and wixsync does not write over it"
                ),
                "a builder exports `extensions.event({ id, source })` from \
                 '@wix/astro/builders' (as `export default` or `export const <name> =`): fix \
                 the file, or delete it to have wixsync write a new one (with a new id)"
                    .to_owned(),
            ),
            path,
            &(0..0),
        ),
        Conflict::BuilderWithoutSource { path, expected } => in_file(
            tree,
            error(
                format!("{path} has no `source` string"),
                format!("add `source: '{expected}'` to its `extensions.event({{...}})`"),
            ),
            path,
            &(0..0),
        ),
        Conflict::DanglingRegistration { specifier, range } => in_file(
            tree,
            error(
                format!("src/extensions.ts imports {specifier}, which does not exist"),
                "restore the file, or remove the import and its `.use(...)`; wixsync edits \
                 registrations of event extensions only"
                    .to_owned(),
            ),
            REGISTRY_PATH,
            range,
        ),
        Conflict::DuplicateId {
            id,
            path,
            range,
            first_path,
            first_range,
        } => {
            let (line, col) = place(tree, first_path, first_range.start);
            in_file(
                tree,
                error(
                    format!("two extensions share the id {id}"),
                    format!(
                        "the other is at {first_path}:{line}:{col}; Wix keeps one of them and \
                         silently drops the other's data: give the one Wix does not know yet a new \
                         UUID; in an event extension of the manifest, an id of \
                         `{{{{GENERATE_UUID}}}}` makes `wixsync apply` draw one"
                    ),
                ),
                path,
                range,
            )
        }
        Conflict::EventHandledElsewhere { entry, path, range } => {
            let entry = &entries[*entry];
            let (line, col) = place(tree, path, range.start);
            in_manifest(
                manifest,
                error(
                    format!(
                        "`{}` would be a second handler for {}{}: {path}:{line}:{col} handles it \
                         already",
                        entry.folder,
                        entry.event,
                        entry
                            .registered_slug
                            .as_deref()
                            .map_or_else(String::new, |s| format!(" (webhook {s})"))
                    ),
                    format!(
                        "Wix delivers an event to one handler per app: remove this entry, or move \
                         the extension at {path}:{line} into src/extensions/backend/events/{}/ so \
                         wixsync manages it",
                        entry.folder
                    ),
                ),
                &[(entry.event_place, "declared here")],
            )
        }
        Conflict::NamespaceUsedElsewhere {
            entry,
            path,
            range,
            from,
        } => {
            let event = &entries[*entry].event;
            in_file(
                tree,
                error(
                    format!(
                        "{path} uses `{}` beyond its subscription, so wixsync cannot switch it to \
                         {event} safely",
                        from.namespace
                    ),
                    format!(
                        "change the handler by hand: import `{{ {} }}` from '{}' and subscribe \
                         with `{}.{}(...)`, and keep what else it needs from '{}'; then run \
                         wixsync again",
                        event.namespace,
                        event.npm_package(),
                        event.namespace,
                        event.function,
                        from.npm_package()
                    ),
                ),
                path,
                range,
            )
        }
        Conflict::LegacyEventsImport {
            entry,
            path,
            specifier,
            range,
        } => {
            let event = &entries[*entry].event;
            in_file(
                tree,
                error(
                    format!("{path} imports from '{specifier}', which does not exist"),
                    format!(
                        "older docs show `/events` paths; the SDK exports each event from its \
                         namespace: `import {{ {} }} from '{}'` and `export default {}.{}(async \
                         (event) => {{ ... }})`; change the handler, then run wixsync again",
                        event.namespace,
                        event.npm_package(),
                        event.namespace,
                        event.function
                    ),
                ),
                path,
                range,
            )
        }
        Conflict::MigrationRefused {
            entry,
            path,
            range,
            why,
        } => {
            let entry = &entries[*entry];
            let event = &entry.event;
            let folder = &entry.folder;
            let (message, help) = match why {
                Refusal::LegacyOtherEvent { package, function } => (
                    format!(
                        "{path} calls `{function}` from '@wix/{package}/events', but the manifest \
                         entry `{folder}` says {event}"
                    ),
                    format!(
                        "wixsync rewrites an `/events` handler only to its own entry's event: \
                         write the entry as `{folder}: {package}.<namespace>.{function}` (see \
                         `wixsync events --package {package}`), or change the handler to \
                         `import {{ {} }} from '{}'` and `export default {}.{}(...)`",
                        event.namespace,
                        event.npm_package(),
                        event.namespace,
                        event.function
                    ),
                ),
                Refusal::LegacySharedImport => (
                    format!("{path} imports several functions from one `/events` path"),
                    "a handler subscribes to one event: keep the function of this folder's \
                     event in the import, move the others to handlers of their own, then run \
                     wixsync again"
                        .to_owned(),
                ),
                Refusal::LegacyUsedElsewhere { local } => (
                    format!("{path} uses `{local}` besides the one subscription call"),
                    format!(
                        "wixsync rewrites a single `{local}(...)` call; make that call the only \
                         use of `{local}`, or change the handler to `export default {}.{}(...)` \
                         from '{}' yourself",
                        event.namespace,
                        event.function,
                        event.npm_package()
                    ),
                ),
                Refusal::LegacyNameTaken { namespace } => (
                    format!(
                        "{path} already uses the name `{namespace}`, which the rewritten \
                         subscription needs for the namespace"
                    ),
                    format!("rename your own `{namespace}` in the handler, then run wixsync again"),
                ),
                Refusal::LegacyRootWithoutBraces => (
                    format!(
                        "{path} imports '{}' without braces, so `{}` cannot join that import",
                        event.npm_package(),
                        event.namespace
                    ),
                    format!(
                        "add `{}` to a braced import of '{}' (`import {{ {} }} from '{}'`), \
                         then run wixsync again",
                        event.namespace,
                        event.npm_package(),
                        event.namespace,
                        event.npm_package()
                    ),
                ),
                Refusal::BuilderSharesDeclaration => (
                    format!("{path} declares the builder together with other names"),
                    "give the builder an `export const` of its own, then run wixsync again to \
                     convert its export style"
                        .to_owned(),
                ),
                Refusal::RegistrationShared => (
                    format!(
                        "src/extensions.ts imports the builder of `{folder}` together with \
                         other names"
                    ),
                    "import the builder in an import of its own, then run wixsync again to \
                     convert its export style"
                        .to_owned(),
                ),
                Refusal::BuilderImportedByName { importer } => (
                    format!(
                        "{importer} imports the builder of `{folder}` by its export name, which \
                         converting it to a default export would break"
                    ),
                    format!(
                        "import the builder from src/extensions.ts's registration instead, or \
                         keep `export-style` out of wix-events.yaml; the import is at {importer}"
                    ),
                ),
            };
            in_file(tree, error(message, help), path, range)
        }
        Conflict::HandlerUnreadable { entry, path } => {
            let entry = &entries[*entry];
            in_manifest(
                manifest,
                error(
                    format!("{path} does not subscribe to an event in a shape wixsync can read"),
                    format!(
                        "make the handler `export default <namespace>.<onEvent>(async (event) => \
                         {{ ... }})` with the namespace imported from '@wix/<package>' (for this \
                         entry: `import {{ {} }} from '{}'`), then run wixsync again",
                        entry.event.namespace,
                        entry.event.npm_package()
                    ),
                ),
                &[(entry.event_place, "the manifest's event")],
            )
        }
        Conflict::PackageJson(package_error) => {
            let offset = match package_error {
                PackageJsonError::Syntax { offset, .. }
                | PackageJsonError::DependenciesNotAnObject { offset, .. } => *offset,
                PackageJsonError::NotAnObject { .. } | PackageJsonError::NotUtf8 => 0,
            };
            in_file(
                tree,
                error(
                    package_error.to_string(),
                    "npm cannot read it either: make package.json a JSON object whose \
                     `dependencies` is an object (wixsync adds the `@wix/*` packages handlers \
                     import there), then run wixsync again"
                        .to_owned(),
                ),
                PACKAGE_JSON,
                &(offset..offset),
            )
        }
    }
}

/// A warning as people read it.
pub fn warning(warning: &Warning, manifest: &Manifest, tree: &AppTree) -> Diagnostic {
    match warning {
        Warning::Forced(forced) => {
            let mut diagnostic = conflict(forced, manifest, tree);
            diagnostic.severity = Severity::Warning;
            diagnostic.help = Some("going ahead because of --force".to_owned());
            diagnostic
        }
        Warning::BuilderIdFromHead { folder, id } => Diagnostic::warning(
            "plan::builder-id-from-head",
            format!(
                "{folder} has no builder: a new one gets id {id}, the id its builder has in git's \
                 HEAD, so Wix keeps seeing the same component"
            ),
        )
        .help("to restore the whole file instead, run `git checkout HEAD -- <path>`"),
        Warning::NewBuilder { folder, id } => Diagnostic::warning(
            "plan::new-builder",
            format!(
                "{folder} has no builder: a new one gets id {id}, and if this extension was \
                 deployed, Wix sees a new component"
            ),
        )
        .help(
            "if the builder was deleted by mistake, restore it (`git checkout -- <path>`) to keep \
             its id, or pin that id with `id:` in the manifest",
        ),
        Warning::PinnedIdTaken {
            entry,
            current,
            other,
        } => {
            let entry = &manifest.entries[*entry];
            let place = entry.id_place.unwrap_or(entry.key_place);
            Diagnostic::warning(
                "plan::pinned-id-taken",
                format!(
                    "`{}` keeps id {current}: its pinned id belongs to `{other}`",
                    entry.folder
                ),
            )
            .in_source(&manifest.source)
            .label(place.offset, place.len, "pinned here")
            .help("remove the pin, or pin the id this extension has")
        }
    }
}

/// Every warning and conflict of a reconciliation, in the order they are shown: the
/// manifest's warnings, the plan's warnings, then the conflicts.
pub fn reconciliation(reconciliation: &Reconciliation) -> Vec<Diagnostic> {
    let Reconciliation {
        manifest,
        tree,
        plan,
        ..
    } = reconciliation;
    manifest
        .warnings
        .iter()
        .cloned()
        .chain(plan.warnings.iter().map(|w| warning(w, manifest, tree)))
        .chain(plan.conflicts.iter().map(|c| conflict(c, manifest, tree)))
        .collect()
}

/// A file the scan could not read.
pub fn scan_error(error: &ScanError, tree: &AppTree) -> Diagnostic {
    match error {
        ScanError::Syntax(parse) => in_file(
            tree,
            Diagnostic::error("typescript::syntax", parse.to_string()).help(
                "fix the syntax error (`npx tsc --noEmit` shows the same place); wixsync edits \
                 only files that parse",
            ),
            &parse.path,
            &parse.range,
        ),
        ScanError::NotText { path, line, what } => Diagnostic::error(
            "typescript::encoding",
            format!("{path}:{line} is not text: it holds {what}"),
        )
        .help("save the file as UTF-8 text; TypeScript sources are UTF-8 and hold no NUL bytes"),
        ScanError::Registry { shape, range } => {
            let text = tree.text(REGISTRY_PATH).unwrap_or_default();
            let (message, help) = match shape {
                RegistryShape::DeclarationExported => (
                    "the default export of src/extensions.ts is a declaration, not an `app()` chain"
                        .to_owned(),
                    "export the app builder: `export default app().use(...)`",
                ),
                RegistryShape::NoDefaultExport => {
                    return Diagnostic::error(
                        "registry::no-default-export",
                        "src/extensions.ts has no default export",
                    )
                    .in_source(&SourceFile::new(REGISTRY_PATH, text))
                    .help(
                        "@wix/astro takes the default export of src/extensions.ts: end it with \
                         `export default app().use(...)`",
                    );
                }
                RegistryShape::ExportedNameNotAChain => (
                    format!(
                        "the default export of src/extensions.ts, `{}`, is not a `const` holding \
                         an `app()` chain",
                        text.get(range.clone()).unwrap_or_default()
                    ),
                    "export the app builder: `export default app().use(...)`, or `const builder = \
                     app().use(...);` followed by `export default builder;`",
                ),
                RegistryShape::NotAChain => (
                    "the default export of src/extensions.ts is not an `app()` chain".to_owned(),
                    "wixsync edits `export default app().use(a).use(b)`: write the default export \
                     in that shape, then run wixsync again",
                ),
                RegistryShape::Spread => (
                    "src/extensions.ts registers extensions by a spread".to_owned(),
                    "list each extension in its own `.use(name)` link, then run wixsync again",
                ),
                RegistryShape::UseOutsideChain => (
                    "src/extensions.ts registers extensions outside the exported `app()` chain"
                        .to_owned(),
                    "wixsync can only extend one `export default app().use(a).use(b)` chain: move \
                     every `.use(...)` into that chain, then run wixsync again",
                ),
                RegistryShape::DuplicateImport => (
                    format!(
                        "src/extensions.ts binds `{}` twice",
                        text.get(range.clone()).unwrap_or_default()
                    ),
                    "TypeScript rejects a name that two imports bind (\"Duplicate identifier\"), \
                     and wixsync cannot tell which file a `.use(...)` of it registers: remove one of \
                     the two imports or give one another name, then run wixsync again",
                ),
            };
            in_file(
                tree,
                Diagnostic::error("registry::shape", message).help(help),
                REGISTRY_PATH,
                range,
            )
        }
    }
}

fn bug(code: &'static str, message: String) -> Diagnostic {
    Diagnostic::error(code, message).help(
        "this is a bug in wixsync, and nothing was written; please report it with the manifest \
         and the files named",
    )
}

/// A changeset that failed verification: a bug in wixsync.
pub fn verify_error(error: &VerifyError) -> Diagnostic {
    bug("verify::bug", error.to_string())
}

/// A changeset that could not be built: a bug in wixsync.
pub fn changeset_error(error: &ChangesetError) -> Diagnostic {
    bug("changeset::bug", error.to_string())
}

/// Why reconciling stopped, as diagnostics.
pub fn reconcile_error(error: &ReconcileError) -> Vec<Diagnostic> {
    match error {
        ReconcileError::NotAnApp { name, reason } => {
            let (message, help) = match reason {
                NotAnAppReason::IsAFile => (
                    format!("{name} is a file, not an app folder"),
                    "DIR is the app root, the folder holding src/ and wix-events.yaml; to use \
                     another manifest file, name it with --manifest",
                ),
                NotAnAppReason::Missing => (
                    format!("{name} does not exist"),
                    "DIR is the app root, the folder holding src/ and wix-events.yaml",
                ),
                NotAnAppReason::NoWixApp => (
                    format!(
                        "{name} is not a Wix app: it has no wix-events.yaml, and neither its \
                         package.json nor an astro.config.* uses @wix/astro"
                    ),
                    "pass the app root (the folder holding src/ and package.json) as DIR; to \
                     start using wixsync in an app, create its wix-events.yaml there",
                ),
            };
            vec![Diagnostic::error("app::not-an-app", message).help(help)]
        }
        ReconcileError::NoManifestFound => vec![
            Diagnostic::error(
                "manifest::not-found",
                "no wix-events.yaml in this folder or any folder above it",
            )
            .help(
                "run wixsync in a Wix app that has a wix-events.yaml, pass the app root as DIR, \
                 or name the manifest with --manifest",
            ),
        ],
        ReconcileError::Manifest(diagnostics) => diagnostics.clone(),
        ReconcileError::Load(load) => {
            vec![Diagnostic::error("app::read", load.to_string()).help(load_help(load))]
        }
        ReconcileError::Scan { errors, tree } => {
            errors.iter().map(|e| scan_error(e, tree)).collect()
        }
        ReconcileError::Journal(diagnostic) => vec![diagnostic.clone()],
        ReconcileError::Changeset(error) => vec![changeset_error(error)],
        ReconcileError::Verify(errors) => errors.iter().map(verify_error).collect(),
    }
}

/// What to do about a file or folder the app could not be read from.
fn load_help(load: &LoadError) -> String {
    match load {
        LoadError::NotADirectory { .. } => "run wixsync from the app root (the folder holding \
             src/ and wix-events.yaml), or pass it as DIR"
            .to_owned(),
        LoadError::Io { .. } => "check that the file exists and that you may read it, then run \
             wixsync again"
            .to_owned(),
        LoadError::NotARegularFile { path } => format!(
            "replace {path} with a plain file (it is a pipe, socket or device, which wixsync \
             does not read, so that a run can never block)"
        ),
        LoadError::TooLarge { path, .. } => format!(
            "{path} is far larger than any file of a Wix app's event extensions: check it is \
             the file you mean, or move it out of the app's src/"
        ),
        LoadError::Symlink { path } => format!(
            "replace the link {path} with a copy of the folder or file it points to (or move \
             that into the app and remove the link), so that every write stays inside the app"
        ),
    }
}

/// A commit that failed, with what it rolled back.
pub fn commit_failure(failure: &CommitFailure) -> Diagnostic {
    Diagnostic::error("commit::io", failure.error.to_string()).help(format!(
        "{}; {}",
        failure.error.help(),
        failure.outcome_text()
    ))
}

/// Why the apps of a `--workspace` run cannot be found.
pub fn workspace_error(error: &WorkspaceError) -> Diagnostic {
    let shown = |path: &std::path::Path| {
        let text = path.display().to_string();
        text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
    };
    match error {
        WorkspaceError::NotAFolder(path) => Diagnostic::error(
            "workspace::not-a-folder",
            format!("{} is not a folder", shown(path)),
        )
        .help("with --workspace, DIR is the monorepo's root: the folder holding its package.json"),
        WorkspaceError::Config {
            file,
            line,
            message,
        } => {
            let place = match line {
                Some(line) => format!("{}:{line}", shown(file)),
                None => shown(file),
            };
            Diagnostic::error(
                "workspace::config",
                format!("cannot read the workspace globs of {place}: {message}"),
            )
            .help(
                "package.json `workspaces` is an array of globs (`[\"apps/*\"]`) or an object \
                 with a `packages` array; pnpm-workspace.yaml has `packages:` with a list of \
                 globs. A glob starting with `!` excludes folders",
            )
        }
        WorkspaceError::Glob {
            file,
            pattern,
            message,
        } => Diagnostic::error(
            "workspace::glob",
            format!(
                "{} names the workspace glob {pattern:?}, which is not a glob: {message}",
                shown(file)
            ),
        )
        .help("fix the glob: `*` matches within one folder name, `**` any number of folders"),
        WorkspaceError::Walk { path, message } => Diagnostic::error(
            "workspace::walk",
            format!("cannot look for apps under {}: {message}", shown(path)),
        )
        .help("check the folders' permissions"),
    }
}

/// A `--workspace` run that found no app to work on.
pub fn no_apps(workspace: &Workspace) -> Diagnostic {
    let root = workspace.root.display().to_string();
    let root = root.strip_prefix("./").unwrap_or(&root);
    let (message, help) = match workspace.source {
        WorkspaceSource::Walk => (
            format!(
                "no app under {root}: no folder below it holds a wix-events.yaml (node_modules, \
                 hidden and git-ignored folders are not searched)"
            ),
            "run wixsync --workspace at the monorepo's root, or give that root as DIR".to_owned(),
        ),
        WorkspaceSource::Pnpm | WorkspaceSource::PackageJson => {
            let file = if workspace.source == WorkspaceSource::Pnpm {
                crate::workspace::PNPM_WORKSPACE
            } else {
                "package.json"
            };
            (
                format!(
                    "no app under {root}: no folder its {file} globs match holds a wix-events.yaml"
                ),
                format!(
                    "add the apps' folders to the globs of {file}, or give each app a \
                     wix-events.yaml"
                ),
            )
        }
    };
    Diagnostic::error("workspace::no-apps", message).help(help)
}

/// A diagnostic pointing at `range` of the app file `path` with the label `label`.
fn at(
    tree: &AppTree,
    diagnostic: Diagnostic,
    path: &str,
    range: &Range<usize>,
    label: &str,
) -> Diagnostic {
    match tree.text(path) {
        Some(text) => diagnostic.in_source(&SourceFile::new(path, text)).label(
            range.start,
            range.end - range.start,
            label,
        ),
        None => diagnostic,
    }
}

/// An import that wrote nothing, as diagnostics: every extension it cannot map, each at its
/// `file:line:col`, or the one error that stopped it.
pub fn import_error(error: &ImportError) -> Vec<Diagnostic> {
    match error {
        ImportError::App(error) => reconcile_error(error),
        ImportError::ManifestExists { path } => vec![
            Diagnostic::error(
                "import::manifest-exists",
                format!("{path} already exists: this app already uses wixsync"),
            )
            .help(
                "`wixsync apply --check` shows how the app differs from it; to replace it with \
                 one written from the app's event extensions, run `wixsync import --force`",
            ),
        ],
        ImportError::Write(failure) => vec![commit_failure(failure)],
        ImportError::Unmappable { problems, tree } => problems
            .iter()
            .map(|problem| unmappable(problem, tree))
            .collect(),
    }
}

fn unmappable(problem: &Unmappable, tree: &AppTree) -> Diagnostic {
    match problem {
        Unmappable::UnknownEvent {
            folder,
            path,
            range,
            event,
            near,
        } => {
            let help = match near {
                Some(near) => format!(
                    "did you mean `{near}`? Fix the handler's subscription, then run `wixsync \
                     import` again (`wixsync events --package {}` lists the package's events)",
                    event.package
                ),
                None => format!(
                    "check the handler's import and subscription (`wixsync events` lists every \
                     event); if the SDK has this event and wixsync's catalog lags, write the \
                     manifest by hand with `unknown-events: allow` and `{folder}: {event}`"
                ),
            };
            at(
                tree,
                Diagnostic::error(
                    "import::unknown-event",
                    format!(
                        "the handler of `{folder}` subscribes to `{event}`, which is not a Wix \
                         SDK event wixsync knows"
                    ),
                )
                .help(help),
                path,
                range,
                "this event",
            )
        }
        Unmappable::SharedSlug { slug, handlers } => {
            let folders: Vec<String> = handlers.iter().map(|h| h.0.clone()).collect();
            let events: Vec<String> = handlers.iter().map(|h| format!("`{}`", h.3)).collect();
            let (_, first_path, first_range, _) = &handlers[0];
            let mut d = at(
                tree,
                Diagnostic::error(
                    "import::shared-slug",
                    format!(
                        "{} handle one webhook, `{slug}` ({}): Wix delivers it to one handler \
                         per app",
                        backticked(&folders, " and "),
                        events.join(", ")
                    ),
                ),
                first_path,
                first_range,
                "handled here",
            )
            .help(format!(
                "keep one of these extensions (merge the handlers' code into it) and delete the \
                 other folders and their registrations in src/extensions.ts, then run `wixsync \
                 import` again; the others are at {}",
                handlers[1..]
                    .iter()
                    .map(|(_, path, range, _)| {
                        let (line, col) = place(tree, path, range.start);
                        format!("{path}:{line}:{col}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            // Labels point into one file only; the others are named in the help.
            d.labels.truncate(1);
            d
        }
        Unmappable::NoSubscription {
            folder,
            path,
            range,
            missing_handler: true,
        } => at(
            tree,
            Diagnostic::error(
                "import::no-handler",
                format!("the event extension `{folder}` has no handler file"),
            )
            .help(format!(
                "the builder's `source` names a file that does not exist: restore the handler \
                 (`{}`), or delete the folder and its registration, then run `wixsync import` \
                 again",
                crate::tree::handler_path(folder)
            )),
            path,
            range,
            "this source",
        ),
        Unmappable::NoSubscription { folder, path, .. } => at(
            tree,
            Diagnostic::error(
                "import::no-subscription",
                format!(
                    "the handler of `{folder}` makes no SDK event subscription wixsync recognises"
                ),
            )
            .help(
                "a handler default-exports one subscription, `import { contacts } from \
                 '@wix/crm'` and `export default contacts.onContactCreated(async (event) => \
                 {...})`: write it so, or delete the folder and its registration, then run \
                 `wixsync import` again",
            ),
            path,
            &(0..0),
            "in this file",
        ),
        Unmappable::LegacyEvent {
            folder,
            path,
            range,
            package,
            function,
            candidates,
        } => {
            let (message, help) = if candidates.is_empty() {
                (
                    format!(
                        "the handler of `{folder}` calls `{function}` from `@wix/{package}/events`, \
                         but no namespace of @wix/{package} has that event"
                    ),
                    format!(
                        "check the function's name (`wixsync events --package {package}` lists \
                         the package's events), then run `wixsync import` again"
                    ),
                )
            } else {
                (
                    format!(
                        "the handler of `{folder}` calls `{function}` from `@wix/{package}/events`, \
                         which {} namespaces of @wix/{package} have",
                        candidates.len()
                    ),
                    format!(
                        "wixsync does not guess which one: rewrite the handler as `import {{ \
                         <namespace> }} from '@wix/{package}'` and `export default \
                         <namespace>.{function}(...)`, or write the manifest by hand with one of \
                         {}",
                        candidates
                            .iter()
                            .map(|c| format!("`{folder}: {c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            };
            at(
                tree,
                Diagnostic::error("import::legacy-event", message).help(help),
                path,
                range,
                "this call",
            )
        }
        Unmappable::FolderName {
            folder,
            path,
            suggestion,
        } => {
            let rename = match suggestion {
                Some(name) => format!("rename the folder to `{name}`"),
                None => "rename the folder".to_owned(),
            };
            at(
                tree,
                Diagnostic::error(
                    "import::folder-name",
                    format!(
                        "the event folder `{folder}` cannot be a manifest key: folder names are \
                         lowercase words of letters and digits joined by hyphens, starting with \
                         a letter"
                    ),
                )
                .help(format!(
                    "{rename} (and its files, the builder's `source` and the import in \
                     src/extensions.ts), then run `wixsync import` again"
                )),
                path,
                &(0..0),
                "in this folder",
            )
        }
    }
}
