//! The handler and builder of a kept or renamed extension: re-pointing the subscription to
//! the manifest's event when that can be done safely, and the repairs `@wix/astro` needs (the
//! subscription as default export, a `source` that names the handler).

use wixsync_schema::Entry;

use super::{Action, Conflict, LegacyImport, Migration, Planner, Refusal};
use crate::scan::{BuilderExport, EventExtension, Handler};
use crate::tree::{REGISTRY_PATH, handler_path};

impl Planner<'_> {
    /// Steps for the handler: change its event, make its subscription the default export, or
    /// a conflict when wixsync cannot read or safely edit it.
    pub(super) fn plan_handler(&mut self, index: usize, entry: &Entry, extension: &EventExtension) {
        let folder = entry.folder.clone();
        if let Some(handler) = &extension.handler {
            match &handler.subscription {
                Some(subscription)
                    if subscription.event != entry.event
                        && (subscription.event.package != entry.event.package
                            || subscription.event.namespace != entry.event.namespace)
                        && (subscription.namespace_uses > 1 || subscription.import_is_shared) =>
                {
                    self.conflict(Conflict::NamespaceUsedElsewhere {
                        entry: index,
                        path: handler.path.clone(),
                        range: subscription.callee_namespace.clone(),
                        from: subscription.event.clone(),
                    });
                }
                Some(subscription) if subscription.event != entry.event => {
                    self.step(
                        Action::ChangeEvent {
                            folder: folder.clone(),
                            from: subscription.event.clone(),
                            to: entry.event.clone(),
                        },
                        format!(
                            "the manifest says {}, the handler subscribes to {}",
                            entry.event, subscription.event
                        ),
                    );
                }
                Some(_) => {}
                None => match &handler.legacy_import {
                    Some(_) if handler.legacy.is_some() => {
                        self.plan_legacy(index, entry, handler);
                    }
                    Some(legacy) => self.conflict(Conflict::LegacyEventsImport {
                        entry: index,
                        path: handler.path.clone(),
                        specifier: legacy.value.clone(),
                        range: legacy.range.clone(),
                    }),
                    None => self.conflict(Conflict::HandlerUnreadable {
                        entry: index,
                        path: handler.path.clone(),
                    }),
                },
            }
        }
        if let Some(handler) = &extension.handler
            && let Some(subscription) = &handler.subscription
            && let Some(named) = &subscription.named_export
            && !subscription.is_default_export
        {
            let stem = handler
                .path
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".ts"))
                .unwrap_or_default();
            let importer = self
                .scan
                .folder_imports
                .iter()
                .find(|i| i.folder == extension.folder && i.may_use(stem, &named.name));
            let keep = named.uses > 0 || importer.is_some();
            let why = match (importer, named.uses > 0) {
                (Some(i), _) => format!(
                    "; {} imports `{}`, so it stays exported by name too",
                    i.path, named.name
                ),
                (None, true) => format!(
                    "; the handler uses `{}` itself, so the declaration stays",
                    named.name
                ),
                (None, false) => format!(
                    "; nothing imports `{}`, so the declaration becomes the default export",
                    named.name
                ),
            };
            self.step(
                Action::Migrate {
                    folder: folder.clone(),
                    migration: Migration::NamedSubscription {
                        name: named.name.clone(),
                        keep,
                    },
                },
                format!(
                    "@wix/astro reads the subscription from the handler's default export, and \
                     this handler exports it by name{why}"
                ),
            );
        } else if let Some(subscription) = extension
            .handler
            .as_ref()
            .and_then(|h| h.subscription.as_ref())
            && !subscription.is_default_export
        {
            self.step(
                Action::ExportDefault {
                    folder: folder.clone(),
                },
                "@wix/astro reads the subscription from the handler's default export, and this \
                 handler has none"
                    .to_owned(),
            );
        }
    }

    /// A handler written as older docs show it: rewritten to the root package's namespace,
    /// which the manifest entry's event names (never guessed from the function: `onCartCreated`
    /// is in four ecom namespaces), or refused when that cannot be done safely.
    fn plan_legacy(&mut self, index: usize, entry: &Entry, handler: &Handler) {
        let Some(legacy) = &handler.legacy else {
            return;
        };
        let event = &entry.event;
        let refuse = |why: Refusal, range: std::ops::Range<usize>| Conflict::MigrationRefused {
            entry: index,
            path: handler.path.clone(),
            range,
            why,
        };
        let refusal = if legacy.package != event.package || legacy.function != event.function {
            Some(refuse(
                Refusal::LegacyOtherEvent {
                    package: legacy.package.clone(),
                    function: legacy.function.clone(),
                },
                legacy.callee.clone(),
            ))
        } else if legacy.import_is_shared {
            Some(refuse(
                Refusal::LegacySharedImport,
                legacy.import_specifier.clone(),
            ))
        } else if legacy.local_uses != 1 {
            Some(refuse(
                Refusal::LegacyUsedElsewhere {
                    local: handler.text[legacy.callee.clone()].to_owned(),
                },
                legacy.import_specifier.clone(),
            ))
        } else {
            None
        };
        if let Some(conflict) = refusal {
            self.conflict(conflict);
            return;
        }
        let bound = legacy.root_import.as_ref().and_then(|root| {
            root.named
                .iter()
                .find(|(imported, _)| *imported == event.namespace)
                .map(|(_, local)| local.clone())
        });
        let (namespace_local, import) = match (&legacy.root_import, bound) {
            (_, Some(local)) => (local, LegacyImport::Reuse),
            _ if legacy.identifiers.contains(&event.namespace) => {
                self.conflict(refuse(
                    Refusal::LegacyNameTaken {
                        namespace: event.namespace.clone(),
                    },
                    legacy.callee.clone(),
                ));
                return;
            }
            (Some(root), None) if root.insert_at.is_none() => {
                self.conflict(refuse(
                    Refusal::LegacyRootWithoutBraces,
                    legacy.specifier.range.clone(),
                ));
                return;
            }
            (Some(_), None) => (event.namespace.clone(), LegacyImport::Merge),
            (None, None) => (event.namespace.clone(), LegacyImport::Rewrite),
        };
        self.step(
            Action::Migrate {
                folder: entry.folder.clone(),
                migration: Migration::LegacyHandler {
                    specifier: legacy.specifier.value.clone(),
                    event: event.clone(),
                    namespace_local,
                    import,
                },
            },
            format!(
                "'{}' does not exist (older docs show it): the SDK exports {} from the `{}` \
                 namespace of '{}' (the manifest's event), and @wix/astro needs it as the \
                 default export",
                legacy.specifier.value,
                event.function,
                event.namespace,
                event.npm_package()
            ),
        );
    }

    /// With an explicit `export-style`, a builder exported the other way is converted, and
    /// its registration with it; `true` when a conversion is planned.
    pub(super) fn plan_export_style(
        &mut self,
        index: usize,
        entry: &Entry,
        extension: &EventExtension,
    ) -> bool {
        let (Some(to), Some(builder)) = (self.manifest.export_style, &extension.builder) else {
            return false;
        };
        let from = builder.export.style();
        if from == to {
            return false;
        }
        let refuse =
            |why: Refusal, path: &str, range: std::ops::Range<usize>| Conflict::MigrationRefused {
                entry: index,
                path: path.to_owned(),
                range,
                why,
            };
        let registration = self
            .scan
            .registry
            .as_ref()
            .and_then(|r| Some((r, r.registration(&builder.path, builder.export.name())?)));
        let stem = format!("{}.extension", extension.folder);
        let importer = builder.export.name().and_then(|name| {
            self.scan
                .folder_imports
                .iter()
                .find(|i| i.folder == extension.folder && i.may_use(&stem, name))
        });
        let refusal = if builder.head.is_empty() {
            Some(refuse(
                Refusal::BuilderSharesDeclaration,
                &builder.path,
                match &builder.export {
                    BuilderExport::Named { range, .. } => range.clone(),
                    BuilderExport::Default => 0..0,
                },
            ))
        } else if let Some(import) = importer {
            Some(refuse(
                Refusal::BuilderImportedByName {
                    importer: import.path.clone(),
                },
                &import.path,
                import.specifier.range.clone(),
            ))
        } else if let Some((registry, registration)) = &registration
            && registry.imports[registration.import].binding_count() > 1
        {
            Some(refuse(
                Refusal::RegistrationShared,
                REGISTRY_PATH,
                registration.binding_range.clone(),
            ))
        } else {
            None
        };
        if let Some(conflict) = refusal {
            self.conflict(conflict);
            return false;
        }
        self.step(
            Action::Migrate {
                folder: entry.folder.clone(),
                migration: Migration::ExportStyle { from, to },
            },
            format!("the manifest says `export-style: {to}`, and this builder's export is {from}"),
        );
        true
    }

    /// The builder's `source` must name the handler.
    pub(super) fn plan_source(&mut self, entry: &Entry, extension: &EventExtension) {
        let folder = entry.folder.clone();
        if let Some(builder) = &extension.builder {
            // A missing handler is created at its default path (`plan_kept`), and `source`
            // must then name that file.
            let handler_path = extension
                .handler
                .as_ref()
                .map_or_else(|| handler_path(folder.as_str()), |h| h.path.clone());
            let expected = format!(
                "./{}",
                handler_path.strip_prefix("src/").unwrap_or(&handler_path)
            );
            match &builder.source {
                // A rename rewrites `source` itself.
                Some(source) if source.value != expected && extension.folder == folder.as_str() => {
                    self.step(
                        Action::FixSource {
                            folder: folder.clone(),
                            from: source.value.clone(),
                        },
                        format!("the builder's `source` must name the handler, {expected}"),
                    );
                }
                Some(_) => {}
                None => self.conflict(Conflict::BuilderWithoutSource {
                    path: builder.path.clone(),
                    expected,
                }),
            }
        }
    }
}
