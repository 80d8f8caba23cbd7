//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`, the seeds of real shapes, and
//! `fuzz/regressions/<target>/`, every finding of the fuzzers once fixed) through the same
//! entry functions the cargo-fuzz targets call (`wixsync::fuzz`), on the stable toolchain,
//! so that a machine without nightly still runs them. An input fails the test exactly when
//! it would crash its fuzz target: a panic, or a pipeline that reports a bug against itself.

mod common;

use std::fs;
use std::path::PathBuf;

use common::workspace;

/// The binary's stack (engine/src/main.rs): the entries recurse as deeply as it does.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// Every input of `target`, seeds then regressions, sorted by path.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        let Ok(entries) = fs::read_dir(workspace().join(dir).join(target)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        paths.extend(found);
    }
    paths
}

/// Runs every input of `target` through `entry`, each on its own big-stack thread; returns
/// how many ran.
fn replay(target: &str, entry: fn(&[u8])) -> usize {
    let paths = inputs(target);
    let mut failed = Vec::new();
    for path in &paths {
        let data = fs::read(path).unwrap();
        let outcome = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn(move || entry(&data))
            .unwrap()
            .join();
        if outcome.is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: these inputs crash: {failed:#?}"
    );
    paths.len()
}

#[test]
fn manifest_corpus() {
    assert!(replay("manifest", wixsync::fuzz::manifest) >= 20);
}

#[test]
fn scan_extensions_corpus() {
    assert!(replay("scan_extensions", wixsync::fuzz::scan_extensions) >= 40);
}

#[test]
fn scan_handler_corpus() {
    assert!(replay("scan_handler", wixsync::fuzz::scan_handler) >= 20);
}

#[test]
fn pipeline_corpus() {
    assert!(replay("pipeline", wixsync::fuzz::pipeline) >= 70);
}

/// The archive format of the pipeline target, on a small app.
#[test]
fn pipeline_archive_decodes_as_the_loader_reads() {
    let app = wixsync::fuzz::decode_app(
        b"=== --git\n=== wix-events.yaml\nversion: 1\nevents: {}\n\
          === src/extensions.ts\nexport default app();\n\
          === src/extensions/backend/events/a/a.ts\nx\r\n\
          === src/../etc/passwd\nno\n\
          === src/extensions/backend/events/loose.ts\nno\n\
          === src/.hidden/x.ts\nno\n\
          === src/extensions.ts/inner.ts\nno\n\
          === notes.md\nno\n",
    );
    assert!(app.git);
    assert!(!app.force);
    assert_eq!(app.manifest, "version: 1\nevents: {}\n");
    let paths: Vec<&str> = app.tree.paths().collect();
    assert_eq!(
        paths,
        ["src/extensions.ts", "src/extensions/backend/events/a/a.ts"]
    );
    assert_eq!(
        app.tree.bytes("src/extensions/backend/events/a/a.ts"),
        Some(&b"x\r\n"[..])
    );
    assert_eq!(app.tree.event_folders(), ["a"]);
}
