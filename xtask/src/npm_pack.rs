//! `cargo xtask npm-pack OUT_DIR`: the npm tarballs of `wixsync` and of this machine's platform
//! package.
//!
//! Builds the release binary (`cargo build --release -p wixsync --locked`), copies
//! `npm/cli-<platform>/` into a scratch folder with the binary beside its package.json, and runs
//! `npm pack` there and in `npm/wixsync/`, writing `wixsync-<v>.tgz` and
//! `wixsync-cli-<platform>-<v>.tgz` into OUT_DIR. The release workflow, which cross-compiles,
//! passes `--platform KEY --binary FILE` to pack a binary built elsewhere.
//!
//! Before packing it checks that the versions agree: the engine crate's, `npm/wixsync`'s, each
//! platform package's, and the exact pins in `wixsync`'s `optionalDependencies`, and that each
//! platform package declares the `os`, `cpu` and `libc` of [`PLATFORMS`].

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

/// Every platform wixsync ships: the npm key (`process.platform-process.arch[-libc]`), the
/// Rust target, npm's `os`, `cpu` and `libc`.
pub const PLATFORMS: &[Platform] = &[
    Platform::new(
        "linux-x64-gnu",
        "x86_64-unknown-linux-gnu",
        "linux",
        "x64",
        Some("glibc"),
    ),
    Platform::new(
        "linux-x64-musl",
        "x86_64-unknown-linux-musl",
        "linux",
        "x64",
        Some("musl"),
    ),
    Platform::new(
        "linux-arm64-gnu",
        "aarch64-unknown-linux-gnu",
        "linux",
        "arm64",
        Some("glibc"),
    ),
    Platform::new(
        "linux-arm64-musl",
        "aarch64-unknown-linux-musl",
        "linux",
        "arm64",
        Some("musl"),
    ),
    Platform::new("darwin-x64", "x86_64-apple-darwin", "darwin", "x64", None),
    Platform::new(
        "darwin-arm64",
        "aarch64-apple-darwin",
        "darwin",
        "arm64",
        None,
    ),
    Platform::new("win32-x64", "x86_64-pc-windows-msvc", "win32", "x64", None),
];

/// One platform package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    /// `linux-x64-gnu`: the package is `@wixsync/cli-<key>` in `npm/cli-<key>/`.
    pub key: &'static str,
    /// The Rust target triple it is built for.
    pub target: &'static str,
    /// npm's `os`.
    pub os: &'static str,
    /// npm's `cpu`.
    pub cpu: &'static str,
    /// npm's `libc`, on Linux.
    pub libc: Option<&'static str>,
}

impl Platform {
    const fn new(
        key: &'static str,
        target: &'static str,
        os: &'static str,
        cpu: &'static str,
        libc: Option<&'static str>,
    ) -> Self {
        Platform {
            key,
            target,
            os,
            cpu,
            libc,
        }
    }

    /// `@wixsync/cli-<key>`.
    pub fn package(&self) -> String {
        format!("@wixsync/cli-{}", self.key)
    }

    /// The binary's file name in the package.
    pub fn executable(&self) -> &'static str {
        if self.os == "win32" {
            "wixsync.exe"
        } else {
            "wixsync"
        }
    }

    /// The platform this xtask was compiled for (the machine that runs it).
    pub fn host() -> Result<Platform> {
        let os = match std::env::consts::OS {
            "linux" => "linux",
            "macos" => "darwin",
            "windows" => "win32",
            other => bail!("wixsync has no npm package for the operating system {other}"),
        };
        let cpu = match std::env::consts::ARCH {
            "x86_64" => "x64",
            "aarch64" => "arm64",
            other => bail!("wixsync has no npm package for the CPU {other}"),
        };
        let libc = (os == "linux").then_some(if cfg!(target_env = "musl") {
            "musl"
        } else {
            "glibc"
        });
        PLATFORMS
            .iter()
            .find(|p| p.os == os && p.cpu == cpu && p.libc == libc)
            .copied()
            .with_context(|| format!("wixsync has no npm package for {os}-{cpu}"))
    }
}

/// Arguments of `cargo xtask npm-pack`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the two tarballs (created if missing).
    out_dir: PathBuf,
    /// Pack this binary instead of building one: the release workflow's cross-compiled ones
    /// (with --platform), or a debug build for a quick test.
    #[arg(long, value_name = "FILE")]
    binary: Option<PathBuf>,
    /// The platform package to pack (`linux-x64-gnu`, `darwin-arm64`, ...); default: this
    /// machine's.
    #[arg(long, value_name = "KEY")]
    platform: Option<String>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// The engine crate's version, from `engine/Cargo.toml`.
fn engine_version(root: &Path) -> Result<String> {
    let text = fs::read_to_string(root.join("engine/Cargo.toml"))?;
    text.lines()
        .find_map(|line| {
            let rest = line
                .strip_prefix("version")?
                .trim_start()
                .strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_owned())
        })
        .context("engine/Cargo.toml has no version line")
}

/// Checks the npm packages against [`PLATFORMS`] and `version`; returns the problems.
pub fn check_packages(root: &Path, version: &str) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let launcher = read_json(&root.join("npm/wixsync/package.json"))?;
    if launcher["version"] != version {
        problems.push(format!(
            "npm/wixsync/package.json has version {}, the engine crate {version}",
            launcher["version"]
        ));
    }
    let pins = launcher["optionalDependencies"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if pins.len() != PLATFORMS.len() {
        problems.push(format!(
            "npm/wixsync/package.json lists {} optionalDependencies, not the {} platform packages",
            pins.len(),
            PLATFORMS.len()
        ));
    }
    for platform in PLATFORMS {
        let name = platform.package();
        if pins.get(&name).and_then(Value::as_str) != Some(version) {
            problems.push(format!(
                "npm/wixsync/package.json must pin {name} at exactly {version} in optionalDependencies"
            ));
        }
        let dir = root.join("npm").join(format!("cli-{}", platform.key));
        let manifest = read_json(&dir.join("package.json"))?;
        let expect = |field: &str, value: Value, problems: &mut Vec<String>| {
            if manifest[field] != value {
                problems.push(format!(
                    "npm/cli-{}/package.json: `{field}` is {}, expected {value}",
                    platform.key, manifest[field]
                ));
            }
        };
        expect("name", Value::from(name.clone()), &mut problems);
        expect("version", Value::from(version), &mut problems);
        expect("os", serde_json::json!([platform.os]), &mut problems);
        expect("cpu", serde_json::json!([platform.cpu]), &mut problems);
        expect(
            "libc",
            platform
                .libc
                .map_or(Value::Null, |l| serde_json::json!([l])),
            &mut problems,
        );
        let files = manifest["files"].as_array().cloned().unwrap_or_default();
        if !files.contains(&Value::from(platform.executable())) {
            problems.push(format!(
                "npm/cli-{}/package.json: `files` must list {}",
                platform.key,
                platform.executable()
            ));
        }
    }
    Ok(problems)
}

fn run(command: &mut Command) -> Result<String> {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .with_context(|| format!("cannot run {shown}"))?;
    if !output.status.success() {
        bail!(
            "{shown} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `npm pack` of `dir` into `out`; returns the tarball's path.
fn npm_pack(dir: &Path, out: &Path) -> Result<PathBuf> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let stdout = run(Command::new(npm)
        .args(["pack", "--json", "--pack-destination"])
        .arg(out)
        .current_dir(dir))?;
    let packed: Value = serde_json::from_str(&stdout).context("npm pack --json printed no JSON")?;
    let file = packed[0]["filename"]
        .as_str()
        .context("npm pack --json named no file")?;
    Ok(out.join(file))
}

/// Runs `cargo xtask npm-pack`.
pub fn run_pack(args: Args) -> Result<()> {
    let root = workspace();
    let version = engine_version(&root)?;
    let problems = check_packages(&root, &version)?;
    ensure!(
        problems.is_empty(),
        "the npm packages disagree with the engine ({version}):\n  {}",
        problems.join("\n  ")
    );
    let platform = match &args.platform {
        Some(key) => *PLATFORMS.iter().find(|p| p.key == key).with_context(|| {
            let keys: Vec<&str> = PLATFORMS.iter().map(|p| p.key).collect();
            format!(
                "unknown platform {key}; the platforms are {}",
                keys.join(", ")
            )
        })?,
        None => Platform::host()?,
    };
    let binary = match &args.binary {
        Some(binary) => binary.clone(),
        None => {
            ensure!(
                args.platform.is_none() || args.platform.as_deref() == Some(Platform::host()?.key),
                "--platform {} is not this machine's: pass --binary with a binary built for {}",
                platform.key,
                platform.target
            );
            eprintln!("npm-pack: cargo build --release -p wixsync --locked");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--release", "-p", "wixsync", "--locked"])
                .current_dir(&root)
                .status()
                .context("cannot run cargo")?;
            ensure!(status.success(), "cargo build --release failed");
            // Where cargo put it: CARGO_TARGET_DIR when set (relative to the workspace root,
            // as cargo reads it), else target/.
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| root.join("target"), |dir| root.join(dir));
            target.join("release").join(platform.executable())
        }
    };
    ensure!(
        binary.is_file(),
        "{} is not a file: build wixsync first",
        binary.display()
    );
    fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let out = fs::canonicalize(&args.out_dir)?;

    let scratch = tempfile_dir(&out)?;
    let staged = scratch.join(format!("cli-{}", platform.key));
    fs::create_dir_all(&staged)?;
    let source = root.join("npm").join(format!("cli-{}", platform.key));
    for file in ["package.json", "README.md"] {
        fs::copy(source.join(file), staged.join(file))
            .with_context(|| format!("cannot copy {}", source.join(file).display()))?;
    }
    let target = staged.join(platform.executable());
    fs::copy(&binary, &target).with_context(|| format!("cannot copy {}", binary.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&target, fs::Permissions::from_mode(0o755))?;
    }
    let result = (|| {
        let platform_tarball = npm_pack(&staged, &out)?;
        let launcher_tarball = npm_pack(&root.join("npm/wixsync"), &out)?;
        Ok::<_, anyhow::Error>((launcher_tarball, platform_tarball))
    })();
    let _ = fs::remove_dir_all(&scratch);
    let (launcher, platform_tarball) = result?;
    println!("{}", launcher.display());
    println!("{}", platform_tarball.display());
    Ok(())
}

/// A fresh scratch folder inside `out` (removed by the caller).
fn tempfile_dir(out: &Path) -> Result<PathBuf> {
    for n in 0..1000 {
        let dir = out.join(format!(".npm-pack-{}-{n}", std::process::id()));
        if fs::create_dir(&dir).is_ok() {
            return Ok(dir);
        }
    }
    bail!("cannot create a scratch folder in {}", out.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_npm_packages_agree_with_the_platform_table_and_the_engine() {
        let root = workspace();
        let version = engine_version(&root).unwrap();
        assert_eq!(version, "0.1.0");
        let problems = check_packages(&root, &version).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(check_packages(&root, "9.9.9").unwrap().len() > PLATFORMS.len());
    }

    #[test]
    fn the_launcher_knows_every_platform_package() {
        let binary_js = fs::read_to_string(workspace().join("npm/wixsync/binary.js")).unwrap();
        for platform in PLATFORMS {
            assert!(
                binary_js.contains(&format!("'{}': '{}'", platform.key, platform.package())),
                "npm/wixsync/binary.js lacks {}",
                platform.key
            );
        }
    }
}
