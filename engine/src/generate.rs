//! The text of code wixsync writes from scratch: new builders, handlers, import lines and a
//! new `src/extensions.ts`.
//!
//! Every function here is pure. The shapes follow what `wix generate` writes (`@wix/cli`
//! 1.1.247, see docs/wix-facts.md), in the app's style when it has one.

use heck::{ToLowerCamelCase, ToUpperCamelCase};
use wixsync_schema::{EventRef, ExportStyle};

pub use crate::scan::CodeStyle;
use crate::tree::handler_source;

/// JavaScript's reserved words and the strict-mode ones: names a binding may not take.
const RESERVED: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Whether `name` may be used as a binding.
pub fn is_bindable(name: &str) -> bool {
    wixsync_schema::is_identifier(name) && !RESERVED.contains(&name)
}

/// The local name the CLI convention gives a folder's default-exported builder:
/// the camelCase of the folder (`contact-created` → `contactCreated`).
pub fn default_local_name(folder: &str) -> String {
    folder.to_lower_camel_case()
}

/// The export name of the named convention: `event` + PascalCase of the folder
/// (`contact-created` → `eventContactCreated`).
pub fn named_export_name(folder: &str) -> String {
    format!("event{}", folder.to_upper_camel_case())
}

/// A builder file: `extensions.event({ id, source })`, exported in `export` style.
pub fn builder(folder: &str, id: &str, export: ExportStyle, style: &CodeStyle) -> String {
    let i = &style.indent;
    let head = match export {
        ExportStyle::Default => "export default extensions.event({".to_owned(),
        ExportStyle::Named => format!(
            "export const {} = extensions.event({{",
            named_export_name(folder)
        ),
    };
    style.lines(&[
        format!(
            "import {{ extensions }} from {}{}",
            style.quoted("@wix/astro/builders"),
            style.semi()
        ),
        String::new(),
        head,
        format!("{i}id: {},", style.quoted(id)),
        format!("{i}source: {},", style.quoted(&handler_source(folder))),
        format!("}}){}", style.semi()),
    ])
}

/// A handler file: default-exports the subscription to `event`, with an async body that
/// catches, logs and rethrows.
///
/// The body reads `event.metadata.instanceId`, the one field every event's envelope has: 35 of
/// the 351 catalog events (the legacy ones, such as `appInstances.onAppInstanceInstalled`)
/// carry `BaseEventMetadata`, which lacks `_id`, `entityId` and `eventTime`, so a body using
/// `event.metadata._id` would not type-check for them (checked with `tsc` against the
/// packages in `compat/package-lock.json`).
pub fn handler(folder: &str, event: &EventRef, style: &CodeStyle) -> String {
    let i = &style.indent;
    let semi = style.semi();
    let [received, failed] = handler_log_labels(folder, style);
    style.lines(&[
        format!(
            "import {{ {} }} from {}{semi}",
            event.namespace,
            style.quoted(&event.npm_package())
        ),
        String::new(),
        "// Wix delivers each event at least once: make this handler safe to run twice.".to_owned(),
        format!(
            "export default {}.{}(async (event) => {{",
            event.namespace, event.function
        ),
        format!("{i}try {{"),
        format!("{i}{i}console.log({received}, event.metadata.instanceId){semi}"),
        format!("{i}}} catch (error) {{"),
        format!("{i}{i}console.error({failed}, error){semi}"),
        format!("{i}{i}throw error{semi}"),
        format!("{i}}}"),
        format!("}}){semi}"),
    ])
}

/// The two string literals a generated handler logs, which name its folder:
/// `'<folder>: received'` and `'<folder>: failed'`, quoted in `style`.
pub fn handler_log_labels(folder: &str, style: &CodeStyle) -> [String; 2] {
    [
        style.quoted(&format!("{folder}: received")),
        style.quoted(&format!("{folder}: failed")),
    ]
}

/// The module specifier `src/extensions.ts` uses for a folder's builder, with or without the
/// `.ts` suffix.
pub fn builder_specifier(folder: &str, ts_suffix: bool) -> String {
    let suffix = if ts_suffix { ".ts" } else { "" };
    format!("./extensions/backend/events/{folder}/{folder}.extension{suffix}")
}

/// One import line of `src/extensions.ts` binding a folder's builder, exported as `export`
/// (`None`: its default export), to `local`, without its line end.
pub fn registry_import(
    folder: &str,
    export: Option<&str>,
    local: &str,
    ts_suffix: bool,
    style: &CodeStyle,
) -> String {
    let binding = match export {
        None => local.to_owned(),
        Some(name) => {
            if name == local {
                format!("{{ {name} }}")
            } else {
                format!("{{ {name} as {local} }}")
            }
        }
    };
    format!(
        "import {binding} from {}{}",
        style.quoted(&builder_specifier(folder, ts_suffix)),
        style.semi()
    )
}

/// A new `src/extensions.ts` in the template's shape (docs/wix-facts.md): the `app` import, one
/// import per builder, and a multi-line chain with no final semicolon.
pub fn registry(imports: &[String], locals: &[String], style: &CodeStyle) -> String {
    let mut lines = vec![format!(
        "import {{ app }} from {}{}",
        style.quoted("@wix/astro/builders"),
        style.semi()
    )];
    lines.extend(imports.iter().cloned());
    lines.push(String::new());
    lines.push("export default app()".to_owned());
    lines.extend(locals.iter().map(|l| format!("{}.use({l})", style.indent)));
    style.lines(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(default_local_name("contact-created"), "contactCreated");
        assert_eq!(default_local_name("order2-paid"), "order2Paid");
        assert_eq!(named_export_name("contact-created"), "eventContactCreated");
        assert!(!is_bindable(&default_local_name("delete")));
    }

    #[test]
    fn builder_as_wix_generate_writes_it() {
        let text = builder(
            "contact-created",
            "0d3f6a52-8c1e-4b7a-9e21-5f4c3b2a1d0e",
            ExportStyle::Default,
            &CodeStyle::default(),
        );
        assert_eq!(
            text,
            "import { extensions } from '@wix/astro/builders';\n\nexport default extensions.event({\n  id: '0d3f6a52-8c1e-4b7a-9e21-5f4c3b2a1d0e',\n  source: './extensions/backend/events/contact-created/contact-created.ts',\n});\n"
        );
    }

    #[test]
    fn import_lines() {
        let style = CodeStyle::default();
        assert_eq!(
            registry_import("a-b", Some("eventAB"), "eventAB", false, &style),
            "import { eventAB } from './extensions/backend/events/a-b/a-b.extension';"
        );
        assert_eq!(
            registry_import("a-b", None, "aB", true, &style),
            "import aB from './extensions/backend/events/a-b/a-b.extension.ts';"
        );
    }
}
