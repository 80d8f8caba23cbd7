//! The no-lost-work rule (DESIGN.md, "Safety"): a file is deleted only when its content can be
//! recovered, because git has it committed and unmodified, or because wixsync would write the
//! same bytes again. Anything else is a conflict that only `--force` overrides.

use super::{Action, Planner};
use crate::generate;
use crate::scan::EventExtension;

impl Planner<'_> {
    pub(super) fn plan_removal(&mut self, extension: &EventExtension) {
        let folder = extension.folder.clone();
        for path in self.tree.files_in_folder(&folder) {
            if !self.recoverable(extension, path) {
                let message = match &self.inputs.git {
                    Some(_) => format!(
                        "{path} would be deleted, but it has changes git cannot restore \
                         (uncommitted, or not tracked)"
                    ),
                    None => format!(
                        "{path} would be deleted, but it is not what wixsync generates and \
                         this app is not in a git repository"
                    ),
                };
                self.conflict(
                    true,
                    message,
                    &[],
                    format!(
                        "commit the file first, add `{folder}` back to the manifest to keep it, \
                         or run with --force to delete it anyway"
                    ),
                );
            }
        }
        self.step(
            Action::Remove {
                folder: folder.clone(),
            },
            format!("no manifest entry matches `{folder}` by folder, renamed-from, id or event"),
        );
    }

    /// Whether deleting `path` loses nothing: git can restore it, or wixsync would write the
    /// same bytes again.
    pub(super) fn recoverable(&self, extension: &EventExtension, path: &str) -> bool {
        if self
            .inputs
            .git
            .as_ref()
            .is_some_and(|git| git.clean.contains(path))
        {
            return true;
        }
        let Some(bytes) = self.tree.bytes(path) else {
            return true;
        };
        let style = &self.inputs.style;
        let generated = if extension.builder.as_ref().is_some_and(|b| b.path == path) {
            match (extension.id(), extension.export_style()) {
                (Some(id), Some(export)) => {
                    Some(generate::builder(&extension.folder, id, export, style))
                }
                _ => None,
            }
        } else if extension.handler.as_ref().is_some_and(|h| h.path == path) {
            extension
                .event()
                .map(|event| generate::handler(&extension.folder, event, style))
        } else {
            None
        };
        generated.is_some_and(|g| g.as_bytes() == bytes)
    }
}
