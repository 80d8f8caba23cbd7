// What the compatibility harness reads out of the installed @wix/astro package, shared by
// check.mjs (the load check) and build.mjs (the build check). Reads files only; runs nothing.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The installed @wix/astro: its version, its integration bundle's directory and the text of
 * its `index.mjs`.
 *
 * @returns {{ version: string, dir: string, index: string }}
 */
export function wixAstroBundle() {
  const pkgJson = require.resolve('@wix/astro/package.json', { paths: [HERE] });
  const dir = path.join(path.dirname(pkgJson), 'build', 'integration');
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  return { version, dir, index: readFileSync(path.join(dir, 'index.mjs'), 'utf8') };
}

/**
 * `legacyWebhookMap` of @wix/astro's integration bundle (SDK slug -> the slug the app manifest
 * registers, e.g. `AppInstalled` -> `APP_PROVISIONED_WEBHOOK`), read from the package itself
 * rather than copied: `const legacyWebhookMap = new Map(Object.entries({...}));`.
 *
 * @param {string} index the text of the bundle's index.mjs
 * @returns {Map<string, string>}
 * @throws {Error} when the bundle no longer defines it that way.
 */
export function legacyWebhookMap(index) {
  const m = index.match(/const legacyWebhookMap = new Map\(Object\.entries\((\{[\s\S]*?\})\)\);/);
  if (!m) throw new Error('legacyWebhookMap not found in @wix/astro index.mjs');
  return new Map(Object.entries(new Function(`return (${m[1]});`)()));
}
