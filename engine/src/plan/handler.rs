//! The handler and builder of a kept or renamed extension: re-pointing the subscription to
//! the manifest's event when that can be done safely, and the repairs `@wix/astro` needs (the
//! subscription as default export, a `source` that names the handler).

use wixsync_schema::Entry;

use super::{Action, Conflict, Planner};
use crate::scan::EventExtension;
use crate::tree::handler_path;

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
        if let Some(subscription) = extension
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
