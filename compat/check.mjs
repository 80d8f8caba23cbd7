#!/usr/bin/env node
// Load check: does @wix/astro accept this app's event extensions, and which webhook slug does each
// one subscribe to?
//
// Usage: node check.mjs APP_DIR
//
// This mirrors what @wix/astro 2.x does at build time (node_modules/@wix/astro/build/integration/
// index.mjs, regions `astro-core/src/model` and `astro-backend-extensions`):
//
//   1. a temporary Vite server (`createTemporaryViteServer`: middlewareMode, logLevel silent,
//      optimizeDeps.noDiscovery) rooted at `<app>/src` loads `/extensions.ts` with
//      `ssrLoadModule` and takes `.default.extensions` (the `app()` builder's array);
//   2. every object found by a deep walk of a GenericExtension's `options` whose `type` is
//      `Symbol.for("@wix/astro-backend-extensions:WebhookBundler")` is an event; its
//      `options.source` is a path relative to `src/`;
//   3. a second temporary Vite server (root `<app>/src`, `ssr.noExternal: true`) loads that source
//      with `ssrLoadModule`; an ERR_LOAD_URL error counts as "no module"; the module must have a
//      function as its default export ("Expected event listener call to be the default export."),
//      and `module.default().slug` is the webhook slug (mapped through `legacyWebhookMap` for the
//      app manifest).
//
// On top of what @wix/astro checks, it fails on what Wix itself only notices later (docs/wix-facts.md,
// "Rules Wix itself does not check locally"): a missing source file (named as such), duplicate
// extension ids, an event id that is not a lowercase UUID v4, two handlers for one slug, an event
// folder under src/extensions/backend/events/ that is not registered, and a package a loaded app
// module imports that the app's package.json does not declare. If APP_DIR/expected-slugs.json
// exists ({"<folder>": "<slug>"}), the registered event folders and their slugs must equal it.
//
// Prints `<folder> -> <slug>` per event and `FAIL: ...` per problem; exits 1 on any failure.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isBuiltin } from 'node:module';
import { legacyWebhookMap, wixAstroBundle } from './wix-astro.mjs';

const WEBHOOK_BUNDLER = Symbol.for('@wix/astro-backend-extensions:WebhookBundler');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ASTRO_MESSAGE = 'Expected event listener call to be the default export.';

const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.log(`  FAIL: ${msg}`);
};
const note = (msg) => console.log(`  note: ${msg}`);

// --- drift guard: the behaviour mirrored here must still be what @wix/astro does -------------

function readWixAstro() {
  const { version, dir, index } = wixAstroBundle();
  const builders = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  const expectInIndex = [
    'return (await server.ssrLoadModule(`/${extensionsPath}`)).default.extensions;',
    'const extensionsPath = "extensions.ts";',
    'const module = await loadFileWithVite(source, temporaryViteServer);',
    'if (!isValidEventFileExport(module))',
    ASTRO_MESSAGE,
    'const { slug } = module.default();',
    'return legacyWebhookMap.get(slug) ?? slug;',
    'if (isLoadUrlError(error)) return null;',
    'optimizeDeps: { noDiscovery: true },',
    'noExternal: true,',
  ];
  const missing = expectInIndex.filter((s) => !index.includes(s));
  if (!builders.includes('Symbol.for("@wix/astro-backend-extensions:WebhookBundler")')) {
    missing.push('Symbol.for("@wix/astro-backend-extensions:WebhookBundler")');
  }
  if (missing.length > 0) {
    console.log(`FAIL: @wix/astro ${version} no longer contains code this harness mirrors:`);
    for (const m of missing) console.log(`  missing: ${m}`);
    console.log('  Re-read node_modules/@wix/astro/build/integration/index.mjs and update check.mjs.');
    process.exit(1);
  }
  // The legacy slug map is read from the package itself rather than copied.
  try {
    return { version, legacy: legacyWebhookMap(index) };
  } catch (e) {
    console.log(`FAIL: @wix/astro ${version}: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

// --- helpers ---------------------------------------------------------------------------------

/** @wix/astro's deepFind: every plain object (not array) in the tree for which cb returns non-false. */
function deepFind(obj, cb) {
  const out = [];
  const visit = (x) => {
    if (typeof x !== 'object' || x == null || Array.isArray(x)) return;
    const r = cb(x);
    if (r !== false) out.push(r);
    for (const v of Object.values(x)) visit(v);
  };
  visit(obj);
  return out;
}

function isLoadUrlError(e) {
  return e != null && typeof e === 'object' && 'code' in e && e.code === 'ERR_LOAD_URL';
}

/** The first three non-empty lines of an error message, on one line. */
function briefly(e) {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' | ');
}

/** `@scope/name/sub/path` or `name/sub` -> the package name. */
function packageOfSpecifier(spec) {
  const parts = spec.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * The app's own modules a Vite server loaded, each with the packages it imports directly.
 * Pre-bundled dependencies (node_modules/.vite-wix/.../deps_ssr/*.js) are mapped back to their
 * package through the optimizer's metadata.
 */
function graphOf(server) {
  const env = server.environments.ssr;
  const optimized = new Map(
    Object.entries(env.depsOptimizer?.metadata?.optimized ?? {}).map(([spec, info]) => [info.file, packageOfSpecifier(spec)]),
  );
  const packageOf = (file) => {
    if (optimized.has(file)) return optimized.get(file);
    const i = file.lastIndexOf('/node_modules/');
    if (i < 0 || file.includes('/.vite-wix/')) return null;
    return packageOfSpecifier(file.slice(i + '/node_modules/'.length));
  };
  const out = [];
  for (const node of env.moduleGraph.idToModuleMap.values()) {
    if (!node.file || node.file.includes('/node_modules/')) continue;
    // Bundled imports are module-graph edges; externalized ones (the model server's default)
    // stay bare specifiers in the transform result's `deps`.
    const bundled = [...node.importedModules].map((d) => (d.file ? packageOf(d.file) : null));
    const external = (node.transformResult?.deps ?? [])
      .filter((d) => !/^[./]/.test(d) && !d.startsWith('node:') && !d.startsWith('\0') && !isBuiltin(d))
      .map(packageOfSpecifier);
    out.push({ file: node.file, packages: [...new Set([...bundled, ...external].filter(Boolean))] });
  }
  return out;
}

// --- main ------------------------------------------------------------------------------------

async function main() {
  const appArg = process.argv[2];
  if (!appArg) {
    console.error('usage: node check.mjs APP_DIR');
    process.exit(2);
  }
  const appDir = path.resolve(appArg);
  const srcDir = path.join(appDir, 'src');
  const { version: wixAstroVersion, legacy } = readWixAstro();
  // The same `vite` that @wix/astro imports (hoisted in compat/node_modules).
  const { createServer, mergeConfig, version: viteVersion } = await import('vite');

  console.log(`  (mirroring @wix/astro ${wixAstroVersion}, vite ${viteVersion})`);

  if (!existsSync(path.join(srcDir, 'extensions.ts'))) {
    // @wix/astro silently treats this as an app without extensions.
    fail('src/extensions.ts does not exist (@wix/astro would build the app with no extensions at all)');
    return;
  }

  // createTemporaryViteServer from @wix/astro's vite-utils.
  const temporaryServer = (config) =>
    createServer(
      mergeConfig(
        {
          logLevel: 'silent',
          optimizeDeps: { noDiscovery: true },
          server: { middlewareMode: true, ws: false },
        },
        config,
      ),
    );
  const cacheDir = (name) => path.join(appDir, 'node_modules', '.vite-wix', name);

  // 1. The model: src/extensions.ts, default export's `.extensions`.
  const modelServer = await temporaryServer({
    cacheDir: cacheDir('model-extensions-file'),
    root: srcDir,
    ssr: { external: [] },
  });
  let extensions;
  let modelGraph = [];
  try {
    const mod = await modelServer.ssrLoadModule('/extensions.ts');
    if (mod.default == null) {
      fail(
        'src/extensions.ts has no default export; @wix/astro reads `(await ssrLoadModule("/extensions.ts")).default.extensions` ' +
          '(TypeError: Cannot read properties of undefined)',
      );
      return;
    }
    extensions = mod.default.extensions;
    if (!Array.isArray(extensions)) {
      fail('the default export of src/extensions.ts is not an app() builder (no `.extensions` array)');
      return;
    }
  } catch (e) {
    fail(`loading src/extensions.ts failed: ${briefly(e)}`);
    return;
  } finally {
    modelGraph = graphOf(modelServer);
    await modelServer.close();
  }

  // 2. Every webhook bundler, and every extension id.
  const events = [];
  const ids = new Map();
  for (const ext of extensions) {
    const id = ext?.type === 'GenericExtension' ? ext.options?.compId : ext?.options?.id;
    if (typeof id === 'string') ids.set(id, [...(ids.get(id) ?? []), ext.options?.compType ?? ext.type]);
    if (ext?.type !== 'GenericExtension') continue;
    for (const bundler of deepFind(ext.options, (v) => ('type' in v && v.type === WEBHOOK_BUNDLER ? v : false))) {
      events.push({ id: ext.options.compId, source: bundler.options?.source });
    }
  }
  for (const [id, kinds] of ids) {
    if (kinds.length > 1) fail(`extension id ${id} is used ${kinds.length} times (${kinds.join(', ')}); Wix keeps only one`);
  }
  console.log(`  ${extensions.length} extension(s) registered, ${events.length} event(s)`);

  // 3. Load each handler the way getWebhookSlug does.
  const hookServer = await temporaryServer({
    cacheDir: cacheDir('backend-extensions-webhooks'),
    plugins: [],
    root: srcDir,
    ssr: { noExternal: true, optimizeDeps: { noDiscovery: false } },
  });
  const found = new Map(); // folder -> slug
  const bySlug = new Map();
  let hookGraph = [];
  try {
    for (const { id, source } of events) {
      if (typeof source !== 'string') {
        fail(`event extension ${id} has no string \`source\``);
        continue;
      }
      const folder = path.basename(path.dirname(source));
      const where = `${folder} (source ${source})`;
      if (!UUID_V4.test(String(id))) fail(`${where}: id ${JSON.stringify(id)} is not a lowercase UUID v4`);
      if (!source.startsWith('./')) note(`${where}: source does not start with './'`);
      if (found.has(folder)) fail(`${where}: event folder registered twice`);
      const file = path.resolve(srcDir, source);
      if (!existsSync(file) || !statSync(file).isFile()) {
        fail(
          `${where}: source file src/${path.relative(srcDir, file)} does not exist ` +
            `(@wix/astro: "Invalid export for event source at \`${source}\`. ${ASTRO_MESSAGE}")`,
        );
        continue;
      }
      let mod;
      try {
        mod = await hookServer.ssrLoadModule(source).catch((e) => {
          if (isLoadUrlError(e)) return null;
          throw e;
        });
      } catch (e) {
        fail(`${where}: loading the handler failed: ${briefly(e)}`);
        continue;
      }
      const valid = typeof mod === 'object' && mod != null && 'default' in mod && typeof mod.default === 'function';
      if (!valid) {
        const has = mod == null ? 'module not found' : `exports: ${Object.keys(mod).join(', ') || '(none)'}`;
        fail(`${where}: Invalid export for event source at \`${source}\`. ${ASTRO_MESSAGE} (${has})`);
        continue;
      }
      let slug;
      try {
        slug = mod.default()?.slug;
      } catch (e) {
        fail(`${where}: calling the default export threw: ${briefly(e)}`);
        continue;
      }
      if (typeof slug !== 'string' || slug === '') {
        fail(`${where}: default() returned no webhook slug (is the default export an SDK event subscription?)`);
        continue;
      }
      found.set(folder, slug);
      bySlug.set(slug, [...(bySlug.get(slug) ?? []), folder]);
      const mapped = legacy.get(slug);
      console.log(`  ${folder} -> ${slug}${mapped ? `  (app manifest: ${mapped})` : ''}`);
    }
  } finally {
    hookGraph = graphOf(hookServer);
    await hookServer.close();
  }
  for (const [slug, folders] of bySlug) {
    if (folders.length > 1) fail(`slug ${slug} has ${folders.length} handlers (${folders.join(', ')}); Wix allows one per event`);
  }

  // Event folders on disk that nothing registers.
  const eventsDir = path.join(srcDir, 'extensions', 'backend', 'events');
  if (existsSync(eventsDir)) {
    const registered = new Set(events.map((e) => path.resolve(srcDir, path.dirname(String(e.source)))));
    for (const entry of readdirSync(eventsDir, { withFileTypes: true })) {
      // A folder without a builder and a handler (empty, or stray notes) is no extension.
      const folder = path.join(eventsDir, entry.name);
      const isExtension = entry.isDirectory() &&
        (existsSync(path.join(folder, `${entry.name}.extension.ts`)) || existsSync(path.join(folder, `${entry.name}.ts`)));
      if (isExtension && !registered.has(folder)) {
        fail(`event folder src/extensions/backend/events/${entry.name}/ exists but is not registered in src/extensions.ts`);
      }
    }
  }

  // Packages imported by the app's own modules must be declared in its package.json.
  const pkgPath = path.join(appDir, 'package.json');
  if (existsSync(pkgPath)) {
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8').replace(/^\uFEFF/, ''));
    const declared = new Set(
      ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((k) => Object.keys(pkg[k] ?? {})),
    );
    const needed = new Map(); // package -> first importer
    for (const { file, packages } of [...modelGraph, ...hookGraph]) {
      if (!file.startsWith(appDir + path.sep)) continue;
      for (const name of packages) if (!needed.has(name)) needed.set(name, path.relative(appDir, file));
    }
    for (const [name, importer] of [...needed].sort()) {
      if (!declared.has(name)) fail(`${importer} imports ${name}, which the app's package.json does not declare`);
    }
  } else {
    note('no package.json: skipped the dependency check');
  }

  // expected-slugs.json
  const expectedPath = path.join(appDir, 'expected-slugs.json');
  if (existsSync(expectedPath)) {
    const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
    const registeredFolders = new Set(events.map((e) => path.basename(path.dirname(String(e.source)))));
    for (const folder of Object.keys(expected).sort()) {
      if (!registeredFolders.has(folder)) fail(`expected-slugs.json: ${folder} is expected but not registered`);
      else if (found.has(folder) && found.get(folder) !== expected[folder]) {
        fail(`expected-slugs.json: ${folder} subscribes to ${found.get(folder)}, expected ${expected[folder]}`);
      }
    }
    for (const folder of [...registeredFolders].sort()) {
      if (!(folder in expected)) fail(`expected-slugs.json: ${folder} is registered but not expected`);
    }
  }
}

try {
  await main();
} catch (e) {
  fail(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
}
process.exit(failures.length > 0 ? 1 : 0);
