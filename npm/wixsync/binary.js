// @ts-check
/**
 * Finds the wixsync binary: `WIXSYNC_BINARY` when set, else the executable of the platform
 * package npm installed as an optional dependency of `wixsync` (`@wixsync/cli-<platform>`).
 *
 * Plain ESM with JSDoc types, no dependencies, Node.js 20 or newer. It never downloads
 * anything: when the platform package is missing, `binaryPath()` throws an Error that names
 * the package to install and why it may be missing.
 *
 * @module wixsync/binary
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The platform packages, by `<process.platform>-<process.arch>[-<libc>]`. Each declares `os`,
 * `cpu` and (on Linux) `libc` in its package.json, so npm installs only the matching one.
 *
 * @type {Readonly<Record<string, string>>}
 */
export const PLATFORM_PACKAGES = Object.freeze({
  'linux-x64-gnu': '@wixsync/cli-linux-x64-gnu',
  'linux-x64-musl': '@wixsync/cli-linux-x64-musl',
  'linux-arm64-gnu': '@wixsync/cli-linux-arm64-gnu',
  'linux-arm64-musl': '@wixsync/cli-linux-arm64-musl',
  'darwin-x64': '@wixsync/cli-darwin-x64',
  'darwin-arm64': '@wixsync/cli-darwin-arm64',
  'win32-x64': '@wixsync/cli-win32-x64',
});

/**
 * Whether this Linux process runs on musl libc (Alpine) rather than glibc. npm does not record
 * `libc` in package-lock.json, so the launcher decides at run time: Node.js built against
 * glibc reports `glibcVersionRuntime` in its diagnostic report header, and Node.js on musl
 * does not.
 *
 * @returns {boolean} `false` on every other operating system
 */
export function isMusl() {
  if (process.platform !== 'linux') {
    return false;
  }
  const report = /** @type {any} */ (process.report);
  if (report && typeof report.getReport === 'function') {
    // Skip the network part of the report: it can take seconds on some machines.
    if ('excludeNetwork' in report) {
      report.excludeNetwork = true;
    }
    const header = report.getReport().header;
    return !(header && header.glibcVersionRuntime);
  }
  // Without a report: Alpine's dynamic loader.
  return existsSync(`/lib/ld-musl-${process.arch === 'x64' ? 'x86_64' : 'aarch64'}.so.1`);
}

/**
 * The platform keys to try, best first: on glibc Linux the glibc build, then the musl build
 * (static, so it runs on glibc too); on musl Linux only the musl build.
 *
 * @param {string} [platform] defaults to `process.platform`
 * @param {string} [arch] defaults to `process.arch`
 * @param {boolean} [musl] defaults to {@link isMusl}()
 * @returns {string[]} keys of {@link PLATFORM_PACKAGES}; empty when wixsync has no build here
 */
export function platformKeys(platform = process.platform, arch = process.arch, musl) {
  if (platform === 'linux') {
    const onMusl = musl ?? isMusl();
    const keys = onMusl ? [`linux-${arch}-musl`] : [`linux-${arch}-gnu`, `linux-${arch}-musl`];
    return keys.filter((key) => key in PLATFORM_PACKAGES);
  }
  const key = `${platform}-${arch}`;
  return key in PLATFORM_PACKAGES ? [key] : [];
}

/** @returns {string} this package's version, which every platform package shares */
function version() {
  const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
  return String(manifest.version);
}

/**
 * The absolute path of the wixsync binary to run.
 *
 * @returns {string} `WIXSYNC_BINARY` (made absolute) when set, else the binary of the
 *   installed platform package
 * @throws {Error} when `WIXSYNC_BINARY` names no file, when wixsync has no build for this
 *   platform, or when the platform package is not installed; the message says what to do
 */
export function binaryPath() {
  const override = process.env.WIXSYNC_BINARY;
  if (override) {
    const path = resolve(override);
    if (!existsSync(path)) {
      throw new Error(
        `wixsync: WIXSYNC_BINARY is set to ${override}, but there is no file there. ` +
          'Point it at a wixsync binary, or unset it to use the one npm installed.',
      );
    }
    return path;
  }
  const executable = process.platform === 'win32' ? 'wixsync.exe' : 'wixsync';
  const keys = platformKeys();
  for (const key of keys) {
    const name = PLATFORM_PACKAGES[key];
    let manifest;
    try {
      manifest = require.resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const path = join(dirname(manifest), executable);
    if (existsSync(path)) {
      return path;
    }
  }
  const here = `${process.platform}-${process.arch}${process.platform === 'linux' ? (isMusl() ? ' (musl)' : ' (glibc)') : ''}`;
  if (keys.length === 0) {
    throw new Error(
      `wixsync: there is no prebuilt wixsync binary for ${here}. ` +
        `Builds exist for ${Object.keys(PLATFORM_PACKAGES).join(', ')}. ` +
        'Build it from source (cargo install --git https://github.com/wixsync/wixsync wixsync) ' +
        'and set WIXSYNC_BINARY to the binary.',
    );
  }
  const wanted = `${PLATFORM_PACKAGES[keys[0]]}@${version()}`;
  throw new Error(
    `wixsync: the package ${PLATFORM_PACKAGES[keys[0]]}, which holds the wixsync binary for ${here}, is not installed.\n` +
      'npm installs it as an optional dependency of wixsync. It is missing when optional dependencies ' +
      'were left out (--omit=optional, --no-optional), or when package-lock.json was written on another ' +
      'platform: npm then skips the optional dependencies of this one (https://github.com/npm/cli/issues/4828).\n' +
      `Fix: npm install --save-dev ${wanted}\n` +
      'or remove node_modules and package-lock.json and run npm install again; ' +
      'or set WIXSYNC_BINARY to a wixsync binary.',
  );
}
