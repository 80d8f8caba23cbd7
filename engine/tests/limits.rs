//! Hostile input (issue "Crash and concurrency safety", item 6): every answer is exit 1 with the
//! file and the limit, never a stack overflow, a hang or unbounded memory. Run through the
//! binary, which does the work on its large stack.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{copy_dir, workspace};

fn wixsync(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wixsync"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the wixsync binary runs")
}

fn template() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&workspace().join("cases/template-app"), dir.path());
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn deep_nesting_is_refused_with_the_place_and_the_limit() {
    let app = template();
    let deep = format!(
        "export default {}app(){};\n",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    fs::write(app.path().join("src/extensions.ts"), deep).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("src/extensions.ts:1:528"), "{err}");
    // The message may wrap between any two words.
    assert!(err.contains("deeper than 512"), "{err}");
}

#[test]
fn a_long_chain_does_not_overflow_the_stack() {
    let app = template();
    let links: String = (0..20_000).map(|i| format!(".use(x{})", i % 3)).collect();
    let text = format!(
        "import {{ app }} from '@wix/astro/builders';\nconst x0 = 1, x1 = 1, x2 = 1;\nexport default app(){links}\n"
    );
    fs::write(app.path().join("src/extensions.ts"), text).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    // The template's manifest declares events the app lacks: changes are pending.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn fifos_are_not_read() {
    let app = template();
    let fifo = app.path().join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = wixsync(&["plan", ".", "--manifest", "fifo.yaml"], app.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("fifo.yaml is not a regular file"),
        "{}",
        stderr(&out)
    );
    let out = wixsync(&["plan", ".", "--manifest", "/dev/zero"], app.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/dev/zero is not a regular file"));
    // A FIFO in an event folder.
    let folder = app.path().join("src/extensions/backend/events/stuck");
    fs::create_dir_all(&folder).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(folder.join("stuck.ts"))
            .status()
            .unwrap()
            .success()
    );
    let out = wixsync(&["plan", "."], app.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("src/extensions/backend/events/stuck/stuck.ts is not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let app = template();
    let big = "// padding\n".repeat(300_000);
    fs::write(app.path().join("src/extensions.ts"), big).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("src/extensions.ts is larger than 2097152 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_utf8_and_nul_bytes_name_the_line() {
    let app = template();
    let path = app.path().join("src/extensions.ts");
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(b"// \xff\n");
    fs::write(&path, &bytes).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    assert_eq!(out.status.code(), Some(1));
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    assert!(
        stderr(&out).contains(&format!(
            "src/extensions.ts:{lines} is not text: it holds invalid UTF-8"
        )),
        "{}",
        stderr(&out)
    );
    let mut bytes = fs::read(app.path().join("src/extensions.ts")).unwrap();
    bytes.truncate(bytes.len() - 5);
    bytes.extend_from_slice(b"\0\n");
    fs::write(&path, &bytes).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("it holds a NUL byte"),
        "{}",
        stderr(&out)
    );
}

/// miette's graphical handler panicked (exit 101, "Formatting argument out of range") on a
/// label past column 65,535: such a diagnostic is rendered without a code frame, its place in
/// the message.
#[test]
fn a_syntax_error_past_column_65535_is_reported_not_a_panic() {
    let app = template();
    let text = format!(
        "import {{ app }} from '@wix/astro/builders';\nexport default app(){}.use(((;\n",
        " ".repeat(70_000)
    );
    fs::write(app.path().join("src/extensions.ts"), text).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // `.use(((;` starts at column 70,021 of line 2 (after `export default app()` and the
    // spaces); SWC stops at its `;`, 7 characters on.
    assert!(
        err.contains(
            "src/extensions.ts:2:70028: src/extensions.ts does not parse: Expression expected"
        ),
        "{err}"
    );
    assert!(
        err.contains("(no code frame: the line is longer than 4096 characters)"),
        "{err}"
    );
}

#[test]
fn a_long_one_line_manifest_is_reported_not_a_panic() {
    let app = template();
    let manifest = format!(
        "{{version: 1, events: {{{}contact-created: crm.contacts.onContactCreatd}}}}\n",
        " ".repeat(70_000)
    );
    fs::write(app.path().join("wix-events.yaml"), manifest).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("wix-events.yaml:1:70040: "), "{err}");
    assert!(
        err.contains("did you mean `crm.contacts.onContactCreated`?"),
        "{err}"
    );
}

/// A 1 MB event name took 32 s in the did-you-mean search, and 5 MB hung: the search skips
/// candidates whose length alone puts them too far, so the answer is immediate (measured in
/// fuzz/README.md), and the same.
#[test]
fn a_one_megabyte_event_name_is_answered() {
    let app = template();
    let manifest = format!(
        "version: 1\nevents:\n  contact-created: crm.contacts.on{}\n",
        "X".repeat(1_000_000)
    );
    fs::write(app.path().join("wix-events.yaml"), manifest).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("wix-events.yaml:3:"), "{err}");
    assert!(err.contains("manifest::"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    // Five megabytes is over the manifest's size limit, refused before it is parsed.
    let manifest = format!(
        "version: 1\nevents:\n  contact-created: crm.contacts.on{}\n",
        "X".repeat(5_000_000)
    );
    fs::write(app.path().join("wix-events.yaml"), manifest).unwrap();
    let out = wixsync(&["plan", "."], app.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("wix-events.yaml is larger than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_folder_name_longer_than_a_file_system_allows_is_a_manifest_error() {
    let app = template();
    let name = "a".repeat(150);
    fs::write(
        app.path().join("wix-events.yaml"),
        format!("version: 1\nevents:\n  {name}: crm.contacts.onContactCreated\n"),
    )
    .unwrap();
    for command in ["plan", "apply"] {
        let out = wixsync(&[command, "."], app.path());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("manifest::folder-name"), "{err}");
        assert!(
            err.contains("this folder name is 150 characters long, more than the 100"),
            "{err}"
        );
    }
    assert!(
        !app.path()
            .join(format!("src/extensions/backend/events/{name}"))
            .exists()
    );
}
