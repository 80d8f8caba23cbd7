#!/usr/bin/env node
// Build check: a real, offline `astro build` of each app with @wix/astro, then its app manifest
// (dist/_wix/app-manifest.json, the file a release uploads) checked against what the app's
// event extensions say.
//
// Usage: node build.mjs [--jobs N] APP_COPY...
//
// Each APP_COPY is a copy of an app under compat/.work/ (run.sh makes them; module resolution
// walks up to compat/node_modules). This script changes the copy, never the app it came from:
//
//   - astro.config.mjs is replaced by the build WIX-FACTS.md describes: `integrations: [wix()]`,
//     the Node adapter (`@astrojs/node`, standalone) and `output: 'server'`;
//   - `.env` gets `WIX_CLIENT_ID=<a fixed UUID>` (without it @wix/astro's setup throws);
//   - a dashboard page `component` or an embedded script `source` (.tsx, .jsx, .html) that a
//     builder names but the app does not ship is stubbed (the corpus's cases hold builders only);
//   - a byte-order mark at the start of package.json is removed: `astro build` cannot read the
//     file with it (vitefu: "Unable to read .../package.json", JSON.parse), npm can.
//
// Then `astro build` runs, with no network (ASTRO_TELEMETRY_DISABLED=1,
// ASTRO_DISABLE_UPDATE_CHECK=true), at most N at a time (default 2, or
// WIXSYNC_COMPAT_BUILD_JOBS), each bounded by a timeout. Its output goes to APP_COPY/build.log. The check, when APP_COPY holds expected-slugs.json ({"<folder>": "<SDK
// slug>"}) and expected-ids.json ({"<folder>": "<extension UUID>"}), as compat.rs writes them:
//
//   - each expected folder is exactly one component with `compType: 'WEBHOOK'` whose `compId` is
//     the folder's UUID and whose `compData.webhook.webhookSlug` is the folder's SDK slug after
//     @wix/astro's `legacyWebhookMap` (read from the installed bundle, see wix-astro.mjs);
//   - no other WEBHOOK component exists.
//
// Prints `PASS  build <name>` or `FAIL  build <name>` (with the reasons) per app, and
// `build: N passed, N failed`; exits 1 if any failed.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { legacyWebhookMap, wixAstroBundle } from './wix-astro.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
/** The build of one small app takes about 20 s; this only stops a hung one. */
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
/** Any UUID will do: @wix/astro only puts it into the manifest's `appId`. */
const CLIENT_ID = '7b3c0f52-1d2e-4f6a-8b9c-0d1e2f3a4b5c';

export const ASTRO_CONFIG = `// Written by wixsync's compat/build.mjs: the offline build of WIX-FACTS.md.
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import wix from '@wix/astro';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [wix()],
});
`;

/** `node_modules/astro/astro.js`, the CLI that `astro build` runs. */
export function astroCli() {
  return path.join(path.dirname(require.resolve('astro/package.json', { paths: [HERE] })), 'astro.js');
}

/**
 * Runs `astro <args>` in `cwd`, its output to `logFile`; resolves with the exit code (null when
 * it was stopped after `timeoutMs`).
 *
 * @param {string[]} args
 * @param {string} cwd
 * @param {string} logFile
 * @param {number} timeoutMs
 * @param {Record<string, string>} [env]
 * @returns {Promise<{ code: number | null, timedOut: boolean }>}
 */
export function runAstro(args, cwd, logFile, timeoutMs, env = {}) {
  return new Promise((resolve) => {
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [astroCli(), ...args], {
      cwd,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ASTRO_DISABLE_UPDATE_CHECK: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end(() => resolve({ code, timedOut }));
    });
  });
}

/** Every file under `dir` (relative paths), skipping node_modules and build output. */
function filesUnder(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.astro', '.wix'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, base));
    else if (entry.isFile()) out.push(path.relative(base, full));
  }
  return out;
}

/**
 * Writes a stub for each dashboard page component or embedded script a builder names but the
 * app does not ship; returns the paths written (relative to the app).
 *
 * @param {string} app
 */
export function stubMissingComponents(app) {
  const src = path.join(app, 'src');
  const written = [];
  if (!existsSync(src)) return written;
  for (const file of filesUnder(src).filter((f) => /\.(ts|tsx|js|mjs)$/.test(f))) {
    const text = readFileSync(path.join(src, file), 'utf8');
    for (const m of text.matchAll(/\b(?:component|source)\s*:\s*(['"])(\.\/[^'"]+)\1/g)) {
      const target = path.resolve(src, m[2]);
      const ext = path.extname(target);
      if (existsSync(target) || !['.tsx', '.jsx', '.html'].includes(ext)) continue;
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(
        target,
        ext === '.html'
          ? '<!-- stub written by compat/build.mjs: the case does not ship this file -->\n'
          : '// Stub written by compat/build.mjs: the case does not ship this component.\nexport default function Stub() {\n  return null;\n}\n',
      );
      written.push(path.relative(app, target));
    }
  }
  return written;
}

/**
 * The WEBHOOK components of a built app manifest.
 *
 * @param {string} app
 * @returns {{ compId: string, webhookSlug: string | undefined }[]}
 */
export function webhookComponents(app) {
  const manifest = JSON.parse(readFileSync(path.join(app, 'dist', '_wix', 'app-manifest.json'), 'utf8'));
  return (manifest.components ?? [])
    .filter((c) => c.compType === 'WEBHOOK')
    .map((c) => ({ compId: c.compId, webhookSlug: c.compData?.webhook?.webhookSlug }));
}

/**
 * Compares the built manifest's WEBHOOK components with the expected ones; returns the problems.
 *
 * @param {{ compId: string, webhookSlug: string | undefined }[]} webhooks
 * @param {Record<string, string>} slugs folder -> SDK slug
 * @param {Record<string, string>} ids folder -> UUID
 * @param {Map<string, string>} legacy
 */
export function compareWebhooks(webhooks, slugs, ids, legacy) {
  const problems = [];
  const expectedIds = new Set();
  for (const folder of Object.keys(slugs).sort()) {
    const id = ids[folder];
    if (typeof id !== 'string') {
      problems.push(`expected-ids.json has no id for ${folder}`);
      continue;
    }
    expectedIds.add(id);
    const want = legacy.get(slugs[folder]) ?? slugs[folder];
    const found = webhooks.filter((w) => w.compId === id);
    if (found.length === 0) problems.push(`${folder}: no WEBHOOK component with compId ${id}`);
    else if (found.length > 1) problems.push(`${folder}: ${found.length} WEBHOOK components with compId ${id}`);
    else if (found[0].webhookSlug !== want) {
      problems.push(`${folder}: webhookSlug ${found[0].webhookSlug}, expected ${want}` + (want !== slugs[folder] ? ` (${slugs[folder]} after legacyWebhookMap)` : ''));
    }
  }
  for (const w of webhooks) {
    if (!expectedIds.has(w.compId)) problems.push(`unexpected WEBHOOK component ${w.compId} (${w.webhookSlug})`);
  }
  return problems;
}

/** Builds and checks one app copy; returns its printed report and whether it passed. */
async function buildOne(app, legacy) {
  const name = path.basename(app);
  const lines = [];
  const problems = [];
  writeFileSync(path.join(app, 'astro.config.mjs'), ASTRO_CONFIG);
  writeFileSync(path.join(app, '.env'), `WIX_CLIENT_ID=${CLIENT_ID}\n`);
  for (const stub of stubMissingComponents(app)) lines.push(`  stubbed ${stub} (not shipped by the case)`);
  const pkgPath = path.join(app, 'package.json');
  if (existsSync(pkgPath) && readFileSync(pkgPath, 'utf8').startsWith('\uFEFF')) {
    // Astro (vitefu's crawlFrameworkPkgs) JSON.parses package.json as is and fails on a BOM,
    // which npm itself accepts: the build, not wixsync, cannot read such an app.
    writeFileSync(pkgPath, readFileSync(pkgPath, 'utf8').slice(1));
    lines.push('  note: removed the byte-order mark of package.json in the copy: astro build cannot read it');
  }
  const logFile = path.join(app, 'build.log');
  const { code, timedOut } = await runAstro(['build'], app, logFile, BUILD_TIMEOUT_MS);
  if (code !== 0) {
    problems.push(timedOut ? `astro build did not finish in ${BUILD_TIMEOUT_MS / 1000} s` : `astro build exited ${code}`);
    const log = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    lines.push(...log.slice(-40).map((l) => `  | ${l}`));
  } else if (!existsSync(path.join(app, 'dist', '_wix', 'app-manifest.json'))) {
    problems.push('astro build wrote no dist/_wix/app-manifest.json');
  } else {
    const webhooks = webhookComponents(app);
    for (const w of webhooks) lines.push(`  WEBHOOK ${w.compId} ${w.webhookSlug}`);
    const slugsPath = path.join(app, 'expected-slugs.json');
    const idsPath = path.join(app, 'expected-ids.json');
    if (existsSync(slugsPath) && existsSync(idsPath)) {
      const slugs = JSON.parse(readFileSync(slugsPath, 'utf8'));
      const ids = JSON.parse(readFileSync(idsPath, 'utf8'));
      problems.push(...compareWebhooks(webhooks, slugs, ids, legacy));
    } else {
      lines.push('  note: no expected-slugs.json and expected-ids.json: built, nothing compared');
    }
  }
  for (const p of problems) lines.push(`  FAIL: ${p}`);
  const ok = problems.length === 0;
  lines.push(`${ok ? 'PASS' : 'FAIL'}  build ${name}`);
  return { ok, text: `== build ${name}\n${lines.join('\n')}` };
}

async function main() {
  const args = process.argv.slice(2);
  let jobs = Number(process.env.WIXSYNC_COMPAT_BUILD_JOBS ?? 2);
  if (args[0] === '--jobs') {
    jobs = Number(args[1]);
    args.splice(0, 2);
  }
  if (args.length === 0 || !Number.isInteger(jobs) || jobs < 1) {
    console.error('usage: node build.mjs [--jobs N] APP_COPY...');
    process.exit(2);
  }
  const { version, index } = wixAstroBundle();
  const legacy = legacyWebhookMap(index);
  console.log(`build: astro build of ${args.length} app(s), ${jobs} at a time (@wix/astro ${version}, ${legacy.size} legacy slugs)`);
  const queue = args.map((a) => path.resolve(a));
  let passed = 0;
  let failed = 0;
  const worker = async () => {
    for (let app = queue.shift(); app !== undefined; app = queue.shift()) {
      const { ok, text } = await buildOne(app, legacy);
      console.log(text);
      if (ok) passed++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, args.length) }, worker));
  console.log(`build: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
