//! The `@wix/*` packages that event handlers import, added to `package.json`'s `dependencies`.
//!
//! [`add_dependencies`] turns the scanned [`PackageJson`] and the packages the handlers need
//! into [`Edit`]s: insertions into the `dependencies` object, at the place npm would have put
//! them, in the file's own indentation, line ends and `:` spacing. It never reprints the file:
//! every byte outside the edits stays as it was, a missing final newline included.

use std::ops::Range;

use crate::edit::Edit;
use crate::scan::package_json::{Kind, Layout, Member, Node, PackageJson, Style};

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
pub fn add_dependencies(package: &PackageJson, wanted: &[(&str, &str)]) -> Vec<Edit> {
    let mut missing: Vec<(&str, &str)> = Vec::new();
    for &(name, version) in wanted {
        if !package.declares(name) && !missing.iter().any(|&(n, _)| n == name) {
            missing.push((name, version));
        }
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let text = package.text.as_str();
    let top = &package.top;
    let deps = package.dependencies();
    let style = &package.style;
    let entry = |&(name, version): &(&str, &str)| {
        format!("{}{}{}", quote(name), style.colon, quote(version))
    };
    match deps {
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
                    insert(package, members, chunk[0].0, &items)
                })
                .collect()
        }
        Some(deps) => {
            missing.sort_by(|a, b| a.0.cmp(b.0));
            let items: Vec<String> = missing.iter().map(entry).collect();
            let outer = package.line_indent(deps.key_span.start);
            vec![expand_empty(text, &deps.value.span, &items, outer, style)]
        }
        None => {
            missing.sort_by(|a, b| a.0.cmp(b.0));
            let items: Vec<String> = missing.iter().map(entry).collect();
            if top.is_empty() {
                let outer = package.line_indent(package.root.start);
                let inner = format!("{outer}{}", style.unit);
                let member = format!(
                    "{}{}{}",
                    quote("dependencies"),
                    style.colon,
                    block(&items, &inner, style)
                );
                vec![expand_empty(text, &package.root, &[member], outer, style)]
            } else {
                let gap = top
                    .iter()
                    .position(|m| m.key == "devDependencies")
                    .unwrap_or(top.len());
                let indent = match package.layout(top, gap) {
                    Layout::Lines(indent) => indent,
                    Layout::Inline(_) => "",
                };
                let member = format!(
                    "{}{}{}",
                    quote("dependencies"),
                    style.colon,
                    block(&items, indent, style)
                );
                vec![insert(package, top, gap, &[member])]
            }
        }
    }
}

/// Inserts `items` (whole members, `"key": value`) into the object of `members` (not empty), before
/// `members[gap]` (after the last member when `gap == members.len()`).
fn insert(package: &PackageJson, members: &[Member], gap: usize, items: &[String]) -> Edit {
    let style = &package.style;
    let separator = match package.layout(members, gap) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply_edits;
    use crate::scan::package_json::{DEPENDENCY_KEYS, PackageJsonError};

    fn add_dependencies(
        text: &str,
        wanted: &[(&str, &str)],
    ) -> Result<Vec<Edit>, PackageJsonError> {
        Ok(super::add_dependencies(&PackageJson::parse(text)?, wanted))
    }

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
