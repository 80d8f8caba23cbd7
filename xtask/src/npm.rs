//! Fetching npm packages: `npm pack` into a cache folder, then reading files out of the tarballs.
//!
//! Tarballs of an exact version are fetched once and kept in the cache (their content never
//! changes on the registry); a spec that is not an exact version (`latest`) always asks npm.
//! Misses are packed in small batches by a few `npm pack` processes at once. Each process packs
//! into its own scratch folder and a tarball is moved into the cache only once npm has finished,
//! so an interrupted run never leaves a half-written tarball behind.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use flate2::read::GzDecoder;
use serde::Deserialize;

/// One package to fetch: a name and an exact version or a dist-tag such as `latest`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Spec {
    pub name: String,
    pub version: String,
}

impl Spec {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Spec {
            name: name.into(),
            version: version.into(),
        }
    }

    /// `name@version`, as npm takes it.
    pub fn arg(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// A fetched package: its resolved version and the files of it we may read.
pub struct Tarball {
    pub name: String,
    pub version: String,
    /// Paths relative to the package root (`package.json`, `build/es/index.d.mts`): the
    /// package files and declaration files, read when the tarball is opened.
    files: BTreeMap<String, Vec<u8>>,
    /// The tarball in the cache, for [`Tarball::read_other`]; `None` for a test package.
    archive: Option<PathBuf>,
}

impl Tarball {
    /// A package made of the given files, for tests.
    #[cfg(test)]
    pub fn from_files(name: &str, files: &[(&str, &str)]) -> Self {
        Tarball {
            name: name.to_owned(),
            version: "0.0.0".to_owned(),
            files: files
                .iter()
                .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
                .collect(),
            archive: None,
        }
    }

    /// A text file of the package, by its path relative to the package root.
    pub fn text(&self, path: &str) -> Result<&str> {
        let path = path.trim_start_matches("./");
        let bytes = self
            .files
            .get(path)
            .with_context(|| format!("{}@{} has no file {path}", self.name, self.version))?;
        std::str::from_utf8(bytes)
            .with_context(|| format!("{}@{}: {path} is not UTF-8", self.name, self.version))
    }

    /// A text file that is not a declaration (such as `build/integration/index.mjs`), read
    /// out of the tarball on demand: most packages are only asked for their declarations.
    pub fn read_other(&self, path: &str) -> Result<String> {
        let path = path.trim_start_matches("./");
        if self.files.contains_key(path) {
            return Ok(self.text(path)?.to_owned());
        }
        let archive = self
            .archive
            .as_ref()
            .with_context(|| format!("{}@{} has no file {path}", self.name, self.version))?;
        let bytes = read_tarball_with(archive, |relative| relative == path)?
            .remove(path)
            .with_context(|| format!("{}@{} has no file {path}", self.name, self.version))?;
        String::from_utf8(bytes)
            .with_context(|| format!("{}@{}: {path} is not UTF-8", self.name, self.version))
    }

    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(path.trim_start_matches("./"))
    }

    /// The parsed `package.json`.
    pub fn manifest(&self) -> Result<PackageJson> {
        serde_json::from_str(self.text("package.json")?)
            .with_context(|| format!("{}@{}: reading package.json", self.name, self.version))
    }

    /// The declaration file of the package's root entry (`import … from '<name>'`):
    /// `exports["."].types` (or `.import.types`), else `types`/`typings`.
    pub fn types_entry(&self) -> Result<String> {
        let manifest = self.manifest()?;
        let from_exports = manifest.exports.as_ref().and_then(|exports| {
            let root = exports.get(".")?;
            root.get("types")
                .or_else(|| root.get("import")?.get("types"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        let entry = from_exports
            .or(manifest.types)
            .or(manifest.typings)
            .with_context(|| {
                format!(
                    "{}@{}: package.json names no types for its root entry",
                    self.name, self.version
                )
            })?;
        Ok(entry.trim_start_matches("./").to_owned())
    }
}

/// The fields of a `package.json` the generator reads.
#[derive(Debug, Deserialize)]
pub struct PackageJson {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
    pub exports: Option<serde_json::Value>,
    pub types: Option<String>,
    pub typings: Option<String>,
}

/// Whether `version` is an exact version (`1.0.59`, `1.2.3-beta.1`), not a range or a tag.
pub fn is_exact(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The file name `npm pack` gives a tarball: `@wix/crm` 1.0.1 → `wix-crm-1.0.1.tgz`.
fn tarball_name(name: &str, version: &str) -> String {
    let flat = name.strip_prefix('@').unwrap_or(name).replace('/', "-");
    format!("{flat}-{version}.tgz")
}

/// How many specs one `npm pack` process packs: one process per package would pay node's
/// start-up for each, one process for all would fetch one after the other.
const BATCH: usize = 8;

/// Fetches every spec (from the cache where possible) and reads its tarball.
///
/// `jobs` is the number of `npm pack` processes run at once. The result is in the order of
/// `specs`.
pub fn fetch(specs: &[Spec], cache: &Path, jobs: usize) -> Result<Vec<Tarball>> {
    fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
    let mut found: HashMap<&Spec, (String, PathBuf)> = HashMap::new();
    let mut misses = Vec::new();
    for spec in specs {
        let path = cache.join(tarball_name(&spec.name, &spec.version));
        if is_exact(&spec.version) && path.is_file() {
            found.insert(spec, (spec.version.clone(), path));
        } else if !misses.contains(&spec) {
            misses.push(spec);
        }
    }

    let batches: Vec<&[&Spec]> = misses.chunks(BATCH).collect();
    let next = Mutex::new(0usize);
    let packed = Mutex::new(Vec::new());
    let workers = jobs.clamp(1, batches.len().max(1));
    std::thread::scope(|scope| -> Result<()> {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let (batches, next, packed) = (&batches, &next, &packed);
                scope.spawn(move || -> Result<()> {
                    let scratch = cache.join(format!("tmp-{worker}"));
                    loop {
                        let index = {
                            let mut next = next.lock().unwrap();
                            *next += 1;
                            *next - 1
                        };
                        let Some(batch) = batches.get(index) else {
                            // Empty once every tarball has been moved out; leave it otherwise.
                            let _ = fs::remove_dir(&scratch);
                            return Ok(());
                        };
                        let results = pack(batch, &scratch, cache)?;
                        packed.lock().unwrap().extend(results);
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("an npm worker panicked")?;
        }
        Ok(())
    })?;
    for (spec, version, path) in packed.into_inner().unwrap() {
        let spec = specs
            .iter()
            .find(|s| **s == spec)
            .expect("packed an unknown spec");
        found.insert(spec, (version, path));
    }

    specs
        .iter()
        .map(|spec| {
            let (version, path) = &found[spec];
            let tarball = Tarball {
                name: spec.name.clone(),
                version: version.clone(),
                files: read_tarball(path)?,
                archive: Some(path.clone()),
            };
            let manifest = tarball.manifest()?;
            if manifest.name != tarball.name || manifest.version != tarball.version {
                bail!(
                    "{} holds {}@{}, not {}@{}",
                    path.display(),
                    manifest.name,
                    manifest.version,
                    tarball.name,
                    tarball.version
                );
            }
            Ok(tarball)
        })
        .collect()
}

/// One entry of `npm pack --json`'s output.
#[derive(Deserialize)]
struct Packed {
    name: String,
    version: String,
    filename: String,
}

/// Runs one `npm pack` for `batch` into `scratch`, then moves each tarball into `cache`.
fn pack(batch: &[&Spec], scratch: &Path, cache: &Path) -> Result<Vec<(Spec, String, PathBuf)>> {
    fs::create_dir_all(scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let args: Vec<String> = batch.iter().map(|s| s.arg()).collect();
    let output = Command::new("npm")
        .args(["pack", "--json", "--ignore-scripts", "--pack-destination"])
        .arg(scratch)
        .args(&args)
        .output()
        .context("running npm (is Node.js installed?)")?;
    if !output.status.success() {
        bail!(
            "npm pack {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let packed: Vec<Packed> = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading the output of npm pack {}", args.join(" ")))?;
    let mut results = Vec::new();
    for spec in batch {
        let Some(entry) = packed.iter().find(|p| p.name == spec.name) else {
            bail!("npm pack did not report {}", spec.arg());
        };
        let target = cache.join(tarball_name(&entry.name, &entry.version));
        let source = scratch.join(&entry.filename);
        fs::rename(&source, &target)
            .with_context(|| format!("moving {} to {}", source.display(), target.display()))?;
        results.push(((*spec).clone(), entry.version.clone(), target));
    }
    Ok(results)
}

/// The files of a tarball that the generator reads of every package: `package.json` files and
/// declarations.
fn read_tarball(path: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    read_tarball_with(path, |relative| {
        relative.ends_with("package.json")
            || relative.ends_with(".d.mts")
            || relative.ends_with(".d.ts")
    })
}

/// The files of a tarball whose path (relative to the package root) `keep` accepts.
fn read_tarball_with(
    path: &Path,
    keep: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut archive = tar::Archive::new(GzDecoder::new(file));
    let mut files = BTreeMap::new();
    for entry in archive
        .entries()
        .with_context(|| format!("reading {}", path.display()))?
    {
        let mut entry = entry.with_context(|| format!("reading {}", path.display()))?;
        let name = entry.path()?.to_string_lossy().into_owned();
        // npm tarballs keep everything under one top folder, `package/` by convention.
        let Some((_, relative)) = name.split_once('/') else {
            continue;
        };
        if keep(relative) {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .with_context(|| format!("reading {name} in {}", path.display()))?;
            files.insert(relative.to_owned(), bytes);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions() {
        assert!(is_exact("1.0.59"));
        assert!(is_exact("1.2.3-beta.1"));
        assert!(!is_exact("^1.0.0"));
        assert!(!is_exact("latest"));
        assert!(!is_exact("1.x"));
        assert!(!is_exact(">=1.0.0 <2"));
    }

    #[test]
    fn tarball_names_follow_npm() {
        assert_eq!(tarball_name("@wix/crm", "1.0.1643"), "wix-crm-1.0.1643.tgz");
        assert_eq!(tarball_name("left-pad", "1.3.0"), "left-pad-1.3.0.tgz");
    }
}
