//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use uuid::Uuid;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Fixed UUIDs, valid v4, so snapshots never flicker.
pub fn fixed_ids(n: usize) -> Vec<Uuid> {
    (0..n as u32)
        .map(|i| {
            let mut bytes = [0u8; 16];
            for (j, b) in bytes.iter_mut().enumerate() {
                *b = (i.wrapping_mul(37) as u8).wrapping_add(j as u8 * 11 + 1);
            }
            // Distinct for every i: the index itself in the last four bytes.
            bytes[12..].copy_from_slice(&i.to_be_bytes());
            uuid::Builder::from_random_bytes(bytes).into_uuid()
        })
        .collect()
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` (but `.git`) with its bytes and modification time, sorted by path.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>, SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                let modified = entry.metadata().unwrap().modified().unwrap();
                out.push((rel, fs::read(entry.path()).unwrap(), modified));
            }
        }
    }
    out.sort();
    out
}

/// Writes `files` (path, content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// Asserts `doc` against the snapshot `name` in the workspace's `snapshots/` folder.
pub fn snapshot(name: &str, doc: &str) {
    insta::with_settings!({
        snapshot_path => workspace().join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, doc);
    });
}
