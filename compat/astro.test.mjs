// Tests of wixsync's Astro integration (npm/wixsync/astro.js) with the real packages pinned in
// compat/package-lock.json: astro 5.18.2, @wix/astro 2.74.0, @astrojs/node 9.5.5.
//
//   WIXSYNC_BINARY=target/debug/wixsync node --test compat/astro.test.mjs
//
// engine/tests/astro.rs runs it (after `compat/run.sh --install-only`) with the binary cargo
// built; .ci/run runs that. Every app is a copy of cases/template-app under compat/.work/, and
// the package is a copy of npm/wixsync/ at compat/.work/node_modules/wixsync/ (a copy, not a
// link: `astro/errors` must resolve from it to compat/node_modules/astro, as in an app).
//
// - the integration's own behaviour, hooks called directly with a recording logger: options,
//   the order warning, `onDev: 'check'`, `strict`, a broken manifest in dev;
// - `astro build` of a drifted app fails with the pending steps and the hint and changes no file;
// - `astro build` with `onBuild: 'apply'` applies and the built dist/_wix/app-manifest.json holds
//   the new events (WEBHOOK components with the builders' UUIDs and the registered slugs);
// - `astro dev` on 127.0.0.1: applies at start, applies again when wix-events.yaml gains an
//   event (the dev server restarts; its /_wix/app-manifest.json then serves the new webhook),
//   logs a broken manifest and goes on answering with the last good state; then it is stopped.
//   Its output is kept in compat/.work/astro-dev/dev.log; each build's in build.log.
//
// The tests that read wixsync's `--format json` output skip, saying so, while the binary's
// `apply --help` does not list `--format` (the output comes from another branch); set
// WIXSYNC_ASSUME_FORMAT_JSON=1 to run them against a binary that has it unlisted. Every wait is
// bounded, and every process started here is stopped in an `after` hook.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { astroCli, runAstro, webhookComponents } from './build.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(HERE);
const WORK = path.join(HERE, '.work');
const TEMPLATE = path.join(REPO, 'cases', 'template-app');
const BINARY = process.env.WIXSYNC_BINARY;
const CLIENT_ID = '7b3c0f52-1d2e-4f6a-8b9c-0d1e2f3a4b5c';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

if (!BINARY) throw new Error('set WIXSYNC_BINARY to the wixsync binary to test (cargo build -p wixsync: target/debug/wixsync)');

/** Whether the binary prints the `--format json` report (FORMAT.md). */
const hasJson =
  process.env.WIXSYNC_ASSUME_FORMAT_JSON === '1' || execFileSync(BINARY, ['apply', '--help'], { encoding: 'utf8' }).includes('--format');
const needsJson = hasJson ? {} : { skip: 'the wixsync binary has no `--format json` yet (the npm branch adds it)' };
if (!hasJson) console.log(`# SKIPPING the tests that need \`wixsync --format json\`: ${BINARY} apply --help does not list --format`);

// --- set-up ----------------------------------------------------------------------------------

/** The wixsync package as an app would have it, at compat/.work/node_modules/wixsync/. */
function installPackage() {
  const dest = path.join(WORK, 'node_modules', 'wixsync');
  rmSync(dest, { recursive: true, force: true });
  cpSync(path.join(REPO, 'npm', 'wixsync'), dest, { recursive: true });
  if (!existsSync(path.join(dest, 'package.json'))) {
    // Until the launcher package's package.json exists (another branch): its `exports`.
    writeFileSync(
      path.join(dest, 'package.json'),
      JSON.stringify({
        name: 'wixsync',
        version: '0.0.0',
        type: 'module',
        exports: { './astro': { types: './astro.d.ts', default: './astro.js' }, './binary': './binary.js' },
      }),
    );
  }
  return dest;
}
const PACKAGE = installPackage();
const { default: wixsync } = await import(pathToFileURL(path.join(PACKAGE, 'astro.js')).href);

/**
 * A fresh copy of cases/template-app at compat/.work/astro-<name>, built the way WIX-FACTS.md
 * says (Node adapter, `output: 'server'`, `.env` with WIX_CLIENT_ID), with `options` given to
 * `wixsync()`.
 */
function makeApp(name, options = {}) {
  const app = path.join(WORK, `astro-${name}`);
  rmSync(app, { recursive: true, force: true });
  cpSync(TEMPLATE, app, { recursive: true });
  writeConfig(app, options);
  writeFileSync(path.join(app, '.env'), `WIX_CLIENT_ID=${CLIENT_ID}\n`);
  return app;
}

function writeConfig(app, options) {
  writeFileSync(
    path.join(app, 'astro.config.mjs'),
    `import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import wix from '@wix/astro';
import wixsync from 'wixsync/astro';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [wixsync(${JSON.stringify(options)}), wix()],
});
`,
  );
}

/** path -> sha256 of every file of the app, build output and caches left out. */
function snapshot(dir, base = dir, out = {}) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.astro', '.wix', 'build.log', 'dev.log'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) snapshot(full, base, out);
    else out[path.relative(base, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return out;
}

/** The UUID in an event folder's builder. */
function builderId(app, folder) {
  const text = readFileSync(path.join(app, 'src/extensions/backend/events', folder, `${folder}.extension.ts`), 'utf8');
  const id = text.match(/\bid: '([^']+)'/)?.[1];
  assert.match(id ?? '', UUID, `${folder}'s builder has a UUID`);
  return id;
}

/** Calls the integration's `astro:config:setup` as Astro would, with a recording logger. */
async function setup(options, { app, command, isRestart = false, integrations = ['wixsync', '@wix/astro'] }) {
  const integration = wixsync(options);
  const logs = [];
  const watched = [];
  const logger = Object.fromEntries(['info', 'warn', 'error', 'debug'].map((level) => [level, (m) => logs.push(`${level}: ${m}`)]));
  await integration.hooks['astro:config:setup']({
    config: { root: pathToFileURL(`${app}/`), integrations: integrations.map((name) => ({ name, hooks: {} })) },
    command,
    isRestart,
    addWatchFile: (p) => watched.push(String(p)),
    logger,
  });
  return { logs, watched };
}

/** Waits until `predicate()` is truthy, polling; throws `what` (and `context()`) after `ms`. */
async function waitFor(what, ms, predicate, context = () => '') {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

// --- the integration, hooks called directly --------------------------------------------------

test('options: an unknown option or value is an AstroError naming it', () => {
  assert.throws(() => wixsync({ onbuild: 'apply' }), { name: 'AstroUserError', message: 'wixsync(): unknown option `onbuild`.' });
  assert.throws(() => wixsync({ onBuild: 'aply' }), { message: "wixsync(): onBuild must be 'check' or 'apply', not 'aply'." });
  assert.throws(() => wixsync({ onDev: true }), { message: "wixsync(): onDev must be 'apply', 'check' or 'off', not true." });
  assert.throws(() => wixsync({ strict: 'yes' }), { message: "wixsync(): strict must be true or false, not 'yes'." });
  assert.equal(wixsync().name, 'wixsync');
});

test('order: a warning when wixsync() comes after wix(), or wix() is absent; none in order', async () => {
  const app = makeApp('order');
  const late = await setup({ onDev: 'off' }, { app, command: 'dev', integrations: ['@wix/astro', '@wix/astro/auth', 'wixsync'] });
  assert.equal(late.logs.length, 1);
  assert.match(late.logs[0], /^warn: wixsync\(\) comes after wix\(\) in astro\.config\.mjs: .* Put it first: integrations: \[wixsync\(\), wix\(\)\]\.$/);
  const absent = await setup({ onDev: 'off' }, { app, command: 'dev', integrations: ['wixsync'] });
  assert.equal(absent.logs.length, 1);
  assert.match(absent.logs[0], /^warn: wix\(\) from @wix\/astro is not in the integrations of astro\.config\.mjs/);
  const inOrder = await setup({ onDev: 'off' }, { app, command: 'dev' });
  assert.deepEqual(inOrder, { logs: [], watched: [] }, "onDev: 'off' runs nothing and watches nothing");
  const preview = await setup({}, { app, command: 'preview' });
  assert.deepEqual(preview, { logs: [], watched: [] }, 'astro preview runs nothing');
});

test("dev with onDev: 'check' warns about the pending steps and writes nothing", needsJson, async () => {
  const app = makeApp('dev-check');
  const before = snapshot(app);
  const { logs, watched } = await setup({ onDev: 'check' }, { app, command: 'dev' });
  assert.deepEqual(watched, [path.join(app, 'wix-events.yaml')]);
  assert.equal(logs.length, 1);
  // Each step with the line of its manifest entry (contact-created is line 4, booking-canceled 6).
  assert.match(logs[0], /^warn: src\/ has drifted from wix-events\.yaml: 9 changes pending:\n {2}- create contact-created \(crm\.contacts\.onContactCreated\) {2}\(wix-events\.yaml:4\)\n/);
  assert.match(logs[0], /\n {2}- register booking-canceled in src\/extensions\.ts {2}\(wix-events\.yaml:6\)\n/);
  assert.deepEqual(snapshot(app), before);
});

test('in sync: build and dev log one info line, and a restart in sync logs nothing', needsJson, async () => {
  const app = makeApp('in-sync');
  execFileSync(BINARY, ['apply', app], { stdio: 'ignore' });
  const before = snapshot(app);
  const build = await setup({}, { app, command: 'build' });
  assert.deepEqual(build.logs, ['info: src/ matches wix-events.yaml: nothing to apply.']);
  const dev = await setup({}, { app, command: 'dev' });
  assert.deepEqual(dev.logs, ['info: src/ matches wix-events.yaml: nothing to apply.']);
  const restart = await setup({}, { app, command: 'dev', isRestart: true });
  assert.deepEqual(restart.logs, []);
  assert.deepEqual(snapshot(app), before);
});

test('dev with a broken manifest logs where and why, watches it, and does not throw', needsJson, async () => {
  const app = makeApp('dev-broken');
  writeFileSync(path.join(app, 'wix-events.yaml'), 'version: 1\nevents:\n  contact-created: crm.contacts.onContactCreatd\n');
  const before = snapshot(app);
  const { logs, watched } = await setup({}, { app, command: 'dev', isRestart: true });
  assert.deepEqual(watched, [path.join(app, 'wix-events.yaml')]);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /^error: wixsync cannot reconcile wix-events\.yaml with src\/:\n {2}wix-events\.yaml:3:20: error: /);
  assert.match(logs[0], /onContactCreated/, 'the did-you-mean help is shown');
  assert.match(logs[0], /The dev server goes on with src\/ as it is; save wix-events\.yaml again to retry\.$/);
  assert.deepEqual(snapshot(app), before);
});

test('strict: a warning fails the build (and nothing is written); without strict it is logged', needsJson, async () => {
  const app = makeApp('strict');
  // Under `unknown-events: allow`, an event the catalog does not know is accepted with a warning.
  writeFileSync(
    path.join(app, 'wix-events.yaml'),
    'version: 1\nunknown-events: allow\nevents:\n  contact-merged: crm.contacts.onContactMergedLater\n',
  );
  const before = snapshot(app);
  await assert.rejects(setup({ strict: true, onBuild: 'apply' }, { app, command: 'build' }), (error) => {
    assert.equal(error.name, 'AstroUserError');
    assert.match(error.message, /^wixsync found 1 warning, and strict: true makes them fail:\n {2}wix-events\.yaml:4:/);
    assert.match(error.hint, /wixsync\(\{ strict: false \}\)/);
    return true;
  });
  assert.deepEqual(snapshot(app), before, 'strict stops apply before it writes');
  const { logs } = await setup({ onDev: 'check' }, { app, command: 'dev' });
  assert.match(logs[0], /^warn: wix-events\.yaml:4:\d+: warning: /);
});

test("types: astro.d.ts (as an app imports it) accepts the options and rejects others", () => {
  const dir = path.join(WORK, 'astro-types');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true },
      include: ['usage.ts'],
    }),
  );
  writeFileSync(
    path.join(dir, 'usage.ts'),
    `import type { AstroIntegration } from 'astro';
import wixsync, { type WixsyncOptions } from 'wixsync/astro';

const all: WixsyncOptions = { onBuild: 'apply', onDev: 'off', manifest: 'events.yaml', strict: true };
const integrations: AstroIntegration[] = [wixsync(), wixsync(all), wixsync({ manifest: new URL('file:///app/events.yaml') })];
// @ts-expect-error: 'aply' is not an onBuild value
wixsync({ onBuild: 'aply' });
// @ts-expect-error: onbuild is not an option
wixsync({ onbuild: 'apply' });
export default integrations;
`,
  );
  const tsc = path.join(HERE, 'node_modules', '.bin', 'tsc');
  try {
    execFileSync(tsc, ['-p', dir, '--pretty', 'false'], { encoding: 'utf8', cwd: dir });
  } catch (error) {
    assert.fail(`tsc found errors:\n${error.stdout}${error.stderr}`);
  }
});

// --- astro build ------------------------------------------------------------------------------

const buildApp = path.join(WORK, 'astro-build');

test('astro build of a drifted app fails with the pending steps and the hint, and changes no file', needsJson, async () => {
  makeApp('build');
  const before = snapshot(buildApp);
  const log = path.join(buildApp, 'build.log');
  const { code } = await runAstro(['build'], buildApp, log, 5 * 60_000, { WIXSYNC_BINARY: BINARY });
  const out = readFileSync(log, 'utf8');
  assert.notEqual(code, 0, out);
  assert.match(out, /src\/ has drifted from wix-events\.yaml: 9 changes pending:/);
  for (const step of [
    'create contact-created (crm.contacts.onContactCreated)',
    'register contact-created in src/extensions.ts',
    'create order-approved (ecom.orders.onOrderApproved)',
    'create booking-canceled (bookings.bookings.onBookingCanceled)',
    'add package @wix/crm@^1.0.1643 to package.json',
  ]) {
    assert.ok(out.includes(`  - ${step}`), `the message lists "${step}":\n${out}`);
  }
  assert.match(out, /Hint:\n\s+Run `?npx wixsync apply`? to make these changes .* or set wixsync\(\{ onBuild: 'apply' \}\) in astro\.config\.mjs/);
  assert.deepEqual(snapshot(buildApp), before, 'no file was written, changed or deleted');
  assert.ok(!existsSync(path.join(buildApp, 'dist', '_wix')), 'no app manifest was built');
});

test("astro build with onBuild: 'apply' applies first, and the app manifest holds the new events", needsJson, async () => {
  assert.ok(existsSync(buildApp), 'the previous test made the app');
  writeConfig(buildApp, { onBuild: 'apply' });
  // One event that @wix/astro registers under another slug (legacyWebhookMap).
  appendFileSync(path.join(buildApp, 'wix-events.yaml'), '  app-installed: app-management.appInstances.onAppInstanceInstalled\n');
  const log = path.join(buildApp, 'build.log');
  const { code } = await runAstro(['build'], buildApp, log, 5 * 60_000, { WIXSYNC_BINARY: BINARY });
  const out = readFileSync(log, 'utf8');
  assert.equal(code, 0, out);
  for (const line of [
    '[wixsync] create contact-created (crm.contacts.onContactCreated)',
    '[wixsync] create app-installed (app-management.appInstances.onAppInstanceInstalled)',
    '[wixsync] add package @wix/app-management@^1.0.161 to package.json',
  ]) {
    assert.ok(out.includes(line), `the build log has "${line}":\n${out}`);
  }
  const expected = [
    { compId: builderId(buildApp, 'contact-created'), webhookSlug: 'wix.contacts.v4.contact_created' },
    { compId: builderId(buildApp, 'order-approved'), webhookSlug: 'wix.ecom.v1.order_approved' },
    { compId: builderId(buildApp, 'booking-canceled'), webhookSlug: 'wix.bookings.v2.booking_canceled' },
    // AppInstalled -> APP_PROVISIONED_WEBHOOK in @wix/astro 2.74.0's legacyWebhookMap.
    { compId: builderId(buildApp, 'app-installed'), webhookSlug: 'APP_PROVISIONED_WEBHOOK' },
  ];
  const byId = (a, b) => a.compId.localeCompare(b.compId);
  assert.deepEqual(webhookComponents(buildApp).sort(byId), expected.sort(byId));
  // And the app is now in sync: the command-line check agrees.
  execFileSync(BINARY, ['apply', '--check', buildApp], { stdio: 'ignore' });
});

// --- astro dev --------------------------------------------------------------------------------

/** @type {import('node:child_process').ChildProcess | undefined} */
let devServer;
after(async () => {
  if (devServer && devServer.exitCode === null && devServer.signalCode === null) {
    devServer.kill('SIGKILL');
  }
});

test('astro dev applies at start, again when wix-events.yaml changes, and survives a broken one', { ...needsJson, timeout: 8 * 60_000 }, async () => {
  const app = makeApp('dev');
  const port = await freePort();
  let out = '';
  devServer = spawn(process.execPath, [astroCli(), 'dev', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: app,
    env: { ...process.env, WIXSYNC_BINARY: BINARY, ASTRO_TELEMETRY_DISABLED: '1', ASTRO_DISABLE_UPDATE_CHECK: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  devServer.stdout.on('data', (d) => (out += d));
  devServer.stderr.on('data', (d) => (out += d));
  const tail = () => `--- astro dev output so far:\n${out.split('\n').slice(-60).join('\n')}`;
  const base = `http://127.0.0.1:${port}`;
  /** The dev server's app manifest (the @wix/astro middleware), or null while it does not answer. */
  const appManifest = async () => {
    try {
      const response = await fetch(`${base}/_wix/app-manifest.json`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) return null;
      const manifest = await response.json();
      return (manifest.components ?? []).filter((c) => c.compType === 'WEBHOOK');
    } catch {
      return null;
    }
  };
  const slugOf = (webhooks, id) => webhooks?.find((w) => w.compId === id)?.compData?.webhook?.webhookSlug;

  try {
    // 1. Start: the drifted template is applied before @wix/astro loads it.
    const first = await waitFor('the dev server to answer', 3 * 60_000, appManifest, tail);
    assert.ok(out.includes('[wixsync] create contact-created (crm.contacts.onContactCreated)'), tail());
    assert.equal(slugOf(first, builderId(app, 'contact-created')), 'wix.contacts.v4.contact_created');
    assert.equal(first.length, 3, 'three webhooks');

    // 2. A new event in the manifest: the server restarts, wixsync creates and registers it.
    appendFileSync(path.join(app, 'wix-events.yaml'), '  contact-deleted: crm.contacts.onContactDeleted\n');
    await waitFor('wixsync to create contact-deleted after the restart', 2 * 60_000, () => out.includes('[wixsync] create contact-deleted (crm.contacts.onContactDeleted)'), tail);
    const id = builderId(app, 'contact-deleted');
    assert.match(readFileSync(path.join(app, 'src/extensions.ts'), 'utf8'), /\n {2}\.use\(contactDeleted\)\n?$/);
    const second = await waitFor('the app manifest to serve contact-deleted', 2 * 60_000, async () => {
      const webhooks = await appManifest();
      return slugOf(webhooks, id) ? webhooks : null;
    }, tail);
    assert.equal(slugOf(second, id), 'wix.contacts.v4.contact_deleted');
    assert.equal(second.length, 4);

    // 3. A broken manifest: logged with its place; the server goes on with the last good state.
    const good = snapshot(app);
    const manifest = path.join(app, 'wix-events.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('onContactDeleted', 'onContactDeletd'));
    const logged = out.length;
    await waitFor('wixsync to log the broken manifest', 2 * 60_000, () => out.slice(logged).includes('The dev server goes on with src/ as it is'), tail);
    assert.match(out.slice(logged), /\[wixsync\] wixsync cannot reconcile wix-events\.yaml with src\/:\n {2}wix-events\.yaml:\d+:\d+: error: /);
    const third = await waitFor('the dev server to answer after the broken manifest', 60_000, appManifest, tail);
    assert.equal(slugOf(third, id), 'wix.contacts.v4.contact_deleted', 'the last good state is served');
    assert.equal(third.length, 4);
    const { 'wix-events.yaml': _manifest, ...rest } = snapshot(app);
    const { 'wix-events.yaml': _goodManifest, ...goodRest } = good;
    assert.deepEqual(rest, goodRest, 'nothing but the manifest changed');
  } finally {
    // 4. Stop, bounded: SIGTERM, then SIGKILL.
    if (devServer.exitCode === null && devServer.signalCode === null) {
      const exited = new Promise((resolve) => devServer.once('exit', resolve));
      devServer.kill('SIGTERM');
      const timer = setTimeout(() => devServer.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    writeFileSync(path.join(app, 'dev.log'), out);
  }
});
