//! What must hold after each applied version, read from the files with the test's own
//! [`oracle`](crate::oracle) (SWC directly) and `serde_json`, never with wixsync's scanner.
//!
//! [`check_app`] checks, against the model of [`Version`]:
//! 1. the folders under `src/extensions/backend/events/` are exactly the manifest's keys;
//! 2. each is registered exactly once in `src/extensions.ts` (one import of its builder's
//!    export, one `.use`), every event import names an existing builder, every `.use(x)` of
//!    the chain has an import of `x`, and the dashboard page's `.use(myPage)` is there once;
//! 3. every builder has the UUID its lineage was given (kept through renames and event
//!    changes) and a `source` naming its own handler;
//! 5. every TypeScript file under `src/` parses;
//! 6. every handler's default export subscribes to its entry's event;
//! 7. `package.json` lists the `@wix/*` package of every entry's event;
//! 8. what names no event extension stays: the `app` and `myPage` import lines, `export
//!    default builder`, the comments (once each), the byte-order mark, and no blank line
//!    appears inside the chain.
//!
//! (4, a second plan that finds nothing to do, runs wixsync, so `main` checks it.)

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use proptest::prelude::*;

use crate::generator::{COMMENT_LINE, Scenario, TRAILING_COMMENT, Version};
use crate::oracle;

/// The events folder and the registry, relative to the app root. Spelled out here rather
/// than taken from wixsync, like everything the checks compare against.
const EVENTS_DIR: &str = "src/extensions/backend/events";
const REGISTRY: &str = "src/extensions.ts";

/// Reads `path` under `root`, or fails naming it.
fn read(root: &Path, path: &str, at: &str) -> Result<String, TestCaseError> {
    fs::read_to_string(root.join(path))
        .map_err(|error| TestCaseError::fail(format!("{at}: cannot read {path}: {error}")))
}

/// Parses the TypeScript file `path` under `root` with the oracle, or fails naming it.
fn parse(root: &Path, path: &str, at: &str) -> Result<oracle::Parsed, TestCaseError> {
    let text = read(root, path, at)?;
    oracle::parse(&text, path.ends_with(".tsx"))
        .map_err(|error| TestCaseError::fail(format!("{at}: {path} does not parse: {error}")))
}

/// The file an import specifier of `src/extensions.ts` names, relative to the app root:
/// `./extensions/x/y.extension` and `./extensions/x/y.extension.ts` are
/// `src/extensions/x/y.extension.ts`.
fn resolve(specifier: &str) -> Option<String> {
    let path = specifier.strip_prefix("./")?;
    let path = path.strip_suffix(".ts").unwrap_or(path);
    Some(format!("src/{path}.ts"))
}

/// Checks the app at `root` after `version` of `scenario` was applied; `at` names the
/// version in failures.
pub fn check_app(
    root: &Path,
    scenario: &Scenario,
    version: &Version,
    at: &str,
) -> Result<(), TestCaseError> {
    // 1. The folders are the manifest's keys.
    let wanted: BTreeSet<String> = version.entries.iter().map(|e| e.folder.clone()).collect();
    let folders: BTreeSet<String> = match fs::read_dir(root.join(EVENTS_DIR)) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => BTreeSet::new(),
    };
    prop_assert_eq!(&folders, &wanted, "{}: the event folders", at);

    let registry_text = read(root, REGISTRY, at)?;
    let registry = parse(root, REGISTRY, at)?;
    let imports = oracle::imports(&registry.module);
    let chain = oracle::default_chain(&registry)
        .map_err(|error| TestCaseError::fail(format!("{at}: {REGISTRY}: {error}")))?;
    let uses = |local: &str| {
        chain
            .uses
            .iter()
            .filter(|arg| arg.as_deref() == Some(local))
            .count()
    };

    // 2. No dangling registration: every `.use(x)` has an import, every event import a file.
    for arg in &chain.uses {
        let Some(local) = arg else {
            return Err(TestCaseError::fail(format!(
                "{at}: a `.use(...)` of something other than a name in\n{registry_text}"
            )));
        };
        prop_assert!(
            imports.iter().any(|import| &import.local == local),
            "{}: `.use({})` imports nothing in\n{}",
            at,
            local,
            registry_text
        );
    }
    let event_imports: Vec<&oracle::Import> = imports
        .iter()
        .filter(|import| import.specifier.contains("extensions/backend/events/"))
        .collect();
    for import in &event_imports {
        let exists = resolve(&import.specifier).is_some_and(|path| root.join(path).is_file());
        prop_assert!(
            exists,
            "{}: `{}` imports the missing {} in\n{}",
            at,
            import.local,
            import.specifier,
            registry_text
        );
    }
    prop_assert_eq!(
        event_imports.len(),
        version.entries.len(),
        "{}: imports of event builders in\n{}",
        at,
        registry_text
    );
    prop_assert_eq!(
        uses("myPage"),
        1,
        "{}: `.use(myPage)` in\n{}",
        at,
        registry_text
    );

    // 8. What names no event extension stays as it was: the imports, the `export default
    // builder` line, the comments, the byte-order mark, and no blank line inside the chain.
    let shape = &scenario.shape;
    for line in shape
        .import_lines()
        .iter()
        .chain(&shape.export_builder_line())
    {
        prop_assert!(
            registry_text.contains(line.as_str()),
            "{}: the line {:?} did not survive in\n{}",
            at,
            line,
            registry_text
        );
    }
    if shape.comments {
        for comment in [COMMENT_LINE, TRAILING_COMMENT] {
            prop_assert_eq!(
                registry_text.matches(comment).count(),
                1,
                "{}: the comment {:?} in\n{}",
                at,
                comment,
                registry_text
            );
        }
    }
    prop_assert_eq!(
        registry_text.starts_with('\u{feff}'),
        shape.bom,
        "{}: the byte-order mark",
        at
    );
    let chain_text = &registry.code[chain.range.clone()];
    prop_assert!(
        !chain_text.replace('\r', "").contains("\n\n"),
        "{}: a blank line inside the chain {:?}",
        at,
        chain_text
    );

    let package_json: serde_json::Value = serde_json::from_str(&read(root, "package.json", at)?)
        .map_err(|error| TestCaseError::fail(format!("{at}: package.json: {error}")))?;
    for entry in &version.entries {
        let folder = &entry.folder;
        let dir = format!("{EVENTS_DIR}/{folder}");
        let builder_path = format!("{dir}/{folder}.extension.ts");
        let builder = oracle::builder(&parse(root, &builder_path, at)?.module)
            .map_err(|error| TestCaseError::fail(format!("{at}: {builder_path}: {error}")))?;

        // 2. Registered exactly once: one import of the builder's export, one `.use`.
        let registrations: Vec<&&oracle::Import> = event_imports
            .iter()
            .filter(|import| {
                resolve(&import.specifier).as_deref() == Some(builder_path.as_str())
                    && import.imported == builder.export
            })
            .collect();
        prop_assert_eq!(
            registrations.len(),
            1,
            "{}: imports of `{}`'s builder ({:?}) in\n{}",
            at,
            folder,
            builder.export,
            registry_text
        );
        prop_assert_eq!(
            uses(&registrations[0].local),
            1,
            "{}: `.use` links of `{}` in\n{}",
            at,
            folder,
            registry_text
        );

        // 3. The id it was created with, and a `source` naming its own handler.
        let expected_id = scenario.ids[entry.lineage].to_string();
        prop_assert_eq!(
            builder.id.as_deref(),
            Some(expected_id.as_str()),
            "{}: the id of `{}`",
            at,
            folder
        );
        let expected_source = format!("./extensions/backend/events/{folder}/{folder}.ts");
        prop_assert_eq!(
            builder.source.as_deref(),
            Some(expected_source.as_str()),
            "{}: the source of `{}`",
            at,
            folder
        );

        // 6. The manifest's event.
        let handler_path = format!("{dir}/{folder}.ts");
        let event = oracle::subscription(&parse(root, &handler_path, at)?.module)
            .map_err(|error| TestCaseError::fail(format!("{at}: {handler_path}: {error}")))?;
        prop_assert_eq!(
            event,
            entry.event.to_string(),
            "{}: the event of `{}`",
            at,
            folder
        );

        // 7. Its package is a dependency.
        let package = entry.event.npm_package();
        prop_assert!(
            package_json["dependencies"].get(&package).is_some(),
            "{}: package.json lacks {} for `{}`",
            at,
            package,
            folder
        );
    }

    // 5. Every TypeScript file parses.
    let mut sources = Vec::new();
    typescript_files(root, &root.join("src"), &mut sources);
    for path in &sources {
        parse(root, path, at)?;
    }
    Ok(())
}

/// Every `.ts`/`.tsx` file under `dir`, relative to `root`, `/`-separated.
fn typescript_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            typescript_files(root, &path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "ts" || ext == "tsx")
        {
            let rel = path.strip_prefix(root).unwrap();
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(rel.join("/"));
        }
    }
}
