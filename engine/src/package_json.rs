//! package.json: the `@wix/*` packages that event handlers import, added to `dependencies`.
//!
//! [`add_dependencies`] turns the text of an app's `package.json` and the packages its handlers
//! need into [`Edit`]s: insertions into the `dependencies` object, at the place npm would have
//! put them, in the file's own indentation, line ends and `:` spacing. It never reprints the
//! file: every byte outside the edits stays as it was, a missing final newline included. Byte
//! positions come from jsonc-parser's syntax tree, with its extensions to JSON turned off and
//! `serde_json` checking what it still lets through, so the file must be strict JSON (RFC 8259,
//! as npm reads it). Nothing here touches the disk.

use std::ops::Range;

use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use thiserror::Error;

use crate::changeset::Edit;

/// Top-level keys whose members count as already depended on. npm installs
/// `optionalDependencies` too, so a package listed there is not added again.
const DEPENDENCY_KEYS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// A `package.json` that wixsync cannot add dependencies to. Lines and columns count from 1;
/// columns count characters.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PackageJsonError {
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

/// The edits that add each of `wanted` (package name, version spec such as `"^1.0.1643"`) to the
/// `dependencies` of `text`, a `package.json`. The result is sorted by position and may be
/// empty.
///
/// - A name already in `dependencies`, `devDependencies`, `peerDependencies` or
///   `optionalDependencies` is left alone; a name wanted twice is added once, with its first
///   version.
/// - When the keys of `dependencies` are in byte order (as npm writes them), each new key goes
///   to its alphabetical place; otherwise the new keys follow the last one, in the order given.
/// - New members take the indentation of their neighbours, the file's line end (CRLF stays
///   CRLF) and the `:` spacing of an existing member. A one-line object such as
///   `{ "a": "1" }` stays on one line.
/// - An empty `dependencies` (`{}`) becomes a multi-line object, one level deeper than the
///   line that holds it (one line in a minified file).
/// - Without `dependencies`, a new top-level key is added before `devDependencies` when there
///   is one, otherwise after the last key, formatted like a multi-line object of the file.
///
/// The text is always checked, even when nothing is missing.
///
/// # Errors
///
/// [`PackageJsonError`] when `text` is not JSON, not an object, or its `dependencies` is not
/// an object.
pub fn add_dependencies(
    text: &str,
    wanted: &[(&str, &str)],
) -> Result<Vec<Edit>, PackageJsonError> {
    let root = parse(text)?;
    let Kind::Object(top) = &root.kind else {
        return Err(PackageJsonError::NotAnObject {
            found: root.kind.describe(),
        });
    };
    let deps = last_member(top, "dependencies");
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
    let present = |name: &str| {
        DEPENDENCY_KEYS.iter().any(|key| {
            last_member(top, key).is_some_and(|m| match &m.value.kind {
                Kind::Object(members) => members.iter().any(|d| d.key == name),
                _ => false,
            })
        })
    };
    let mut missing: Vec<(&str, &str)> = Vec::new();
    for &(name, version) in wanted {
        if !present(name) && !missing.iter().any(|&(n, _)| n == name) {
            missing.push((name, version));
        }
    }
    if missing.is_empty() {
        return Ok(Vec::new());
    }

    let style = Style::of(text, &root.span, top, deps);
    let entry = |&(name, version): &(&str, &str)| {
        format!("{}{}{}", quote(name), style.colon, quote(version))
    };
    let edits = match deps {
        Some(Member {
            value:
                Node {
                    kind: Kind::Object(members),
                    ..
                },
            ..
        }) if !members.is_empty() => {
            let sorted = members.windows(2).all(|w| w[0].key <= w[1].key);
            if sorted {
                missing.sort_by(|a, b| a.0.cmp(b.0));
            }
            let placed: Vec<(usize, String)> = missing
                .iter()
                .map(|item| {
                    let gap = if sorted {
                        members.partition_point(|m| m.key.as_str() < item.0)
                    } else {
                        members.len()
                    };
                    (gap, entry(item))
                })
                .collect();
            // New keys that share a gap go into one edit.
            placed
                .chunk_by(|a, b| a.0 == b.0)
                .map(|chunk| {
                    let items: Vec<String> = chunk.iter().map(|(_, e)| e.clone()).collect();
                    insert(text, members, chunk[0].0, &items, &style)
                })
                .collect()
        }
        Some(deps) => {
            missing.sort_by(|a, b| a.0.cmp(b.0));
            let items: Vec<String> = missing.iter().map(entry).collect();
            let outer = line_indent(text, deps.key_span.start);
            vec![expand_empty(text, &deps.value.span, &items, outer, &style)]
        }
        None => {
            missing.sort_by(|a, b| a.0.cmp(b.0));
            let items: Vec<String> = missing.iter().map(entry).collect();
            if top.is_empty() {
                let outer = line_indent(text, root.span.start);
                let inner = format!("{outer}{}", style.unit);
                let member = format!(
                    "{}{}{}",
                    quote("dependencies"),
                    style.colon,
                    block(&items, &inner, &style)
                );
                vec![expand_empty(text, &root.span, &[member], outer, &style)]
            } else {
                let gap = top
                    .iter()
                    .position(|m| m.key == "devDependencies")
                    .unwrap_or(top.len());
                let indent = match layout(text, top, gap) {
                    Layout::Lines(indent) => indent,
                    Layout::Inline(_) => "",
                };
                let member = format!(
                    "{}{}{}",
                    quote("dependencies"),
                    style.colon,
                    block(&items, indent, &style)
                );
                vec![insert(text, top, gap, &[member], &style)]
            }
        }
    };
    Ok(edits)
}

/// How the file writes JSON, read from the file.
struct Style {
    /// `"\r\n"` or `"\n"`.
    eol: &'static str,
    /// One level of indentation.
    unit: String,
    /// What goes between a key and its value, e.g. `": "`.
    colon: String,
    /// Whether objects go one member a line (false for a minified file).
    multiline: bool,
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
enum Layout<'t> {
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

/// Inserts `items` (whole members, `"key": value`) into the object of `members` (not empty), before
/// `members[gap]` (after the last member when `gap == members.len()`).
fn insert(text: &str, members: &[Member], gap: usize, items: &[String], style: &Style) -> Edit {
    let separator = match layout(text, members, gap) {
        Layout::Lines(indent) => format!("{}{indent}", style.eol),
        Layout::Inline(space) => space.to_owned(),
    };
    if gap == 0 {
        let at = members[0].key_span.start;
        Edit {
            range: at..at,
            text: items.iter().map(|i| format!("{i},{separator}")).collect(),
        }
    } else {
        let at = members[gap - 1].value.span.end;
        Edit {
            range: at..at,
            text: items.iter().map(|i| format!(",{separator}{i}")).collect(),
        }
    }
}

/// Replaces the inside of the empty object at `span` (whitespace only) with `items`, on their
/// own lines one level deeper than `outer`.
fn expand_empty(
    text: &str,
    span: &Range<usize>,
    items: &[String],
    outer: &str,
    style: &Style,
) -> Edit {
    let inside = span.start + 1..span.end - 1;
    debug_assert!(text[inside.clone()].trim().is_empty());
    let block = block(items, outer, style);
    Edit {
        range: inside,
        text: block[1..block.len() - 1].to_owned(),
    }
}

/// An object holding `items`, its closing brace indented by `outer`.
fn block(items: &[String], outer: &str, style: &Style) -> String {
    if !style.multiline {
        return format!("{{{}}}", items.join(","));
    }
    let eol = style.eol;
    let unit = &style.unit;
    let lines: Vec<String> = items
        .iter()
        .map(|i| format!("{eol}{outer}{unit}{i}"))
        .collect();
    format!("{{{}{eol}{outer}}}", lines.join(","))
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

/// `value` as a JSON string literal.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value and where it is.
struct Node {
    span: Range<usize>,
    kind: Kind,
}

enum Kind {
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
struct Member {
    /// The key, escapes decoded.
    key: String,
    /// The key's literal, quotes included.
    key_span: Range<usize>,
    value: Node,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changeset::apply_edits;

    /// Applies the edits for `wanted` to `text` after checking what every edit must keep: it
    /// replaces at most whitespace, the result is JSON equal to `text` plus the missing
    /// packages, and a second run adds nothing.
    fn add(text: &str, wanted: &[(&str, &str)]) -> String {
        let edits = add_dependencies(text, wanted).unwrap();
        for edit in &edits {
            assert!(
                text[edit.range.clone()].trim().is_empty(),
                "{edit:?} replaces more than whitespace"
            );
        }
        let out = apply_edits("package.json", text.as_bytes(), &edits).unwrap();
        let out = String::from_utf8(out).unwrap();
        let json = |t: &str| -> serde_json::Value {
            serde_json::from_str(t.trim_start_matches('\u{feff}')).unwrap()
        };
        let before = json(text);
        let mut expected = before.clone();
        for &(name, version) in wanted {
            let present = DEPENDENCY_KEYS
                .iter()
                .any(|key| before.get(key).and_then(|d| d.get(name)).is_some());
            if !present && expected["dependencies"].get(name).is_none() {
                expected["dependencies"][name] = version.into();
            }
        }
        assert_eq!(json(&out), expected);
        assert_eq!(add_dependencies(&out, wanted).unwrap(), Vec::new());
        out
    }

    const TEMPLATE: &str = r#"{
  "name": "acme-loyalty",
  "version": "0.0.1",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "wix build",
    "dev": "wix dev"
  },
  "dependencies": {
    "@wix/astro": "^2.74.0",
    "@wix/dashboard": "^1.3.21",
    "@wix/essentials": "^1.0.15",
    "react": "18.3.1"
  },
  "devDependencies": {
    "@wix/cli": "^1.1.247",
    "typescript": "^5.9.3"
  }
}
"#;

    #[test]
    fn sorted_keys_take_the_new_key_at_its_alphabetical_place() {
        let out = add(TEMPLATE, &[("@wix/crm", "^1.0.1643")]);
        assert_eq!(
            out,
            TEMPLATE.replace(
                "    \"@wix/astro\": \"^2.74.0\",\n",
                "    \"@wix/astro\": \"^2.74.0\",\n    \"@wix/crm\": \"^1.0.1643\",\n"
            )
        );
        assert_eq!(
            add_dependencies(TEMPLATE, &[("@wix/crm", "^1.0.1643")]).unwrap(),
            vec![Edit {
                range: 203..203,
                text: ",\n    \"@wix/crm\": \"^1.0.1643\"".into()
            }]
        );
    }

    #[test]
    fn four_spaces() {
        let text = "{\n    \"name\": \"northwind-sync\",\n    \"private\": true,\n    \"dependencies\": {\n        \"@wix/astro\": \"^2.74.0\",\n        \"@wix/essentials\": \"^1.0.15\"\n    }\n}\n";
        assert_eq!(
            add(text, &[("@wix/ecom", "^1.0.2509")]),
            "{\n    \"name\": \"northwind-sync\",\n    \"private\": true,\n    \"dependencies\": {\n        \"@wix/astro\": \"^2.74.0\",\n        \"@wix/ecom\": \"^1.0.2509\",\n        \"@wix/essentials\": \"^1.0.15\"\n    }\n}\n"
        );
    }

    #[test]
    fn tabs() {
        let text = "{\n\t\"name\": \"northwind-sync\",\n\t\"dependencies\": {\n\t\t\"@wix/astro\": \"^2.74.0\",\n\t\t\"@wix/essentials\": \"^1.0.15\"\n\t}\n}\n";
        assert_eq!(
            add(text, &[("@wix/ecom", "^1.0.2509")]),
            "{\n\t\"name\": \"northwind-sync\",\n\t\"dependencies\": {\n\t\t\"@wix/astro\": \"^2.74.0\",\n\t\t\"@wix/ecom\": \"^1.0.2509\",\n\t\t\"@wix/essentials\": \"^1.0.15\"\n\t}\n}\n"
        );
    }

    #[test]
    fn unsorted_keys_take_the_new_keys_after_the_last_in_the_order_given() {
        let text = r#"{
  "name": "acme-loyalty",
  "dependencies": {
    "react": "18.3.1",
    "@wix/astro": "^2.74.0",
    "@wix/essentials": "^1.0.15"
  }
}
"#;
        assert_eq!(
            add(
                text,
                &[("@wix/stores", "^1.0.400"), ("@wix/crm", "^1.0.1643")]
            ),
            r#"{
  "name": "acme-loyalty",
  "dependencies": {
    "react": "18.3.1",
    "@wix/astro": "^2.74.0",
    "@wix/essentials": "^1.0.15",
    "@wix/stores": "^1.0.400",
    "@wix/crm": "^1.0.1643"
  }
}
"#
        );
    }

    #[test]
    fn before_the_first_key_and_after_the_last() {
        let text = r#"{
  "name": "northwind-sync",
  "dependencies": {
    "@wix/crm": "^1.0.1643",
    "@wix/essentials": "^1.0.15"
  }
}
"#;
        assert_eq!(
            add(text, &[("@wix/bookings", "^1.0.900")]),
            r#"{
  "name": "northwind-sync",
  "dependencies": {
    "@wix/bookings": "^1.0.900",
    "@wix/crm": "^1.0.1643",
    "@wix/essentials": "^1.0.15"
  }
}
"#
        );
        assert_eq!(
            add(text, &[("@wix/stores", "^1.0.400")]),
            r#"{
  "name": "northwind-sync",
  "dependencies": {
    "@wix/crm": "^1.0.1643",
    "@wix/essentials": "^1.0.15",
    "@wix/stores": "^1.0.400"
  }
}
"#
        );
    }

    #[test]
    fn a_missing_final_newline_stays_missing() {
        let text = "{\n  \"name\": \"northwind-sync\",\n  \"dependencies\": {\n    \"@wix/astro\": \"^2.74.0\"\n  }\n}";
        assert_eq!(
            add(text, &[("@wix/ecom", "^1.0.2509")]),
            "{\n  \"name\": \"northwind-sync\",\n  \"dependencies\": {\n    \"@wix/astro\": \"^2.74.0\",\n    \"@wix/ecom\": \"^1.0.2509\"\n  }\n}"
        );
        // The same with no `dependencies`.
        let text = "{\n  \"name\": \"northwind-sync\"\n}";
        assert_eq!(
            add(text, &[("@wix/ecom", "^1.0.2509")]),
            "{\n  \"name\": \"northwind-sync\",\n  \"dependencies\": {\n    \"@wix/ecom\": \"^1.0.2509\"\n  }\n}"
        );
    }

    #[test]
    fn crlf_stays_crlf() {
        let text = TEMPLATE.replace('\n', "\r\n");
        let out = add(
            &text,
            &[("@wix/crm", "^1.0.1643"), ("@wix/stores", "^1.0.400")],
        );
        assert_eq!(
            out,
            text.replace(
                "    \"@wix/astro\": \"^2.74.0\",\r\n",
                "    \"@wix/astro\": \"^2.74.0\",\r\n    \"@wix/crm\": \"^1.0.1643\",\r\n"
            )
            .replace(
                "    \"@wix/essentials\": \"^1.0.15\",\r\n",
                "    \"@wix/essentials\": \"^1.0.15\",\r\n    \"@wix/stores\": \"^1.0.400\",\r\n"
            )
        );
        assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
    }

    #[test]
    fn no_dependencies_goes_before_dev_dependencies() {
        let text = r#"{
  "name": "acme-loyalty",
  "private": true,
  "devDependencies": {
    "@wix/cli": "^1.1.247"
  }
}
"#;
        assert_eq!(
            add(
                text,
                &[("@wix/ecom", "^1.0.2509"), ("@wix/crm", "^1.0.1643")]
            ),
            r#"{
  "name": "acme-loyalty",
  "private": true,
  "dependencies": {
    "@wix/crm": "^1.0.1643",
    "@wix/ecom": "^1.0.2509"
  },
  "devDependencies": {
    "@wix/cli": "^1.1.247"
  }
}
"#
        );
    }

    #[test]
    fn no_dependencies_and_no_dev_dependencies_goes_last() {
        let text = "{\r\n\t\"name\": \"acme-loyalty\",\r\n\t\"scripts\": {\r\n\t\t\"dev\": \"wix dev\"\r\n\t}\r\n}\r\n";
        assert_eq!(
            add(text, &[("@wix/crm", "^1.0.1643")]),
            "{\r\n\t\"name\": \"acme-loyalty\",\r\n\t\"scripts\": {\r\n\t\t\"dev\": \"wix dev\"\r\n\t},\r\n\t\"dependencies\": {\r\n\t\t\"@wix/crm\": \"^1.0.1643\"\r\n\t}\r\n}\r\n"
        );
    }

    #[test]
    fn an_empty_object_is_expanded() {
        let text = r#"{
  "name": "acme-loyalty",
  "dependencies": {},
  "devDependencies": {
    "@wix/cli": "^1.1.247"
  }
}
"#;
        assert_eq!(
            add(
                text,
                &[("@wix/ecom", "^1.0.2509"), ("@wix/crm", "^1.0.1643")]
            ),
            r#"{
  "name": "acme-loyalty",
  "dependencies": {
    "@wix/crm": "^1.0.1643",
    "@wix/ecom": "^1.0.2509"
  },
  "devDependencies": {
    "@wix/cli": "^1.1.247"
  }
}
"#
        );
        let text = "{\n    \"dependencies\": { }\n}\n";
        assert_eq!(
            add(text, &[("@wix/crm", "^1.0.1643")]),
            "{\n    \"dependencies\": {\n        \"@wix/crm\": \"^1.0.1643\"\n    }\n}\n"
        );
        assert_eq!(
            add("{}", &[("@wix/crm", "^1.0.1643")]),
            "{\n  \"dependencies\": {\n    \"@wix/crm\": \"^1.0.1643\"\n  }\n}"
        );
    }

    #[test]
    fn one_line_objects_stay_on_one_line() {
        let text = r#"{"name":"acme","dependencies":{"@wix/astro":"^2.74.0"}}"#;
        assert_eq!(
            add(text, &[("@wix/crm", "^1.0.1643")]),
            r#"{"name":"acme","dependencies":{"@wix/astro":"^2.74.0","@wix/crm":"^1.0.1643"}}"#
        );
        let text = r#"{"name":"acme","dependencies":{}}"#;
        assert_eq!(
            add(text, &[("@wix/crm", "^1.0.1643")]),
            r#"{"name":"acme","dependencies":{"@wix/crm":"^1.0.1643"}}"#
        );
        let text = "{\n  \"name\": \"acme\",\n  \"dependencies\": { \"react\": \"18.3.1\" }\n}\n";
        assert_eq!(
            add(text, &[("@wix/crm", "^1.0.1643")]),
            "{\n  \"name\": \"acme\",\n  \"dependencies\": { \"@wix/crm\": \"^1.0.1643\", \"react\": \"18.3.1\" }\n}\n"
        );
    }

    #[test]
    fn a_package_already_depended_on_is_left_alone() {
        let text = TEMPLATE.replace(
            "\"@wix/cli\"",
            "\"@wix/crm\": \"^1.0.1643\",\n    \"@wix/cli\"",
        );
        assert_eq!(
            add_dependencies(&text, &[("@wix/crm", "^1.0.1700")]).unwrap(),
            Vec::new()
        );
        assert_eq!(
            add_dependencies(TEMPLATE, &[("@wix/astro", "^3.0.0"), ("react", "19.0.0")]).unwrap(),
            Vec::new()
        );
        let peer = "{\n  \"peerDependencies\": {\n    \"@wix/crm\": \"*\"\n  }\n}\n";
        assert_eq!(
            add_dependencies(peer, &[("@wix/crm", "^1")]).unwrap(),
            Vec::new()
        );
        // A key written with an escape is the same name.
        let escaped = "{\n  \"dependencies\": {\n    \"@wix\\/crm\": \"^1\"\n  }\n}\n";
        assert_eq!(
            add_dependencies(escaped, &[("@wix/crm", "^1")]).unwrap(),
            Vec::new()
        );
    }

    #[test]
    fn two_packages_at_once_one_wanted_twice() {
        let out = add(
            TEMPLATE,
            &[
                ("@wix/stores", "^1.0.400"),
                ("@wix/crm", "^1.0.1643"),
                ("@wix/stores", "^2.0.0"),
                ("@wix/essentials", "^1.0.15"),
            ],
        );
        assert_eq!(
            out,
            r#"{
  "name": "acme-loyalty",
  "version": "0.0.1",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "wix build",
    "dev": "wix dev"
  },
  "dependencies": {
    "@wix/astro": "^2.74.0",
    "@wix/crm": "^1.0.1643",
    "@wix/dashboard": "^1.3.21",
    "@wix/essentials": "^1.0.15",
    "@wix/stores": "^1.0.400",
    "react": "18.3.1"
  },
  "devDependencies": {
    "@wix/cli": "^1.1.247",
    "typescript": "^5.9.3"
  }
}
"#
        );
        // Two new keys in one gap make one edit.
        let edits = add_dependencies(
            TEMPLATE,
            &[("@wix/crm", "^1.0.1643"), ("@wix/bookings", "^1.0.900")],
        )
        .unwrap();
        assert_eq!(
            edits,
            vec![Edit {
                range: 203..203,
                text: ",\n    \"@wix/bookings\": \"^1.0.900\",\n    \"@wix/crm\": \"^1.0.1643\""
                    .into()
            }]
        );
    }

    #[test]
    fn a_byte_order_mark_is_kept() {
        let text = format!("\u{feff}{TEMPLATE}");
        let out = add(&text, &[("@wix/crm", "^1.0.1643")]);
        assert!(out.starts_with("\u{feff}{\n  \"name\""));
    }

    #[test]
    fn invalid_json_is_an_error_with_its_place() {
        let text = "{\n  \"name\": \"acme\",\n  \"dependencies\": {\n    \"@wix/astro\": \"^2.74.0\",\n  }\n}\n";
        let err = add_dependencies(text, &[("@wix/crm", "^1")]).unwrap_err();
        assert_eq!(
            err,
            PackageJsonError::Syntax {
                message: "trailing commas are not allowed".into(),
                offset: 67,
                line: 4,
                column: 28,
            }
        );
        assert_eq!(
            err.to_string(),
            "package.json is not valid JSON: trailing commas are not allowed at line 4, column 28"
        );
        let err = add_dependencies("{\n  \"name\": 'acme'\n}\n", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "package.json is not valid JSON: single-quoted strings are not allowed at line 2, column 11"
        );
        for bad in [
            "",
            "{",
            "{\"a\" 1}",
            "{\"a\": 01}",
            "{\"a\": 1.}",
            "{\"a\": \"\\x\"}",
            "{\"a\": \"\n\"}",
            "{\"a\": tru}",
            "{} {}",
            "{\"a\": [1,]}",
        ] {
            assert!(
                matches!(
                    add_dependencies(bad, &[]),
                    Err(PackageJsonError::Syntax { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            add_dependencies("[]", &[]),
            Err(PackageJsonError::NotAnObject { found: "an array" })
        );
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(add_dependencies(&deep, &[]).is_err());
    }

    #[test]
    fn dependencies_that_is_not_an_object_is_an_error() {
        let text = "{\n  \"name\": \"acme\",\n  \"dependencies\": [\"@wix/astro\"]\n}\n";
        let err = add_dependencies(text, &[("@wix/crm", "^1")]).unwrap_err();
        assert_eq!(
            err,
            PackageJsonError::DependenciesNotAnObject {
                found: "an array",
                offset: 38,
                line: 3,
                column: 19,
            }
        );
        assert!(err.to_string().starts_with(
            "`dependencies` in package.json is an array at line 3, column 19; it must be an object"
        ));
    }

    #[test]
    fn the_scanner_reads_every_kind_of_value() {
        let text = r#"{
  "name": "acme",
  "n": [-0, 1.5e+3, 2E-2, true, false, null, {"x": ["\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"]}],
  "dependencies": {
    "@wix/astro": "^2.74.0"
  }
}
"#;
        assert_eq!(
            add(text, &[("@wix/crm", "^1.0.1643")]),
            text.replace(
                "\"^2.74.0\"\n",
                "\"^2.74.0\",\n    \"@wix/crm\": \"^1.0.1643\"\n"
            )
        );
    }
}
