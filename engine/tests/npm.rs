//! The npm distribution, installed offline into a fresh app: `cargo xtask npm-pack` writes the
//! tarballs of `wixsync` and of this machine's platform package (here with the binary this
//! test run built, which is what the release binary is made of), npm installs them from the
//! tarballs with `--offline`, and the app runs `npx wixsync apply --check`, `npx wixsync
//! apply` and an npm script `"prebuild": "wixsync apply --check"` through `npm run build`.
//! Also the launcher's contract: `WIXSYNC_BINARY`, exit codes, a signal as 128 + n, and the
//! message when the platform package is missing.
//!
//! Ignored by default (it needs Node.js 20+ and npm, and no network); `.ci/run` runs it:
//!
//! ```text
//! cargo test -p wixsync --test npm -- --ignored
//! ```

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{copy_dir, workspace};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn npm_command(program: &str, app: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(app)
        .env("npm_config_offline", "true")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("WIXSYNC_BINARY");
    command
}

fn run(mut command: Command) -> Output {
    let shown = format!("{command:?}");
    let output = command.output().unwrap_or_else(|e| panic!("{shown}: {e}"));
    eprintln!(
        "$ {shown}\n-> {:?}\n{}{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

/// Packs the tarballs into `out` and returns (launcher, platform package).
fn pack(out: &Path) -> (PathBuf, PathBuf) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = run({
        let mut c = Command::new(cargo);
        c.args(["run", "--quiet", "-p", "xtask", "--", "npm-pack"])
            .arg(out)
            .arg("--binary")
            .arg(env!("CARGO_BIN_EXE_wixsync"))
            .current_dir(workspace());
        c
    });
    assert!(output.status.success(), "cargo xtask npm-pack failed");
    let stdout = text(&output.stdout);
    let tarballs: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
    assert_eq!(tarballs.len(), 2, "{stdout}");
    assert!(tarballs[0].ends_with("wixsync-0.1.0.tgz"), "{stdout}");
    assert!(
        tarballs[1]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("wixsync-cli-"),
        "{stdout}"
    );
    (tarballs[0].clone(), tarballs[1].clone())
}

#[test]
#[ignore = "needs Node.js and npm; run by .ci/run"]
fn the_tarballs_install_offline_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tarballs");
    let (launcher, platform) = pack(&out);

    // A fresh app: the template's sources and manifest, a package.json of its own.
    let app = dir.path().join("app");
    copy_dir(&workspace().join("cases/template-app"), &app);
    fs::write(
        app.join("package.json"),
        r#"{
  "name": "fresh-app",
  "private": true,
  "type": "module",
  "scripts": {
    "prebuild": "wixsync apply --check",
    "build": "node -e \"console.log('built')\""
  }
}
"#,
    )
    .unwrap();
    let mut install = npm_command("npm", &app);
    install
        .args([
            "install",
            "--save-dev",
            "--no-package-lock",
            "--loglevel=error",
        ])
        .arg(&platform)
        .arg(&launcher);
    let installed = run(install);
    assert!(installed.status.success(), "npm install --offline failed");

    let npx = |args: &[&str]| {
        let mut c = npm_command("npx", &app);
        c.arg("wixsync").args(args);
        run(c)
    };
    let version = npx(&["--version"]);
    assert_eq!(text(&version.stdout), "wixsync 0.1.0\n");

    let check = npx(&["apply", "--check"]);
    assert_eq!(
        check.status.code(),
        Some(2),
        "drift exits 2 through the launcher"
    );
    assert!(text(&check.stdout).contains("has drifted from wix-events.yaml"));

    let build = run({
        let mut c = npm_command("npm", &app);
        c.args(["run", "build"]);
        c
    });
    assert!(!build.status.success(), "npm run build passes on drift");
    assert!(
        !text(&build.stdout).contains("built"),
        "build ran after a failed prebuild"
    );

    let apply = npx(&["apply"]);
    assert_eq!(apply.status.code(), Some(0));
    assert!(
        app.join("src/extensions/backend/events/contact-created/contact-created.ts")
            .is_file()
    );
    assert_eq!(npx(&["apply", "--check"]).status.code(), Some(0));

    let build = run({
        let mut c = npm_command("npm", &app);
        c.args(["run", "build"]);
        c
    });
    assert!(build.status.success(), "npm run build fails in sync");
    assert!(text(&build.stdout).contains("built"));

    // The JSON document comes through the launcher untouched.
    let json = npx(&["plan", "--format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["apps"][0]["status"], "in_sync");

    // `binaryPath()` from `wixsync/binary` names the installed platform binary.
    let probe = run({
        let mut c = npm_command("node", &app);
        c.args([
            "--input-type=module",
            "-e",
            "import { binaryPath } from 'wixsync/binary'; console.log(binaryPath());",
        ]);
        c
    });
    let path = text(&probe.stdout);
    assert!(
        path.trim().contains("node_modules/@wixsync/cli-") && path.trim().ends_with("/wixsync"),
        "{path}"
    );

    // WIXSYNC_BINARY wins; a signal that ends the binary becomes 128 + its number.
    let fake = dir.path().join("fake-wixsync");
    fs::write(&fake, "#!/bin/sh\necho \"fake $*\"\nkill -TERM $$\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let signalled = run({
        let mut c = npm_command("npx", &app);
        c.args(["wixsync", "plan", "x"])
            .env("WIXSYNC_BINARY", &fake);
        c
    });
    assert_eq!(text(&signalled.stdout), "fake plan x\n");
    assert_eq!(signalled.status.code(), Some(128 + 15), "SIGTERM is 15");

    let missing = run({
        let mut c = npm_command("npx", &app);
        c.args(["wixsync", "plan"])
            .env("WIXSYNC_BINARY", dir.path().join("nothing-here"));
        c
    });
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("WIXSYNC_BINARY is set to"));

    // Without the platform package, the launcher says which one to install and why.
    let platform_dir = app.join("node_modules/@wixsync");
    fs::remove_dir_all(&platform_dir).unwrap();
    let gone = npx(&["plan"]);
    assert_eq!(gone.status.code(), Some(1));
    let message = text(&gone.stderr);
    assert!(message.contains("is not installed"), "{message}");
    assert!(
        message.contains("npm install --save-dev @wixsync/cli-"),
        "{message}"
    );
    assert!(message.contains("@0.1.0"), "{message}");
    assert!(message.contains("npm/cli/issues/4828"), "{message}");
}
