//! The example manifests of `manifests/` and the JSON Schema agree with the parser.
//!
//! Every example must parse without a warning, name only catalog events, point its editor at
//! the committed schema, and validate against that schema. The schema is checked by a small
//! validator of the keywords it uses (an unknown keyword fails the test, so that nothing is
//! skipped silently); on sample manifests the schema must accept whatever the parser accepts,
//! and reject the plain mistakes the parser rejects.

use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;
use wixsync_schema::catalog::Catalog;
use wixsync_schema::{Manifest, SourceFile, json_schema};

const MODELINE: &str = "# yaml-language-server: $schema=../schema/wix-events.schema.json\n";

fn manifests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests")
}

/// The `.yaml` files of `manifests/`, sorted.
fn example_manifests() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(manifests_dir())
        .expect("the manifests/ folder")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    paths
}

/// The errors of `instance` against `schema` (the whole document, for `$ref`), or none.
fn validate(root: &Value, schema: &Value, instance: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(keywords) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{at}: not allowed"));
        }
        return;
    };
    for (keyword, value) in keywords {
        let mut fail = |what: String| errors.push(format!("{at}: {what}"));
        match keyword.as_str() {
            "$schema" | "title" | "description" | "definitions" | "examples"
            | "enumDescriptions" => {}
            "$ref" => {
                let name = value
                    .as_str()
                    .unwrap()
                    .strip_prefix("#/definitions/")
                    .unwrap();
                validate(root, &root["definitions"][name], instance, at, errors);
            }
            "allOf" => {
                for sub in value.as_array().unwrap() {
                    validate(root, sub, instance, at, errors);
                }
            }
            "anyOf" => {
                let matches = value.as_array().unwrap().iter().any(|sub| {
                    let mut sub_errors = Vec::new();
                    validate(root, sub, instance, at, &mut sub_errors);
                    sub_errors.is_empty()
                });
                if !matches {
                    fail(format!("{instance} matches none of anyOf"));
                }
            }
            "type" => {
                let types: Vec<&str> = match value {
                    Value::String(one) => vec![one],
                    many => many
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap())
                        .collect(),
                };
                let is = |t: &str| match t {
                    "object" => instance.is_object(),
                    "array" => instance.is_array(),
                    "string" => instance.is_string(),
                    "integer" => instance.is_u64() || instance.is_i64(),
                    "null" => instance.is_null(),
                    other => panic!("type {other} is not handled by this test"),
                };
                if !types.iter().any(|t| is(t)) {
                    fail(format!("{instance} is not of type {value}"));
                }
            }
            "enum" => {
                if !value.as_array().unwrap().contains(instance) {
                    fail(format!("{instance} is not in the enum"));
                }
            }
            "pattern" => {
                let pattern = Regex::new(value.as_str().unwrap()).unwrap();
                if let Some(text) = instance.as_str()
                    && !pattern.is_match(text)
                {
                    fail(format!("{text:?} does not match {pattern}"));
                }
            }
            "required" => {
                for name in value.as_array().unwrap() {
                    if let Some(object) = instance.as_object()
                        && !object.contains_key(name.as_str().unwrap())
                    {
                        fail(format!("{name} is missing"));
                    }
                }
            }
            "properties" | "additionalProperties" | "propertyNames" => {
                let Some(object) = instance.as_object() else {
                    continue;
                };
                for (key, item) in object {
                    let here = format!("{at}.{key}");
                    match keyword.as_str() {
                        "properties" => {
                            if let Some(sub) = value.get(key) {
                                validate(root, sub, item, &here, errors);
                            }
                        }
                        "additionalProperties" => {
                            if schema["properties"].get(key).is_none() {
                                validate(root, value, item, &here, errors);
                            }
                        }
                        _ => validate(root, value, &Value::from(key.as_str()), &here, errors),
                    }
                }
            }
            "items" => {
                for (i, item) in instance.as_array().into_iter().flatten().enumerate() {
                    validate(root, value, item, &format!("{at}[{i}]"), errors);
                }
            }
            "uniqueItems" => {
                if let Some(items) = instance.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        if items[..i].contains(item) {
                            fail(format!("{item} is listed twice"));
                        }
                    }
                }
            }
            other => panic!("the schema uses `{other}`, which this test does not check yet"),
        }
    }
}

/// The schema's errors for a manifest's YAML text.
fn schema_errors(text: &str) -> Vec<String> {
    let schema = json_schema();
    let instance: Value = serde_saphyr::from_str(text).expect("valid YAML");
    let mut errors = Vec::new();
    validate(&schema, &schema, &instance, "$", &mut errors);
    errors
}

fn parses(text: &str) -> bool {
    Manifest::parse(&SourceFile::new("wix-events.yaml", text)).is_ok()
}

#[test]
fn there_are_example_manifests() {
    let names: Vec<String> = example_manifests()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 2, "{names:?}");
    assert!(names.contains(&"minimal.yaml".to_owned()), "{names:?}");
}

#[test]
fn every_example_parses_without_warnings_and_uses_catalog_events() {
    for path in example_manifests() {
        let name = path.display();
        let text = fs::read_to_string(&path).unwrap();
        let manifest = Manifest::parse(&SourceFile::new(name.to_string(), text))
            .unwrap_or_else(|errors| panic!("{name}: {errors:#?}"));
        assert!(
            manifest.warnings.is_empty(),
            "{name}: {:#?}",
            manifest.warnings
        );
        assert!(!manifest.entries.is_empty(), "{name}: no events");
        for entry in &manifest.entries {
            let event = &entry.event;
            assert!(
                Catalog::get()
                    .event(&event.package, &event.namespace, &event.function)
                    .is_some(),
                "{name}: {event} is not in the catalog"
            );
        }
    }
}

#[test]
fn every_example_names_the_committed_schema() {
    for path in example_manifests() {
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(MODELINE),
            "{}: the first line must be {MODELINE:?}",
            path.display()
        );
        let schema_path = path
            .parent()
            .unwrap()
            .join(MODELINE.trim_end().rsplit_once('=').unwrap().1);
        assert!(schema_path.is_file(), "{}", schema_path.display());
    }
}

#[test]
fn every_example_validates_against_the_schema() {
    for path in example_manifests() {
        let text = fs::read_to_string(&path).unwrap();
        let errors = schema_errors(&text);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_accepts_what_the_parser_accepts() {
    for text in [
        "version: 1\nevents:\n",
        "version: 1\nevents: {}\n",
        "version: 1\nexport-style: default\nevents:\n  a: crm.contacts.onContactCreated\n",
        // The short form, when one package has the event.
        "version: 1\nevents:\n  contact-created: contacts.onContactCreated\n",
        // A well-formed event newer than the catalog: a warning, not an error.
        "version: 1\nevents:\n  x: crm.contactsV9.onContactTeleported\n",
        "version: 1\nevents:\n  a1-b2:\n    event: crm.contacts.onContactCreated\n    \
         renamed-from: [old, older-2]\n    id: 9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a\n",
        "version: 1\nevents:\n  a:\n    event: app-management.appInstances.onAppInstanceInstalled\n    \
         renamed-from: []\n",
    ] {
        assert!(parses(text), "the parser rejects {text:?}");
        assert_eq!(schema_errors(text), Vec::<String>::new(), "{text:?}");
    }
}

#[test]
fn the_schema_rejects_plain_mistakes_as_the_parser_does() {
    for (text, expected) in [
        ("version: 2\nevents:\n", "$.version: 2 is not in the enum"),
        ("events:\n", "\"version\" is missing"),
        (
            "version: 1\nevnts:\n  a: crm.contacts.onContactCreated\n",
            "$.evnts: not allowed",
        ),
        (
            "version: 1\nexport-style: named-exports\nevents:\n",
            "$.export-style: \"named-exports\" is not in the enum",
        ),
        (
            "version: 1\nevents:\n  Contact_Created: crm.contacts.onContactCreated\n",
            "$.events.Contact_Created: \"Contact_Created\" does not match",
        ),
        (
            "version: 1\nevents:\n  a: '@wix/crm.contacts.onContactCreated'\n",
            "$.events.a: \"@wix/crm.contacts.onContactCreated\" matches none of anyOf",
        ),
        (
            "version: 1\nevents:\n  a: crm.contacts.contactCreated\n",
            "matches none of anyOf",
        ),
        (
            "version: 1\nevents:\n  a:\n    event: crm.contacts.onContactCreated\n    \
             id: 9B2E4C1A-7D3F-4E8A-B5C6-0F1E2D3C4B5A\n",
            "matches none of anyOf",
        ),
        (
            "version: 1\nevents:\n  a:\n    event: crm.contacts.onContactCreated\n    \
             renamed-from: [Old]\n",
            "matches none of anyOf",
        ),
        (
            "version: 1\nevents:\n  a:\n    evnt: crm.contacts.onContactCreated\n",
            "matches none of anyOf",
        ),
    ] {
        assert!(!parses(text), "the parser accepts {text:?}");
        let errors = schema_errors(text);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{text:?}: expected {expected:?} among {errors:#?}"
        );
    }
}

#[test]
fn the_patterns_agree_with_the_parser_on_folder_names_and_ids() {
    let schema = json_schema();
    let folder = Regex::new(
        schema["properties"]["events"]["propertyNames"]["pattern"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    for name in [
        "a",
        "contact-created",
        "order2-paid",
        "3d-model",
        "Contact",
        "a--b",
        "a-",
        "-a",
        "a_b",
        "é",
        "",
    ] {
        assert_eq!(
            folder.is_match(name),
            wixsync_schema::Slug::new(name).is_some(),
            "{name:?}"
        );
    }
    let id = Regex::new(
        schema["definitions"]["LongEntry"]["properties"]["id"]["pattern"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    for (text, valid) in [
        ("9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a", true),
        ("9B2E4C1A-7D3F-4E8A-B5C6-0F1E2D3C4B5A", false),
        ("9b2e4c1a7d3f4e8ab5c60f1e2d3c4b5a", false),
        ("{9b2e4c1a-7d3f-4e8a-b5c6-0f1e2d3c4b5a}", false),
    ] {
        assert_eq!(id.is_match(text), valid, "{text}");
    }
}
