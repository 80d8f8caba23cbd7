#!/usr/bin/env node
// Extract the SDK event catalog from the installed packages' type declarations, the way
// docs/wix-facts.md describes it: each root package's build/es/index.d.mts re-exports namespace
// packages (`import * as X from '@wix/auto_sdk_...'; export { X as ns };`), and each namespace
// package's build/es/index.d.mts declares every event as
// `declare const onX$1: EventDefinition<Envelope, "<slug>">;`.
//
// Usage: node catalog.mjs [@wix/crm ...]    (default: every SDK root package in package.json)
// Prints JSON: { "packages": {"@wix/crm": "1.0.1643", ...}, "events": [{package, namespace, function, webhook_slug}] }
// (the shape of shared/catalog-reference.json), sorted by package, namespace, function.

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(HERE, 'package.json'));

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [HERE] }));
}

/** Root packages whose build/es/index.d.mts is made of namespace re-exports. */
function sdkRoots() {
  const pkg = JSON.parse(readFileSync(path.join(HERE, 'package.json'), 'utf8'));
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => {
    if (!name.startsWith('@wix/')) return false;
    const dts = path.join(packageDir(name), 'build', 'es', 'index.d.mts');
    return existsSync(dts) && /^import \* as \w+ from '@wix\/auto_sdk_/m.test(readFileSync(dts, 'utf8'));
  });
}

export function extractCatalog(roots = sdkRoots()) {
  const events = [];
  const packages = {};
  for (const root of roots) {
    const dir = packageDir(root);
    packages[root] = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    const text = readFileSync(path.join(dir, 'build', 'es', 'index.d.mts'), 'utf8');
    const modules = new Map([...text.matchAll(/^import \* as (\w+) from '([^']+)';$/gm)].map((m) => [m[1], m[2]]));
    for (const [, alias, ns] of text.matchAll(/^export \{ (\w+) as (\w+) \};$/gm)) {
      const mod = modules.get(alias);
      if (!mod) continue;
      const nsDts = path.join(path.dirname(require.resolve(`${mod}/package.json`, { paths: [dir] })), 'build', 'es', 'index.d.mts');
      const nsText = readFileSync(nsDts, 'utf8');
      for (const [, fn, slug] of nsText.matchAll(/^declare const (on\w+)\$1: EventDefinition<\w+, "([^"]+)">;$/gm)) {
        events.push({ package: root, namespace: ns, function: fn, webhook_slug: slug });
      }
    }
  }
  const key = (e) => [e.package, e.namespace, e.function].join('\0');
  events.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { packages, events };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const roots = process.argv.slice(2);
  console.log(JSON.stringify(extractCatalog(roots.length ? roots : undefined), null, 1));
}
