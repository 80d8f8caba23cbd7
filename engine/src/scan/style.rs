//! Style: how the app writes code, read once, for what wixsync adds.
//!
//! Three facts: the style of new files ([`CodeStyle`], from the app's event files and its
//! Prettier settings), the style of `src/extensions.ts` ([`RegistryStyle`], from its imports),
//! and, in `package_json`, the style of `package.json`. Later stages take these as given and
//! never look at the text for them again.

use serde::Deserialize;

use super::registry::Import;
use crate::tree::{AppTree, EVENTS_DIR, PRETTIER_FILES};

/// The formatting of new code: quotes, semicolons, indentation and line ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeStyle {
    /// `'` or `"`.
    pub quote: char,
    /// Whether statements end with `;`.
    pub semicolons: bool,
    /// One level of indentation: spaces or a tab.
    pub indent: String,
    /// `"\n"` or `"\r\n"`.
    pub eol: &'static str,
}

impl Default for CodeStyle {
    /// What `wix generate` writes: single quotes, semicolons, two spaces, LF.
    fn default() -> Self {
        CodeStyle {
            quote: '\'',
            semicolons: true,
            indent: "  ".to_owned(),
            eol: "\n",
        }
    }
}

impl CodeStyle {
    /// `text` as a string literal in this style.
    pub fn quoted(&self, text: &str) -> String {
        let q = self.quote;
        format!(
            "{q}{}{q}",
            text.replace('\\', "\\\\").replace(q, &format!("\\{q}"))
        )
    }

    pub(crate) fn semi(&self) -> &'static str {
        if self.semicolons { ";" } else { "" }
    }

    /// Joins `lines` with this style's line end, with a final line end.
    pub(crate) fn lines(&self, lines: &[String]) -> String {
        let mut out = lines.join(self.eol);
        out.push_str(self.eol);
        out
    }
}

/// The Prettier options that shape new files (`.prettierrc`, JSON or YAML).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Prettier {
    single_quote: Option<bool>,
    semi: Option<bool>,
    tab_width: Option<usize>,
    use_tabs: Option<bool>,
}

fn prettier(tree: &AppTree) -> Option<Prettier> {
    PRETTIER_FILES.iter().find_map(|name| {
        let text = tree.text(name)?;
        serde_json::from_str(text)
            .ok()
            .or_else(|| serde_saphyr::from_str(text).ok())
    })
}

/// The style of new files: the app's prevailing style (read off its event builders and
/// handlers: quotes and semicolons of their import lines, the first indented line, line ends),
/// then `.prettierrc`'s `singleQuote`, `semi`, `tabWidth` and `useTabs` where set, and what
/// `wix generate` writes for anything neither decides.
pub fn app_style(tree: &AppTree) -> CodeStyle {
    let mut style = CodeStyle::default();
    let prefix = format!("{EVENTS_DIR}/");
    let texts: Vec<&str> = tree
        .event_folders()
        .iter()
        .flat_map(|folder| tree.files_in_folder(folder))
        .filter(|path| path.starts_with(&prefix) && path.ends_with(".ts"))
        .filter_map(|path| tree.text(path))
        .collect();
    let imports: Vec<&str> = texts
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| l.starts_with("import ") && l.contains(" from "))
        .map(|l| l.trim_end())
        .collect();
    let majority = |yes: usize, total: usize| total > 0 && yes * 2 > total;
    if !imports.is_empty() {
        let double = imports.iter().filter(|l| l.contains(" from \"")).count();
        if majority(double, imports.len()) {
            style.quote = '"';
        }
        let semis = imports.iter().filter(|l| l.ends_with(';')).count();
        style.semicolons = semis * 2 >= imports.len();
    }
    if let Some(indent) = texts
        .iter()
        .flat_map(|t| t.lines())
        .find(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty())
        .map(|l| &l[..l.len() - l.trim_start().len()])
    {
        style.indent = indent.to_owned();
    }
    let crlf = texts.iter().filter(|t| t.contains("\r\n")).count();
    if majority(crlf, texts.len()) {
        style.eol = "\r\n";
    }
    if let Some(p) = prettier(tree) {
        if let Some(single) = p.single_quote {
            style.quote = if single { '\'' } else { '"' };
        }
        if let Some(semi) = p.semi {
            style.semicolons = semi;
        }
        match (p.use_tabs, p.tab_width) {
            (Some(true), _) => style.indent = "\t".to_owned(),
            (_, Some(width)) => style.indent = " ".repeat(width.clamp(1, 16)),
            _ => {}
        }
    }
    style
}

/// The style of what wixsync adds to `src/extensions.ts`, read off the file: its event
/// imports decide first, then its other imports, then what `wix generate` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryStyle {
    /// Quotes, semicolons and line ends.
    pub code: CodeStyle,
    /// Whether import paths end in `.ts`.
    pub ts_suffix: bool,
}

/// Reads the style of `src/extensions.ts` (its `text`) off its imports.
pub(crate) fn registry_style(imports: &[Import], text: &str) -> RegistryStyle {
    let is_event = |spec: &str| spec.starts_with("./extensions/backend/events/");
    let relative: Vec<_> = imports
        .iter()
        .filter(|i| i.specifier.value.starts_with("./"))
        .collect();
    let events: Vec<_> = relative
        .iter()
        .filter(|i| is_event(&i.specifier.value))
        .copied()
        .collect();
    let pick = |group: &[&Import], f: &dyn Fn(&Import) -> bool, fallback: bool| {
        let yes = group.iter().filter(|i| f(i)).count();
        let no = group.len() - yes;
        if yes == no {
            group.last().map_or(fallback, |i| f(i))
        } else {
            yes > no
        }
    };
    let source: Vec<&Import> = if events.is_empty() {
        imports.iter().collect()
    } else {
        events.clone()
    };
    let suffix_group = if events.is_empty() {
        &relative
    } else {
        &events
    };
    let double = pick(&source, &|i| i.specifier.quote == '"', false);
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
