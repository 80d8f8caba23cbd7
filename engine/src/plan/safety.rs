//! The no-lost-work rule (docs/contract.md, "Safety"): a file is deleted only when its content can be
//! recovered, because git has it committed and unmodified, or because wixsync would write the
//! same bytes again. Anything else is a conflict that only `--force` overrides.

use super::{Action, Conflict, Planner};
use crate::generate;
use crate::scan::EventExtension;
use crate::tree::builder_path;

impl Planner<'_> {
    pub(super) fn plan_removal(&mut self, extension: &EventExtension) {
        let folder = extension.folder.clone();
        // The removal takes out every import of its builder: uses of what they bind that
        // wixsync does not own (outside the chain's `.use` links) would dangle.
        if let Some(registry) = &self.scan.registry {
            let builder = extension
                .builder
                .as_ref()
                .map_or_else(|| builder_path(&folder), |b| b.path.clone());
            for index in registry.imports_of(&builder) {
                for local in registry.imports[index].locals() {
                    let places: Vec<_> = registry
                        .references
                        .iter()
                        .filter(|r| r.local == local && !r.in_chain)
                        .map(|r| r.range.clone())
                        .collect();
                    if !places.is_empty() {
                        self.conflict(Conflict::ReferencedElsewhere {
                            folder: folder.clone(),
                            local: local.to_owned(),
                            places,
                        });
                    }
                }
            }
        }
        // Files elsewhere in src/ that import from the folder would break.
        let importers: Vec<(String, std::ops::Range<usize>)> = self
            .scan
            .folder_imports
            .iter()
            .filter(|i| i.folder == folder)
            .map(|i| (i.path.clone(), i.specifier.range.clone()))
            .collect();
        if !importers.is_empty() {
            self.conflict(Conflict::ImportedFromOutside {
                folder: folder.clone(),
                importers,
            });
        }
        for path in &extension.files {
            if !self.recoverable(extension, path) {
                self.conflict(Conflict::UnrecoverableDelete {
                    path: path.clone(),
                    folder: folder.clone(),
                    git: self.inputs.git.clone(),
                });
            }
        }
        // An entry kept its own folder and lists this one in `renamed-from`.
        let named_by = self
            .manifest
            .entries
            .iter()
            .find(|entry| entry.renamed_from.iter().any(|old| old.as_str() == folder));
        let reason = match named_by {
            Some(entry) => format!(
                "`{}` lists it in renamed-from, but `{}` is an extension of its own",
                entry.folder, entry.folder
            ),
            None => {
                format!("no manifest entry matches `{folder}` by folder, renamed-from, id or event")
            }
        };
        self.step(
            Action::Remove {
                folder: folder.clone(),
            },
            reason,
        );
    }

    /// Whether deleting `path` loses nothing: git can restore it, or wixsync would write the
    /// same bytes again.
    pub(super) fn recoverable(&self, extension: &EventExtension, path: &str) -> bool {
        if self.inputs.git.can_restore(path) {
            return true;
        }
        let style = &self.scan.style;
        if let Some(builder) = extension.builder.as_ref().filter(|b| b.path == path) {
            return match (extension.id(), extension.export_style()) {
                (Some(id), Some(export)) => {
                    generate::builder(&extension.folder, id, export, style) == builder.text
                }
                _ => false,
            };
        }
        if let Some(handler) = extension.handler.as_ref().filter(|h| h.path == path) {
            return extension.event().is_some_and(|event| {
                generate::handler(&extension.folder, event, style) == handler.text
            });
        }
        false
    }
}
