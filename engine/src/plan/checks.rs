//! The checks Wix does not make locally (docs/wix-facts.md, "What Wix does not check
//! locally") and the repairs that follow from them: builder ids, dangling registrations,
//! duplicate ids across every extension, one handler per event across the app, and the
//! `@wix/*` dependencies of `package.json`. Pure, like the rest of the plan.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use uuid::Uuid;
use wixsync_schema::{Entry, ExportStyle};

use super::{Action, Conflict, Planner};
use crate::generate;
use crate::scan::EventExtension;
use crate::tree::{EVENTS_DIR, builder_path, handler_path};

impl Planner<'_> {
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
            None => self.conflict(Conflict::BuilderWithoutId {
                path: builder.path.clone(),
            }),
            Some(id) => match Uuid::try_parse(&id.value) {
                Ok(uuid) if uuid.hyphenated().to_string() == id.value => {}
                Ok(uuid) => self.conflict(Conflict::IdNotLowercase {
                    folder: extension.folder.clone(),
                    path: builder.path.clone(),
                    range: id.range.clone(),
                    lowercase: uuid.hyphenated().to_string(),
                }),
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

    /// Every `@wix/*` package a handler imports must be a dependency of the app (docs/wix-facts.md),
    /// at the catalog's version: after the apply, each entry's handler imports its event's. Nothing happens without a `package.json`
    /// or for a package the catalog does not know.
    pub(super) fn plan_dependencies(&mut self) {
        let package_json = match &self.scan.package_json {
            None => return,
            Some(Ok(package_json)) => package_json,
            Some(Err(error)) => {
                self.conflict(Conflict::PackageJson(error.clone()));
                return;
            }
        };
        // After the apply, every entry's handler imports its event's package, but one whose
        // re-point is refused: that handler keeps its import.
        let refused: BTreeSet<usize> = self
            .plan
            .conflicts
            .iter()
            .filter_map(|conflict| match conflict {
                Conflict::NamespaceUsedElsewhere { entry, .. } => Some(*entry),
                _ => None,
            })
            .collect();
        let wanted: BTreeSet<String> = self
            .manifest
            .entries
            .iter()
            .enumerate()
            .filter(|(index, _)| !refused.contains(index))
            .map(|(_, entry)| entry.event.package.clone())
            .collect();
        for package in wanted {
            let name = format!("@wix/{package}");
            let Some(version) = wixsync_schema::catalog::Catalog::get().package_version(&package)
            else {
                continue;
            };
            if !package_json.declares(&name) {
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
            // The builder of a folder that lost it: the folder's create, rename or removal
            // takes care of its registration. An import of any other missing file in an
            // extension's folder is repaired below like one elsewhere in the events folder.
            let in_folder = self.scan.extensions.iter().any(|x| {
                registry
                    .imports_of(&builder_path(&x.folder))
                    .contains(&dangling.import)
            });
            if in_folder {
                continue;
            }
            // The builder of a folder about to be created, or renamed into by an extension
            // that no import registers, imported as that builder will export it: the create or
            // the rename's register step reuses this registration. (A renamed extension that
            // has an import of its own takes it along, and this one is removed.)
            let targets = |folder: &str| {
                dangling
                    .target
                    .starts_with(&format!("{EVENTS_DIR}/{folder}/"))
            };
            let reused = self.plan.steps.iter().any(|step| match &step.action {
                Action::Create { folder, export, .. } => {
                    let name = (*export == ExportStyle::Named)
                        .then(|| generate::named_export_name(folder.as_str()));
                    targets(folder.as_str())
                        && registry
                            .registration(&builder_path(folder.as_str()), name.as_deref())
                            .is_some()
                }
                Action::Rename { from, to, .. } => {
                    targets(to.as_str())
                        && self
                            .scan
                            .extension(from)
                            .is_some_and(|x| self.takes_over_registration(x, to.as_str()))
                }
                _ => false,
            });
            if reused {
                continue;
            }
            let import = &registry.imports[dangling.import];
            let specifier = import.specifier.value.clone();
            if dangling.target.starts_with(&format!("{}/", EVENTS_DIR)) {
                // One step per specifier takes out every import of it.
                let planned = self.plan.steps.iter().any(|step| {
                    matches!(&step.action, Action::Unregister { specifier: s } if *s == specifier)
                });
                if !planned {
                    self.step(
                        Action::Unregister {
                            specifier: specifier.clone(),
                        },
                        format!("{specifier} does not exist, so the app cannot build"),
                    );
                }
            } else {
                self.conflict(Conflict::DanglingRegistration {
                    specifier,
                    range: import.specifier.range.clone(),
                });
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
                    let conflict = Conflict::DuplicateId {
                        id: id.value.clone(),
                        path,
                        range: id.range.clone(),
                        first_path: first_path.clone(),
                        first_range: first_range.clone(),
                    };
                    self.conflict(conflict);
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
        // Handlers this plan writes (by a create or a rename), as a builder's `source` names
        // them: an outside event builder whose handler does not exist yet but would be one
        // of them handles the entry's event once the plan is applied.
        let written: Vec<String> = self
            .plan
            .steps
            .iter()
            .filter_map(|step| match &step.action {
                Action::Create {
                    folder,
                    handler: true,
                    ..
                } => Some(folder.to_string()),
                Action::Rename { to, .. } => Some(to.to_string()),
                _ => None,
            })
            .collect();
        for (index, entry) in self.manifest.entries.iter().enumerate() {
            for other in &self.scan.others {
                if other.event.is_none()
                    && other.def.kind == "event"
                    && written.iter().any(|f| f == entry.folder.as_str())
                    && other.def.source_path() == Some(handler_path(entry.folder.as_str()))
                {
                    self.conflict(Conflict::EventHandledElsewhere {
                        entry: index,
                        path: other.path.clone(),
                        range: other.def.range.clone(),
                    });
                    continue;
                }
                let Some(event) = &other.event else { continue };
                let same = event == &entry.event
                    || matches!(
                        (self.manifest.registered_slug_of(event), entry.registered_slug.as_deref()),
                        (Some(a), Some(b)) if a == b
                    );
                if same {
                    let conflict = Conflict::EventHandledElsewhere {
                        entry: index,
                        path: other.path.clone(),
                        range: other.def.range.clone(),
                    };
                    self.conflict(conflict);
                }
            }
        }
    }
}
