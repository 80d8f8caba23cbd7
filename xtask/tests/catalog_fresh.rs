//! The committed `schema/catalog.json` is what `cargo catalog` makes from the pinned versions.
//!
//! Ignored by default: it needs `npm` and the npm registry (the tarballs are cached in
//! `target/catalog-cache/`, so a second run takes a few seconds). `.ci/run` runs it beside the
//! compatibility test:
//!
//! ```text
//! cargo test -p xtask --test catalog_fresh -- --ignored --nocapture
//! ```

use std::process::Command;

#[test]
#[ignore = "needs npm and the npm registry; run by .ci/run"]
fn committed_catalog_equals_a_regeneration_from_the_pinned_versions() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["catalog", "--check"])
        .output()
        .expect("run the xtask binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "schema/catalog.json is not what the pinned packages say: run `cargo catalog`, review \
         the diff and commit it (see docs/catalog.md)\n{stderr}"
    );
    assert!(stderr.contains("is up to date"), "{stderr}");
}
