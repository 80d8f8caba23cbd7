//! `--format sarif`: the [`Report`] as a SARIF 2.1.0 log, for GitHub code scanning
//! (`github/codeql-action/upload-sarif`) and other SARIF viewers.
//!
//! One run, tool `wixsync`, with `tool.driver.rules` holding every rule a result uses (id,
//! short description, help). Rule ids are stable: a diagnostic's code (`manifest::event`,
//! `plan::conflict`), or `drift::<kind>` for a pending change (`drift::create`). Every result
//! has one location: a diagnostic's file and region, a step's manifest line (a diagnostic
//! without a file points at line 1 of the manifest, since code scanning requires a location).
//! URIs are relative to the repository root (`uriBaseId` `%SRCROOT%`); an app outside the
//! current directory gets absolute `file://` URIs.
//!
//! The types are `serde-sarif`'s, generated from the SARIF 2.1.0 JSON Schema; a test checks
//! the output against the official schema. Renders only: no I/O but the writer.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::report::{CommandName, DiagnosticReport, Report, SeverityName, Status, StepKind};

/// The `$schema` of the log: JSON Schema Store's copy of the OASIS SARIF 2.1.0 schema.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the repository's files are: URIs of results are relative to it.
const SRCROOT: &str = "%SRCROOT%";

/// A rule's short description and help, by rule id.
fn rule_text(id: &str) -> (String, String) {
    if id == "drift::import" {
        return (
            "`wixsync import` wrote an event extension into wix-events.yaml".to_owned(),
            "Run `wixsync apply --check` in the app: it exits 0 when the app matches the new \
             manifest; commit wix-events.yaml."
                .to_owned(),
        );
    }
    if let Some(kind) = id.strip_prefix("drift::") {
        let what = match kind {
            "create" => "a manifest entry has no event extension yet",
            "rename" => "an extension's folder must move to the name its manifest entry has",
            "change_event" => "a handler subscribes to another event than its manifest entry",
            "change_id" => "a builder's id differs from the one its manifest entry pins",
            "register" => "an event extension is not registered in src/extensions.ts",
            "remove" => "an event extension that no manifest entry names",
            "repair" => "an event extension is broken in a way wixsync fixes",
            "add_package" => "a handler imports a @wix/* package package.json lacks",
            "migrate" => {
                "an event extension has a legacy shape, or an export style other than the \
                 manifest's export-style"
            }
            _ => "the app differs from its manifest",
        };
        return (
            format!("The app has drifted from wix-events.yaml: {what}"),
            "Run `wixsync apply` in the app and commit the result; `wixsync plan` shows the diff \
             first."
                .to_owned(),
        );
    }
    let area = id.split("::").next().unwrap_or(id);
    let (short, help) = match area {
        "manifest" => (
            "wix-events.yaml breaks a rule of the manifest format",
            "Fix the manifest at the place shown; `wixsync schema` prints its JSON Schema.",
        ),
        "plan" => (
            "A change wixsync will not make: it could lose work, or the app is ambiguous",
            "Follow the message's help; where it says so, `wixsync apply --force` goes ahead.",
        ),
        "registry" => (
            "src/extensions.ts has a shape wixsync cannot edit safely",
            "Rewrite the registration as an `export default app().use(...)` chain.",
        ),
        "typescript" => (
            "A TypeScript file wixsync must read does not parse",
            "Fix the syntax error at the place shown.",
        ),
        "package-json" => (
            "package.json cannot be read or edited",
            "Make package.json a JSON object with an object `dependencies`.",
        ),
        "app" => (
            "The app cannot be read",
            "Run wixsync on the app root, the folder holding src/ and wix-events.yaml.",
        ),
        "import" => (
            "`wixsync import` cannot write wix-events.yaml from this event extension",
            "Fix the handler or folder at the place shown, then run `wixsync import` again.",
        ),
        "commit" => (
            "Writing the changes failed",
            "Check the permissions of the app's files; `wixsync plan` shows what is left.",
        ),
        _ => (
            "A problem wixsync found in the app",
            "Follow the message's help.",
        ),
    };
    (short.to_owned(), help.to_owned())
}

/// A file URI of the log: relative to `%SRCROOT%`, or absolute, percent-encoded.
fn artifact(file: &str, prefix: &str) -> ArtifactLocation {
    if file.starts_with('/') {
        ArtifactLocation::builder()
            .uri(format!("file://{}", encode(file)))
            .build()
    } else {
        ArtifactLocation::builder()
            .uri(encode(&format!("{prefix}{file}")))
            .uri_base_id(SRCROOT.to_owned())
            .build()
    }
}

/// Percent-encodes what a URI path may not hold (RFC 3986 `pchar` and `/`).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn location(file: &str, prefix: &str, region: Region) -> Location {
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(file, prefix))
                .region(region)
                .build(),
        )
        .build()
}

fn line_region(line: usize) -> Region {
    Region::builder().start_line(line as i64).build()
}

fn diagnostic_region(d: &DiagnosticReport) -> Region {
    match (d.line, d.column) {
        (Some(line), Some(column)) => {
            let end_line = d.end_line.unwrap_or(line);
            let end_column = d.end_column.unwrap_or(column);
            Region::builder()
                .start_line(line as i64)
                .start_column(column as i64)
                .end_line(end_line as i64)
                .end_column(end_column as i64)
                .build()
        }
        (Some(line), None) => line_region(line),
        _ => line_region(1),
    }
}

fn message(text: String) -> Message {
    Message::builder().text(text).build()
}

/// The SARIF log of `report`; `prefix` is the current directory's path inside the
/// repository, `/`-terminated (`""` at its root).
pub fn log(report: &Report, prefix: &str) -> Sarif {
    let mut rules: BTreeMap<String, ()> = BTreeMap::new();
    let mut results = Vec::new();
    for app in &report.apps {
        for d in &app.diagnostics {
            rules.insert(d.code.clone(), ());
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let file = d.file.as_deref().unwrap_or(&app.manifest);
            results.push(
                SarifResult::builder()
                    .rule_id(d.code.clone())
                    .level(match d.severity {
                        SeverityName::Error => ResultLevel::Error,
                        SeverityName::Warning => ResultLevel::Warning,
                    })
                    .message(message(text))
                    .locations(vec![location(file, prefix, diagnostic_region(d))])
                    .build(),
            );
        }
        for step in &app.steps {
            let id = format!("drift::{}", step.kind.as_str());
            rules.insert(id.clone(), ());
            let level = match (report.command, app.status) {
                (CommandName::Check, Status::Pending) => ResultLevel::Error,
                (_, Status::Applied) => ResultLevel::Note,
                _ => ResultLevel::Warning,
            };
            results.push(
                SarifResult::builder()
                    .rule_id(id)
                    .level(level)
                    .message(message(format!("{}\nwhy: {}", step.summary, step.reason)))
                    .locations(vec![location(
                        &app.manifest,
                        prefix,
                        line_region(step.manifest_line.unwrap_or(1)),
                    )])
                    .build(),
            );
        }
    }
    let rules: Vec<ReportingDescriptor> = rules
        .into_keys()
        .map(|id| {
            let (short, help) = rule_text(&id);
            ReportingDescriptor::builder()
                .id(id)
                .short_description(MultiformatMessageString::builder().text(short).build())
                .help(MultiformatMessageString::builder().text(help).build())
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .version(report.tool.version.clone())
        .information_uri("https://github.com/wixsync/wixsync".to_owned())
        .rules(rules)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI.to_owned())
        .version(serde_json::Value::String("2.1.0".to_owned()))
        .runs(vec![
            Run::builder()
                .tool(Tool::builder().driver(driver).build())
                .results(results)
                .build(),
        ])
        .build()
}

/// Writes the SARIF log of `report` as pretty-printed JSON with a final newline.
///
/// # Errors
///
/// The writer's.
pub fn write(out: &mut (impl Write + ?Sized), report: &Report, prefix: &str) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report, prefix)).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Every drift rule id, `drift::<kind>`, for documentation and tests.
pub fn drift_rule_ids() -> Vec<String> {
    StepKind::ALL
        .iter()
        .map(|k| format!("drift::{}", k.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_and_based_on_the_source_root() {
        let a = artifact("apps/my shop/wix-events.yaml", "web/");
        assert_eq!(a.uri.as_deref(), Some("web/apps/my%20shop/wix-events.yaml"));
        assert_eq!(a.uri_base_id.as_deref(), Some("%SRCROOT%"));
        let a = artifact("/tmp/app/wix-events.yaml", "");
        assert_eq!(a.uri.as_deref(), Some("file:///tmp/app/wix-events.yaml"));
        assert_eq!(a.uri_base_id, None);
    }

    #[test]
    fn every_drift_rule_has_its_own_description() {
        let texts: std::collections::BTreeSet<String> =
            drift_rule_ids().iter().map(|id| rule_text(id).0).collect();
        assert_eq!(texts.len(), StepKind::ALL.len());
    }
}
