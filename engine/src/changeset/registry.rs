//! Edits of `src/extensions.ts`: imports and `.use(...)` links added and taken out.
//!
//! Every insertion point and every removal comes from the trivia the scan recorded around each
//! import and link ([`crate::scan::Decor`]): an item alone on its lines takes those lines with
//! it, a comment after the last kept link stays on its line, a chain's `;` and line end stay
//! where they belong. Nothing here searches the file's text.

use std::collections::{BTreeMap, BTreeSet};

use super::draft::Draft;
use crate::generate;
use crate::scan::{Decor, LinkArg, Registry};
use crate::tree::{REGISTRY_PATH, builder_path};

/// The pending additions to and removals from `src/extensions.ts`.
pub(super) struct RegistryEdits<'a> {
    pub(super) registry: Option<&'a Registry>,
    /// New import lines, without line ends, each with the action that asks for it.
    imports: Vec<(String, String)>,
    /// New `.use(...)` arguments, each with the action that asks for it.
    links: Vec<(String, String)>,
    /// Names bound at the top level, including those this changeset adds.
    bindings: BTreeSet<String>,
    /// The chain links to take out, by index, with the action that takes each.
    removed_links: BTreeMap<usize, String>,
}

impl<'a> RegistryEdits<'a> {
    pub(super) fn new(registry: Option<&'a Registry>) -> Self {
        RegistryEdits {
            registry,
            imports: Vec::new(),
            links: Vec::new(),
            removed_links: BTreeMap::new(),
            bindings: registry
                .map(|r| r.bindings.iter().cloned().collect())
                .unwrap_or_else(|| ["app".to_owned()].into()),
        }
    }

    /// A free local name close to `wanted`.
    pub(super) fn free_name(&mut self, wanted: &str) -> String {
        let mut name = if generate::is_bindable(wanted) {
            wanted.to_owned()
        } else {
            format!("{wanted}Event")
        };
        let base = name.clone();
        let mut n = 2;
        while self.bindings.contains(&name) || !generate::is_bindable(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.bindings.insert(name.clone());
        name
    }
}

impl Draft<'_> {
    /// Registers the builder of `folder`, exported as `export` (`None`: its default export).
    pub(super) fn register(&mut self, folder: &str, export: Option<&str>) {
        // The import that followed the folder's rename, or an existing import that binds the
        // builder (even one whose file is being written again, or moved here by a rename):
        // only the `.use` is missing.
        if let Some((followed_export, local)) = self.followed.get(folder) {
            if followed_export.as_deref() == export {
                let cause = self.cause.clone();
                self.registry.links.push((local.clone(), cause));
                return;
            }
        } else if let Some(registry) = self.registry.registry
            && let Some(registration) = registry.registration(&builder_path(folder), export)
        {
            if registration.links.is_empty() {
                let cause = self.cause.clone();
                self.registry.links.push((registration.local, cause));
            }
            return;
        }
        let wanted = match export {
            None => generate::default_local_name(folder),
            Some(name) => name.to_owned(),
        };
        let local = self.registry.free_name(&wanted);
        let (code, ts_suffix) = match self.registry.registry {
            Some(registry) => (registry.style.code.clone(), registry.style.ts_suffix),
            None => (self.style.clone(), true),
        };
        let line = generate::registry_import(folder, export, &local, ts_suffix, &code);
        let cause = self.cause.clone();
        self.registry.imports.push((line, cause.clone()));
        self.registry.links.push((local, cause));
    }

    /// Takes out of `src/extensions.ts` the import at `index`, whole, and every `.use(...)`
    /// of what it binds.
    pub(super) fn remove_import(&mut self, registry: &Registry, index: usize) {
        let import = &registry.imports[index];
        let locals: Vec<&str> = import.locals().collect();
        let range = import
            .decor
            .own_lines()
            .unwrap_or_else(|| import.range.clone());
        self.edit(REGISTRY_PATH, range, String::new());
        // The links go in `finish_registry`, run by run, so that neighbours removed together
        // and links appended at the end never produce overlapping edits.
        for (index, link) in registry.chain.links.iter().enumerate() {
            if matches!(&link.arg, LinkArg::Ident(name) if locals.contains(&name.as_str())) {
                let cause = self.cause.clone();
                self.registry.removed_links.entry(index).or_insert(cause);
            }
        }
    }

    /// Adds the pending imports and links to `src/extensions.ts`, or writes it new.
    pub(super) fn finish_registry(&mut self) {
        let Some(registry) = self.registry.registry else {
            if !self.registry.links.is_empty() {
                let imports: Vec<String> =
                    self.registry.imports.drain(..).map(|(l, _)| l).collect();
                let locals: Vec<String> =
                    self.registry.links.iter().map(|(l, _)| l.clone()).collect();
                let text = generate::registry(&imports, &locals, self.style);
                self.created.insert(REGISTRY_PATH.to_owned(), text);
            }
            return;
        };
        self.remove_links(registry);
        let Some((_, cause)) = self.registry.links.first().cloned() else {
            return;
        };
        let eol = registry.style.code.eol;
        if !self.registry.imports.is_empty() {
            let imports = std::mem::take(&mut self.registry.imports);
            let (at, lines) = match registry.imports.last() {
                Some(last) => {
                    // After the line the last import ends on.
                    let at = last.decor.eol.end;
                    let ends_with_eol = !last.decor.eol.is_empty();
                    let mut lines = String::new();
                    if !ends_with_eol {
                        lines.push_str(eol);
                    }
                    for (i, (line, _)) in imports.iter().enumerate() {
                        lines.push_str(line);
                        if ends_with_eol || i + 1 < imports.len() {
                            lines.push_str(eol);
                        }
                    }
                    (at, lines)
                }
                None => {
                    let lines: String = imports.iter().map(|(l, _)| format!("{l}{eol}")).collect();
                    (registry.start, lines)
                }
            };
            self.edit_for(REGISTRY_PATH, at..at, lines, Some(&imports[0].1));
        }
        // New links go after the last link that stays (after `app()` when none does).
        let chain = &registry.chain;
        let removed = &self.registry.removed_links;
        let kept = (0..chain.links.len())
            .rev()
            .find(|i| !removed.contains_key(i));
        let indent_of = kept.or_else(|| (!chain.links.is_empty()).then_some(0));
        let indent = match indent_of.map(|i| &chain.links[i]) {
            Some(link) if chain.multiline && !link.decor.line_indent.is_empty() => {
                registry.text[link.decor.line_indent.clone()].to_owned()
            }
            _ => "  ".to_owned(),
        };
        let links: String = self
            .registry
            .links
            .iter()
            .map(|(local, _)| {
                if chain.multiline {
                    format!("{eol}{indent}.use({local})")
                } else {
                    format!(".use({local})")
                }
            })
            .collect();
        let (end, decor) = match kept {
            Some(k) => (chain.links[k].range.end, &chain.links[k].decor),
            None => (
                chain.links.first().map_or(chain.range.end, |l| l.prev_end),
                &chain.head_decor,
            ),
        };
        // A comment after that link stays on its line: the new links go after it, which a
        // multi-line chain allows since the next line starts with `.`.
        let at = match &decor.comment {
            Some(_) if chain.multiline => decor.eol.start,
            _ => end,
        };
        self.edit_for(REGISTRY_PATH, at..at, links, Some(&cause));
    }

    /// Takes the removed `.use(...)` links out of the chain, each run of neighbours in one edit:
    /// a run at the end of the chain joins what follows it (`;`, a line end) to the link before
    /// it; a run alone on its lines takes those lines; otherwise only the run's own text goes,
    /// with the space before a `//` comment that follows it.
    fn remove_links(&mut self, registry: &Registry) {
        let links = &registry.chain.links;
        let removed = self.registry.removed_links.clone();
        let mut i = 0;
        while i < links.len() {
            let Some(cause) = removed.get(&i) else {
                i += 1;
                continue;
            };
            // A run of neighbours goes as one range, up to a link with a comment before it:
            // that comment (a note about what follows, on its own line) stays, as it does when
            // that link alone is removed.
            let mut j = i;
            while removed.contains_key(&(j + 1)) && !links[j + 1].lead_has_comment {
                j += 1;
            }
            let (first, last) = (&links[i], &links[j]);
            let tail = j + 1 == links.len();
            let range = if tail && !first.lead_has_comment {
                first.prev_end..last.range.end
            } else if let Some(lines) = Decor::lines_through(&first.decor, &last.decor) {
                lines
            } else {
                match &last.decor.comment {
                    Some(comment) if comment.is_line && first.decor.opens_line => {
                        first.range.start..comment.range.start
                    }
                    _ => first.range.start..last.range.end,
                }
            };
            self.edit_for(REGISTRY_PATH, range, String::new(), Some(cause));
            i = j + 1;
        }
    }
}
