//! `package.json`: one strict parse of the app's dependencies file, with the byte spans and
//! the formatting later stages need.
//!
//! [`PackageJson::parse`] reads the file as npm does (strict JSON, RFC 8259; a leading
//! byte-order mark skipped): byte positions come from jsonc-parser's syntax tree with its
//! extensions to JSON turned off, and `serde_json` checks what it still lets through. It
//! records every top-level member with its span, which packages are declared, and the file's
//! style (line ends, indentation, `:` spacing, one-line objects), so that the changeset can add
//! a dependency where npm would put it without parsing the file again.

use std::ops::Range;

use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use thiserror::Error;

/// Top-level keys whose members count as already depended on. npm installs
/// `optionalDependencies` too, so a package listed there is not added again.
pub(crate) const DEPENDENCY_KEYS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// A `package.json` that wixsync cannot add dependencies to. Lines and columns count from 1;
/// columns count characters.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PackageJsonError {
    /// The file is not UTF-8.
    #[error("package.json is not UTF-8 text")]
    NotUtf8,
    /// The text is not JSON.
    #[error("package.json is not valid JSON: {message} at line {line}, column {column}")]
    Syntax {
        /// What is wrong, e.g. "trailing commas are not allowed".
        message: String,
        /// Byte offset of the problem.
        offset: usize,
        /// Its line.
        line: usize,
        /// Its column.
        column: usize,
    },
    /// The JSON is not an object.
    #[error("package.json must hold a JSON object ({{ \"name\": ... }}), but it holds {found}")]
    NotAnObject {
        /// What it holds: "an array", "a string", ...
        found: &'static str,
    },
    /// `dependencies` is something other than an object.
    #[error(
        "`dependencies` in package.json is {found} at line {line}, column {column}; it must be an \
         object mapping package names to versions, like {{ \"@wix/crm\": \"^1.0.0\" }}"
    )]
    DependenciesNotAnObject {
        /// What it is: "an array", "a string", ...
        found: &'static str,
        /// Byte offset of the value.
        offset: usize,
        /// Its line.
        line: usize,
        /// Its column.
        column: usize,
    },
}

/// `package.json`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageJson {
    /// The file's text.
    pub(crate) text: String,
    /// The span of the top-level object.
    pub(crate) root: Range<usize>,
    /// The top-level members, in order.
    pub(crate) top: Vec<Member>,
    /// How the file writes JSON.
    pub(crate) style: Style,
}

impl PackageJson {
    /// Parses `text`, the content of `package.json`.
    ///
    /// # Errors
    ///
    /// [`PackageJsonError`] when `text` is not JSON, not an object, or its `dependencies` is not
    /// an object.
    pub fn parse(text: &str) -> Result<PackageJson, PackageJsonError> {
        let root = parse(text)?;
        let Kind::Object(top) = root.kind else {
            return Err(PackageJsonError::NotAnObject {
                found: root.kind.describe(),
            });
        };
        let deps = last_member(&top, "dependencies");
        if let Some(deps) = deps
            && !matches!(deps.value.kind, Kind::Object(_))
        {
            let (line, column) = line_column(text, deps.value.span.start);
            return Err(PackageJsonError::DependenciesNotAnObject {
                found: deps.value.kind.describe(),
                offset: deps.value.span.start,
                line,
                column,
            });
        }
        let style = Style::of(text, &root.span, &top, deps);
        Ok(PackageJson {
            text: text.to_owned(),
            root: root.span,
            top,
            style,
        })
    }

    /// Whether `name` is in `dependencies`, `devDependencies`, `peerDependencies` or
    /// `optionalDependencies`.
    pub fn declares(&self, name: &str) -> bool {
        DEPENDENCY_KEYS.iter().any(|key| {
            last_member(&self.top, key).is_some_and(|m| match &m.value.kind {
                Kind::Object(members) => members.iter().any(|d| d.key == name),
                _ => false,
            })
        })
    }

    /// The `dependencies` member: the last one, which `JSON.parse`, and so npm, keeps.
    pub(crate) fn dependencies(&self) -> Option<&Member> {
        last_member(&self.top, "dependencies")
    }

    /// The layout of `members` (not empty), seen from the gap before `members[gap]`.
    pub(crate) fn layout(&self, members: &[Member], gap: usize) -> Layout<'_> {
        layout(&self.text, members, gap)
    }

    /// The leading whitespace of the line that holds `pos`.
    pub(crate) fn line_indent(&self, pos: usize) -> &str {
        line_indent(&self.text, pos)
    }
}

/// How the file writes JSON, read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Style {
    /// `"\r\n"` or `"\n"`.
    pub(crate) eol: &'static str,
    /// One level of indentation.
    pub(crate) unit: String,
    /// What goes between a key and its value, e.g. `": "`.
    pub(crate) colon: String,
    /// Whether objects go one member a line (false for a minified file).
    pub(crate) multiline: bool,
}

impl Style {
    fn of(text: &str, root: &Range<usize>, top: &[Member], deps: Option<&Member>) -> Style {
        let deps_span = deps.map_or(0..0, |d| d.value.span.clone());
        let eol = match text[deps_span.clone()]
            .find('\n')
            .map(|i| deps_span.start + i)
            .or_else(|| text.find('\n'))
        {
            Some(i) if text[..i].ends_with('\r') => "\r\n",
            _ => "\n",
        };
        let deps_members = match deps.map(|d| &d.value.kind) {
            Some(Kind::Object(members)) => members.as_slice(),
            _ => &[],
        };
        let colon = deps_members
            .iter()
            .chain(top)
            .map(|m| &text[m.key_span.end..m.value.span.start])
            .find(|c| !c.contains('\n'))
            .unwrap_or(": ")
            .to_owned();
        let root_indent = line_indent(text, root.start);
        let unit = top
            .iter()
            .find_map(|m| own_line_indent(text, m.key_span.start))
            .and_then(|indent| indent.strip_prefix(root_indent))
            .filter(|unit| !unit.is_empty())
            .unwrap_or("  ")
            .to_owned();
        let multiline = top.is_empty() || matches!(layout(text, top, 0), Layout::Lines(_));
        Style {
            eol,
            unit,
            colon,
            multiline,
        }
    }
}

/// How the members of a non-empty object are laid out.
pub(crate) enum Layout<'t> {
    /// One a line, with this indentation (of the member next to the gap when it has its own
    /// line).
    Lines(&'t str),
    /// On one line, separated by `,` and this whitespace.
    Inline(&'t str),
}

/// The layout of `members` (not empty), seen from the gap before `members[gap]`.
fn layout<'t>(text: &'t str, members: &[Member], gap: usize) -> Layout<'t> {
    let own_line = |i: usize| {
        members
            .get(i)
            .and_then(|m| own_line_indent(text, m.key_span.start))
    };
    let near = own_line(gap).or_else(|| gap.checked_sub(1).and_then(own_line));
    if let Some(indent) = near.or_else(|| (0..members.len()).find_map(own_line)) {
        return Layout::Lines(indent);
    }
    match members {
        [first, second, ..] => {
            let between = &text[first.value.span.end..second.key_span.start];
            Layout::Inline(between.split_once(',').map_or("", |(_, after)| after))
        }
        [only] => {
            let after_colon = &text[only.key_span.end..only.value.span.start];
            Layout::Inline(if after_colon.ends_with(' ') { " " } else { "" })
        }
        [] => Layout::Inline(""),
    }
}

/// The last member named `key`: the one `JSON.parse`, and so npm, keeps.
fn last_member<'m>(members: &'m [Member], key: &str) -> Option<&'m Member> {
    members.iter().rev().find(|m| m.key == key)
}

/// The whitespace before `pos` when nothing else precedes it on its line.
fn own_line_indent(text: &str, pos: usize) -> Option<&str> {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..pos];
    before
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(before)
}

/// The leading whitespace of the line that holds `pos`.
fn line_indent(text: &str, pos: usize) -> &str {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// 1-based line and column (in characters, a byte-order mark not counted) of `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..]
        .trim_start_matches('\u{feff}')
        .chars()
        .count()
        + 1;
    (line, column)
}

/// A JSON value and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub(crate) span: Range<usize>,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Object(Vec<Member>),
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl Kind {
    fn describe(&self) -> &'static str {
        match self {
            Kind::Object(_) => "an object",
            Kind::Array => "an array",
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
            Kind::Null => "null",
        }
    }
}

/// `"key": value` in an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// The key, escapes decoded.
    pub(crate) key: String,
    /// The key's literal, quotes included.
    pub(crate) key_span: Range<usize>,
    /// The value.
    pub(crate) value: Node,
}

/// jsonc-parser with every extension to JSON turned off.
const STRICT: ParseOptions = ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// The value `text` holds; a leading byte-order mark is skipped, as npm does. Spans are
/// byte ranges of `text`, the mark included.
fn parse(text: &str) -> Result<Node, PackageJsonError> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let syntax = |mut offset: usize, message: String| {
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, column) = line_column(text, offset);
        PackageJsonError::Syntax {
            message,
            offset,
            line,
            column,
        }
    };
    let parsed = parse_to_ast(body, &CollectOptions::default(), &STRICT).map_err(|e| {
        // "Trailing commas are not allowed" reads on as "trailing commas are not allowed".
        let mut message = e.kind().to_string();
        if let Some(first) = message.get_mut(..1) {
            first.make_ascii_lowercase();
        }
        syntax(bom + e.range().start, message)
    })?;
    // Even strict, jsonc-parser takes control characters in strings, whitespace beyond JSON's
    // four and nesting deeper than `serde_json`'s 128 levels, which bounds our recursion too.
    if let Err(e) = serde_json::from_str::<serde_json::Value>(body) {
        let line_start: usize = body
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum();
        let offset = (bom + line_start + e.column().saturating_sub(1)).min(text.len());
        // The message without serde_json's " at line 1 column 2": ours says it in characters.
        let mut message = e.to_string();
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        return Err(syntax(offset, message));
    }
    let value = parsed
        .value
        .ok_or_else(|| syntax(text.len(), "no JSON value".to_owned()))?;
    Ok(Node::new(&value, bom))
}

impl Node {
    /// `value`, its spans moved `shift` bytes on.
    fn new(value: &Value, shift: usize) -> Node {
        let span = |r: jsonc_parser::common::Range| r.start + shift..r.end + shift;
        let kind = match value {
            Value::Object(object) => Kind::Object(
                object
                    .properties
                    .iter()
                    .map(|p| Member {
                        key: p.name.as_str().to_owned(),
                        key_span: span(p.name.range()),
                        value: Node::new(&p.value, shift),
                    })
                    .collect(),
            ),
            Value::Array(_) => Kind::Array,
            Value::StringLit(_) => Kind::String,
            Value::NumberLit(_) => Kind::Number,
            Value::BooleanLit(_) => Kind::Bool,
            Value::NullKeyword(_) => Kind::Null,
        };
        Node {
            span: span(value.range()),
            kind,
        }
    }
}
