//! The Astro integration (`npm/wixsync/astro.js`) with the real packages: runs
//! `compat/astro.test.mjs` (Node's test runner) with `WIXSYNC_BINARY` set to the binary cargo
//! built for this test. It checks the integration's options and messages, a real `astro build`
//! of a drifted app (fails, writes nothing), one with `onBuild: 'apply'` (its built app manifest
//! holds the new events) and a real `astro dev` on 127.0.0.1 (applies at start and when
//! `wix-events.yaml` changes, logs a broken manifest and keeps answering). It needs node, npm
//! and the npm registry (packages cached in `compat/node_modules`), so it is ignored by
//! `cargo test` and run by `.ci/run`: `cargo test -p wixsync --test astro -- --ignored`.
//!
//! The tests that read `--format json` skip, saying so, while the binary's `apply --help` does
//! not list `--format`.

mod common;

use std::process::Command;

use common::workspace;

#[test]
#[ignore = "needs node, npm and the npm registry; .ci/run runs it"]
fn astro_integration() {
    let installed = Command::new("bash")
        .arg(workspace().join("compat/run.sh"))
        .arg("--install-only")
        .status()
        .expect("bash runs compat/run.sh");
    assert!(installed.success(), "compat/run.sh --install-only failed");
    let status = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .arg(workspace().join("compat/astro.test.mjs"))
        .env("WIXSYNC_BINARY", env!("CARGO_BIN_EXE_wixsync"))
        .status()
        .expect("node runs compat/astro.test.mjs");
    assert!(
        status.success(),
        "compat/astro.test.mjs failed: see its output above"
    );
}
