//! `src/extensions.ts`: the style of what wixsync adds to it, adding imports and `.use(...)`
//! links (or writing the file new), and taking registrations out without leaving an empty line.

use std::collections::BTreeSet;
use std::ops::Range;

use wixsync_schema::ExportStyle;

use super::builder::ChangesetBuilder;
use crate::generate::{self, CodeStyle};
use crate::scan::{BuilderExport, LinkArg, Registry};
use crate::tree::{REGISTRY_PATH, builder_path};

/// The style of what wixsync adds to `src/extensions.ts`, read off the file: its event
/// imports decide first, then its other imports, then what `wix generate` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryStyle {
    /// Quotes, semicolons and line ends.
    pub code: CodeStyle,
    /// Whether import paths end in `.ts`.
    pub ts_suffix: bool,
}

/// Reads the style of `src/extensions.ts`.
pub fn registry_style(registry: &Registry) -> RegistryStyle {
    let is_event = |spec: &str| spec.starts_with("./extensions/backend/events/");
    let relative: Vec<_> = registry
        .imports
        .iter()
        .filter(|i| i.specifier.value.starts_with("./"))
        .collect();
    let events: Vec<_> = relative
        .iter()
        .filter(|i| is_event(&i.specifier.value))
        .copied()
        .collect();
    let pick = |group: &[&crate::scan::Import],
                f: &dyn Fn(&crate::scan::Import) -> bool,
                fallback: bool| {
        let yes = group.iter().filter(|i| f(i)).count();
        let no = group.len() - yes;
        if yes == no {
            group.last().map_or(fallback, |i| f(i))
        } else {
            yes > no
        }
    };
    let source: Vec<&crate::scan::Import> = if events.is_empty() {
        registry.imports.iter().collect()
    } else {
        events.clone()
    };
    let suffix_group = if events.is_empty() {
        &relative
    } else {
        &events
    };
    let text = &registry.text;
    let double = pick(
        &source,
        &|i| text[i.specifier.range.clone()].starts_with('"'),
        false,
    );
    RegistryStyle {
        code: CodeStyle {
            quote: if double { '"' } else { '\'' },
            semicolons: pick(&source, &|i| i.semicolon, true),
            indent: "  ".to_owned(),
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
        },
        ts_suffix: pick(suffix_group, &|i| i.specifier.value.ends_with(".ts"), true),
    }
}

/// The start of the line holding `offset`.
pub(super) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, after its line end (or the end of the text).
pub(super) fn line_end_after_eol(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The range to delete to take out `range` from `text`: the whole line when `range` stands
/// alone on its line (so no empty line is left), else just `range`.
pub(super) fn deletion_range(text: &str, range: Range<usize>) -> Range<usize> {
    let start = line_start(text, range.start);
    let end = line_end_after_eol(text, range.end);
    let before_blank = text[start..range.start].trim().is_empty();
    let after_blank = text[range.end..end].trim().is_empty();
    if before_blank && after_blank {
        start..end
    } else {
        range
    }
}

/// The pending additions to `src/extensions.ts`.
pub(super) struct RegistryEdits<'a> {
    pub(super) registry: Option<&'a Registry>,
    pub(super) style: Option<RegistryStyle>,
    /// New import lines, without line ends.
    pub(super) imports: Vec<String>,
    /// New `.use(...)` arguments.
    pub(super) links: Vec<String>,
    /// Names bound at the top level, including those this changeset adds.
    pub(super) bindings: BTreeSet<String>,
    /// Indexes of the chain links to take out.
    pub(super) removed_links: BTreeSet<usize>,
}

impl<'a> RegistryEdits<'a> {
    pub(super) fn new(registry: Option<&'a Registry>) -> Self {
        RegistryEdits {
            registry,
            style: registry.map(registry_style),
            imports: Vec::new(),
            links: Vec::new(),
            removed_links: BTreeSet::new(),
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

impl ChangesetBuilder<'_> {
    pub(super) fn register(&mut self, folder: &str) {
        // The builder's export as it will be after this changeset.
        let export = match self.extension(folder).and_then(|x| x.builder.as_ref()) {
            Some(builder) => builder.export.clone(),
            None => match self.created.get(&builder_path(folder)) {
                Some(text) if text.contains("export const ") => BuilderExport::Named {
                    name: generate::named_export_name(folder),
                    range: 0..0,
                },
                _ => BuilderExport::Default,
            },
        };
        let renamed = self.renamed.contains_key(folder);
        let style = export.style();
        // An existing import that binds the builder (even one whose file is being written
        // again): only the `.use` is missing.
        if !renamed
            && let Some(registry) = self.registry.registry
            && let Some(registration) = registry.registration(&builder_path(folder), &export)
        {
            if registration.links.is_empty() {
                self.registry.links.push(registration.local);
            }
            return;
        }
        let wanted = match style {
            ExportStyle::Default => generate::default_local_name(folder),
            ExportStyle::Named => generate::named_export_name(folder),
        };
        let local = self.registry.free_name(&wanted);
        let registry_style = self.registry.style.clone().unwrap_or(RegistryStyle {
            code: self.style.clone(),
            ts_suffix: true,
        });
        self.registry.imports.push(generate::registry_import(
            folder,
            style,
            &local,
            registry_style.ts_suffix,
            &registry_style.code,
        ));
        self.registry.links.push(local);
    }

    /// Takes out of `src/extensions.ts` one binding of an import (`Some(range)`) or the whole
    /// import (`None`), and every `.use(...)` of what it bound.
    pub(super) fn remove_import(
        &mut self,
        registry: &Registry,
        index: usize,
        binding: Option<&Range<usize>>,
    ) {
        let text = registry.text.as_str();
        let import = &registry.imports[index];
        let bindings = import.named.len() + usize::from(import.default.is_some());
        let mut locals: Vec<&str> = Vec::new();
        if let Some((local, range)) = &import.default
            && binding.is_none_or(|b| b == range)
        {
            locals.push(local);
        }
        for named in &import.named {
            if binding.is_none_or(|b| *b == named.range) {
                locals.push(&named.local);
            }
        }
        match binding {
            Some(range) if bindings > 1 => {
                // Other names come from the same import: take out this specifier and its comma.
                let after = &text[range.end..];
                let comma = after
                    .find(|c: char| !c.is_whitespace())
                    .filter(|&i| after[i..].starts_with(','));
                let range = match comma {
                    Some(i) => {
                        let rest = &after[i + 1..];
                        range.start..range.end + i + 1 + (rest.len() - rest.trim_start().len())
                    }
                    None => match text[..range.start].trim_end().strip_suffix(',') {
                        Some(before) => before.len()..range.end,
                        None => range.clone(),
                    },
                };
                self.edit(REGISTRY_PATH, range, String::new());
            }
            _ => {
                let range = deletion_range(text, import.range.clone());
                self.edit(REGISTRY_PATH, range, String::new());
            }
        }
        // The links go in `finish_registry`, run by run, so that neighbours removed together
        // and links appended at the end never produce overlapping edits.
        for (index, link) in registry.chain.links.iter().enumerate() {
            if matches!(&link.arg, LinkArg::Ident(name) if locals.contains(&name.as_str())) {
                self.registry.removed_links.insert(index);
            }
        }
    }

    /// Adds the pending imports and links to `src/extensions.ts`, or writes it new.
    pub(super) fn finish_registry(&mut self) {
        let Some(registry) = self.registry.registry else {
            if !self.registry.links.is_empty() {
                let imports = std::mem::take(&mut self.registry.imports);
                let text = generate::registry(&imports, &self.registry.links, self.style);
                self.created.insert(REGISTRY_PATH.to_owned(), text);
            }
            return;
        };
        self.remove_links(registry);
        if self.registry.links.is_empty() {
            return;
        }
        let text = registry.text.as_str();
        let eol = self.registry.style.as_ref().map_or("\n", |s| s.code.eol);
        if !self.registry.imports.is_empty() {
            let (at, lines) = match registry.imports.last() {
                Some(last) => {
                    let at = line_end_after_eol(text, last.range.end);
                    let ends_with_eol = text[..at].ends_with('\n');
                    let mut lines = String::new();
                    if !ends_with_eol {
                        lines.push_str(eol);
                    }
                    for (i, line) in self.registry.imports.iter().enumerate() {
                        lines.push_str(line);
                        if ends_with_eol || i + 1 < self.registry.imports.len() {
                            lines.push_str(eol);
                        }
                    }
                    (at, lines)
                }
                None => {
                    let at = if text.starts_with('\u{feff}') { 3 } else { 0 };
                    let lines: String = self
                        .registry
                        .imports
                        .iter()
                        .map(|l| format!("{l}{eol}"))
                        .collect();
                    (at, lines)
                }
            };
            self.edit(REGISTRY_PATH, at..at, lines);
        }
        // New links go after the last link that stays (after `app()` when none does).
        let chain = &registry.chain;
        let removed = &self.registry.removed_links;
        let kept = (0..chain.links.len()).rev().find(|i| !removed.contains(i));
        let multiline = text[chain.range.clone()].contains('\n');
        let indent_of = kept.or_else(|| (!chain.links.is_empty()).then_some(0));
        let indent = match indent_of.map(|i| &chain.links[i]) {
            Some(link) if multiline => {
                let line = &text[line_start(text, link.range.start)..];
                let indent = &line[..line.len() - line.trim_start().len()];
                if indent.is_empty() { "  " } else { indent }.to_owned()
            }
            _ => "  ".to_owned(),
        };
        let links: String = self
            .registry
            .links
            .iter()
            .map(|local| {
                if multiline {
                    format!("{eol}{indent}.use({local})")
                } else {
                    format!(".use({local})")
                }
            })
            .collect();
        let mut end = match kept {
            Some(k) => chain.links[k].range.end,
            None => chain.links.first().map_or(chain.range.end, |l| l.prev_end),
        };
        // A comment after that link stays on its line: the new links go after it, which a
        // multi-line chain allows since the next line starts with `.`.
        if multiline {
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            let rest = text[end..line_end].trim_end_matches('\r').trim();
            let only_comment =
                rest.starts_with("//") || (rest.starts_with("/*") && rest.ends_with("*/"));
            if only_comment {
                end = line_end - usize::from(text[..line_end].ends_with('\r'));
            }
        }
        self.edit(REGISTRY_PATH, end..end, links);
    }

    /// Takes the removed `.use(...)` links out of the chain, each run of neighbours in one edit:
    /// a run at the end of the chain joins what follows it (`;`, a line end) to the link before
    /// it; a run alone on its lines takes those lines; otherwise only the run's own text goes,
    /// with the space before a comment that follows it.
    fn remove_links(&mut self, registry: &Registry) {
        let text = registry.text.as_str();
        let links = &registry.chain.links;
        let removed = self.registry.removed_links.clone();
        let mut i = 0;
        while i < links.len() {
            if !removed.contains(&i) {
                i += 1;
                continue;
            }
            let mut j = i;
            while removed.contains(&(j + 1)) {
                j += 1;
            }
            let (start, end) = (links[i].range.start, links[j].range.end);
            let prev_end = links[i].prev_end;
            let tail = j + 1 == links.len();
            let range = if tail && text[prev_end..start].trim().is_empty() {
                prev_end..end
            } else {
                let own_lines = deletion_range(text, start..end);
                if own_lines != (start..end) {
                    own_lines
                } else {
                    let rest = &text[end..];
                    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                    let first_on_line = text[line_start(text, start)..start].trim().is_empty();
                    if first_on_line && rest[spaces..].starts_with("//") {
                        start..end + spaces
                    } else {
                        start..end
                    }
                }
            };
            self.edit(REGISTRY_PATH, range, String::new());
            i = j + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_takes_the_whole_line_only_when_alone() {
        let text = "a\n  .use(x)\nb";
        assert_eq!(deletion_range(text, 4..11), 2..12);
        let text = "a.use(x).use(y);\n";
        assert_eq!(deletion_range(text, 1..8), 1..8);
    }
}
