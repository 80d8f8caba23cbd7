//! The checks Wix does not make locally (WIX-FACTS.md, "Rules Wix itself does not check
//! locally") and the repairs that follow from them: builder ids, dangling registrations,
//! duplicate ids across every extension, one handler per event across the app, and the
//! `@wix/*` dependencies of `package.json`. Pure, like the rest of the plan.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use uuid::Uuid;
use wixsync_schema::{Diagnostic, Entry, SourceFile};

use super::{Action, Planner};
use crate::scan::EventExtension;
use crate::tree::{EVENTS_DIR, REGISTRY_PATH};

impl Planner<'_> {
    /// A conflict pointing into an app file.
    pub(super) fn code_diagnostic(
        &self,
        path: &str,
        range: Range<usize>,
        message: String,
        help: String,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::error("app::check", message).help(help);
        if let Some(text) = self.tree.text(path) {
            diagnostic = diagnostic.in_source(&SourceFile::new(path, text)).label(
                range.start,
                range.end - range.start,
                "here",
            );
        }
        diagnostic
    }

    /// A builder needs a static, lowercase UUID: a placeholder or other non-UUID was never a
    /// component id on Wix's side, so it is replaced; an uppercase UUID is reported.
    pub(super) fn check_builder_id(
        &mut self,
        index: usize,
        entry: &Entry,
        extension: &EventExtension,
    ) {
        let Some(builder) = &extension.builder else {
            return;
        };
        let folder = entry.folder.clone();
        match &builder.id {
            None => {
                let diagnostic = self.code_diagnostic(
                    &builder.path,
                    0..0,
                    format!("{} has no `id` string", builder.path),
                    "give its `extensions.event({...})` a static `id: '<lowercase uuid>'`; if it \
                     was deployed before, use the id Wix knows it by"
                        .to_owned(),
                );
                self.plan.conflicts.push(diagnostic);
            }
            Some(id) => match Uuid::try_parse(&id.value) {
                Ok(uuid) if uuid.hyphenated().to_string() == id.value => {}
                Ok(uuid) => {
                    let diagnostic = self.code_diagnostic(
                        &builder.path,
                        id.range.clone(),
                        format!("the id of `{}` is not a lowercase UUID", extension.folder),
                        format!("write it as `{}`", uuid.hyphenated()),
                    );
                    self.plan.conflicts.push(diagnostic);
                }
                Err(_) => {
                    let to = entry
                        .id
                        .or_else(|| self.inputs.fresh_ids.get(index).copied())
                        .unwrap_or_else(Uuid::nil)
                        .to_string();
                    self.step(
                        Action::ChangeId {
                            folder,
                            from: id.value.clone(),
                            to,
                        },
                        format!(
                            "`{}` is not a UUID (a template placeholder?); Wix needs a static lowercase UUID",
                            id.value
                        ),
                    );
                }
            },
        }
    }

    /// Every `@wix/*` package a handler imports must be a dependency of the app (WIX-FACTS.md),
    /// at the catalog's version: after the apply, each entry's handler imports its event's. Nothing happens without a `package.json`
    /// or for a package the catalog does not know.
    pub(super) fn plan_dependencies(&mut self) {
        let Some(text) = self.tree.text("package.json") else {
            return;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let json = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => json,
            Err(error) => {
                self.plan.warnings.push(
                    Diagnostic::warning(
                        "package-json::syntax",
                        format!("package.json is not valid JSON ({error}), so wixsync cannot check that it lists the `@wix/*` packages the handlers import"),
                    )
                    .help("fix package.json (npm cannot read it either), then run wixsync again"),
                );
                return;
            }
        };
        let declared = |name: &str| {
            [
                "dependencies",
                "devDependencies",
                "peerDependencies",
                "optionalDependencies",
            ]
            .iter()
            .any(|key| json.get(key).and_then(|d| d.get(name)).is_some())
        };
        // After the apply, every entry's handler imports its event's package.
        let wanted: BTreeSet<String> = self
            .manifest
            .entries
            .iter()
            .map(|entry| entry.event.package.clone())
            .collect();
        for package in wanted {
            let name = format!("@wix/{package}");
            let Some(version) = wixsync_schema::catalog::Catalog::get().package_version(&package)
            else {
                continue;
            };
            if !declared(&name) {
                self.step(
                    Action::AddDependency {
                        package: name.clone(),
                        version: format!("^{version}"),
                    },
                    format!("a handler imports {name}, which package.json does not list"),
                );
            }
        }
    }

    /// Registrations whose file is gone: repaired inside the events folder, reported elsewhere.
    pub(super) fn check_dangling(&mut self) {
        let Some(registry) = &self.scan.registry else {
            return;
        };
        for dangling in &self.scan.dangling {
            // A folder that lost its builder: the entry's create or the folder's removal
            // takes care of its registration.
            let in_folder = self.scan.extensions.iter().any(|x| {
                dangling
                    .target
                    .starts_with(&format!("{EVENTS_DIR}/{}/", x.folder))
            });
            if in_folder {
                continue;
            }
            let import = &registry.imports[dangling.import];
            let specifier = import.specifier.value.clone();
            if dangling.target.starts_with(&format!("{}/", EVENTS_DIR)) {
                self.step(
                    Action::Unregister {
                        specifier: specifier.clone(),
                    },
                    format!("{specifier} does not exist, so the app cannot build"),
                );
            } else {
                let diagnostic = self.code_diagnostic(
                    REGISTRY_PATH,
                    import.specifier.range.clone(),
                    format!("src/extensions.ts imports {specifier}, which does not exist"),
                    "restore the file, or remove the import and its `.use(...)`; wixsync edits \
                     registrations of event extensions only"
                        .to_owned(),
                );
                self.plan.conflicts.push(diagnostic);
            }
        }
    }

    /// Two extensions of the app with one id: Wix silently drops the second one's data.
    pub(super) fn check_duplicate_ids(&mut self, kept: &BTreeSet<usize>) {
        let mut seen: BTreeMap<String, (String, Range<usize>)> = BTreeMap::new();
        let events = self
            .scan
            .extensions
            .iter()
            .enumerate()
            .filter(|(i, _)| kept.contains(i))
            .filter_map(|(_, x)| x.builder.as_ref())
            .filter_map(|b| b.id.as_ref().map(|id| (b.path.clone(), id.clone())));
        let others = self
            .scan
            .others
            .iter()
            .filter_map(|o| o.def.id.as_ref().map(|id| (o.path.clone(), id.clone())));
        for (path, id) in events.chain(others).collect::<Vec<_>>() {
            if Uuid::try_parse(&id.value).is_err() {
                continue;
            }
            match seen.get(&id.value) {
                Some((first_path, first_range)) => {
                    let text = self.tree.text(first_path).unwrap_or_default();
                    let (line, col) = SourceFile::new(first_path, text).line_col(first_range.start);
                    let diagnostic = self.code_diagnostic(
                        &path,
                        id.range.clone(),
                        format!("two extensions share the id {}", id.value),
                        format!(
                            "the other is at {first_path}:{line}:{col}; Wix keeps one of them and \
                             silently drops the other's data: give the one Wix does not know yet \
                             a new UUID"
                        ),
                    );
                    self.plan.conflicts.push(diagnostic);
                }
                None => {
                    seen.insert(id.value.clone(), (path, id.range.clone()));
                }
            }
        }
    }

    /// One handler per event across the whole app: a manifest event handled by an extension
    /// outside the events folder (or defined inline) is an error naming both places.
    pub(super) fn check_other_handlers(&mut self) {
        for entry in &self.manifest.entries {
            for other in &self.scan.others {
                let Some(event) = &other.event else { continue };
                let same = event == &entry.event
                    || matches!((event.registered_slug(), entry.event.registered_slug()), (Some(a), Some(b)) if a == b);
                if !same {
                    continue;
                }
                let text = self.tree.text(&other.path).unwrap_or_default();
                let (line, col) =
                    SourceFile::new(&other.path, text).line_col(other.def.range.start);
                self.conflict(
                    false,
                    format!(
                        "`{}` would be a second handler for {}{}: {}:{line}:{col} handles it already",
                        entry.folder,
                        entry.event,
                        entry.event.registered_slug().map_or_else(String::new, |s| format!(" (webhook {s})")),
                        other.path
                    ),
                    &[(entry.event_place, "declared here")],
                    format!(
                        "Wix delivers an event to one handler per app: remove this entry, or move \
                         the extension at {}:{line} into src/extensions/backend/events/{}/ so \
                         wixsync manages it",
                        other.path, entry.folder
                    ),
                );
            }
        }
    }
}
