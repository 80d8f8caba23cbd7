//! The handler and builder of a kept or renamed extension: re-pointing the subscription to
//! the manifest's event when that can be done safely, and the repairs `@wix/astro` needs (the
//! subscription as default export, a `source` that names the handler).

use wixsync_schema::Entry;

use super::{Action, Planner};
use crate::scan::EventExtension;

impl Planner<'_> {
    /// Steps for the handler: change its event, make its subscription the default export, or
    /// a conflict when wixsync cannot read or safely edit it.
    pub(super) fn plan_handler(&mut self, entry: &Entry, extension: &EventExtension) {
        let folder = entry.folder.clone();
        if let Some(handler) = &extension.handler {
            match &handler.subscription {
                Some(subscription)
                    if subscription.event != entry.event
                        && (subscription.event.package != entry.event.package
                            || subscription.event.namespace != entry.event.namespace)
                        && (subscription.namespace_uses > 1 || subscription.import_is_shared) =>
                {
                    let from = &subscription.event;
                    let diagnostic = self.code_diagnostic(
                        &handler.path,
                        subscription.callee_namespace.clone(),
                        format!(
                            "{} uses `{}` beyond its subscription, so wixsync cannot switch it to {} safely",
                            handler.path, from.namespace, entry.event
                        ),
                        format!(
                            "change the handler by hand: import `{{ {} }}` from '{}' and subscribe \
                             with `{}.{}(...)`, and keep what else it needs from '{}'; then run \
                             wixsync again",
                            entry.event.namespace,
                            entry.event.npm_package(),
                            entry.event.namespace,
                            entry.event.function,
                            from.npm_package()
                        ),
                    );
                    self.plan.conflicts.push(diagnostic);
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
                None if handler.legacy_import.is_some() => {
                    let legacy = handler
                        .legacy_import
                        .as_ref()
                        .map(|l| (l.value.clone(), l.range.clone()));
                    let (specifier, range) = legacy.unwrap_or_default();
                    let event = &entry.event;
                    let diagnostic = self.code_diagnostic(
                        &handler.path,
                        range,
                        format!("{} imports from '{specifier}', which does not exist", handler.path),
                        format!(
                            "older docs show `/events` paths; the SDK exports each event from its \
                             namespace: `import {{ {} }} from '{}'` and `export default {}.{}(async \
                             (event) => {{ ... }})`; change the handler, then run wixsync again",
                            event.namespace,
                            event.npm_package(),
                            event.namespace,
                            event.function
                        ),
                    );
                    self.plan.conflicts.push(diagnostic);
                }
                None => {
                    let path = handler.path.clone();
                    self.conflict(
                        false,
                        format!(
                            "{path} does not subscribe to an event in a shape wixsync can read"
                        ),
                        &[(entry.event_place, "the manifest's event")],
                        format!(
                            "make the handler `export default <namespace>.<onEvent>(async \
                             (event) => {{ ... }})` with the namespace imported from \
                             '@wix/<package>' (for this entry: `import {{ {} }} from '{}'`), \
                             then run wixsync again",
                            entry.event.namespace,
                            entry.event.npm_package()
                        ),
                    );
                }
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
        if let (Some(builder), Some(handler)) = (&extension.builder, &extension.handler) {
            let expected = format!(
                "./{}",
                handler.path.strip_prefix("src/").unwrap_or(&handler.path)
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
                None => {
                    let diagnostic = self.code_diagnostic(
                        &builder.path,
                        0..0,
                        format!("{} has no `source` string", builder.path),
                        format!("add `source: '{expected}'` to its `extensions.event({{...}})`"),
                    );
                    self.plan.conflicts.push(diagnostic);
                }
            }
        }
    }
}
