#!/usr/bin/env node
// Generate test apps holding one event extension for EVERY event of the installed SDK packages,
// written the way `wix generate` (and wixsync's default style) writes them. The handler body is
// chosen by --body (see `handler` below).
//
// Usage: node selftest/gen-all-events.mjs [--body=instance-id|metadata-id] OUT_DIR
//
// Events are dealt into apps so that no app has two handlers for one webhook slug (Wix allows one
// per slug; `ecom.cart` and `ecom.currentCart` share theirs): OUT_DIR/all-events-1 gets the first
// handler of every slug, all-events-2 the second, and so on. Each app gets an expected-slugs.json
// taken from the type declarations (catalog.mjs), which check.mjs compares with the slugs the
// handlers return at run time.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { extractCatalog } from '../catalog.mjs';

const args = process.argv.slice(2);
const bodyArg = args.find((a) => a.startsWith('--body='));
const body = bodyArg ? bodyArg.slice('--body='.length) : 'instance-id';
const out = args.find((a) => !a.startsWith('--'));
if (!out || !['instance-id', 'metadata-id'].includes(body)) {
  console.error('usage: node selftest/gen-all-events.mjs [--body=instance-id|metadata-id] OUT_DIR');
  process.exit(2);
}

// instance-id: reads only what every envelope's metadata has (BaseEventMetadata.instanceId).
// metadata-id: the `event.metadata._id` idempotency key of docs/wix-facts.md; it does NOT type-check
//   for the 34 legacy-slug events whose envelope metadata is BaseEventMetadata (no _id, entityId,
//   eventTime): app-management appInstances, stores products/inventory/abandonedCarts, events
//   orders/rsvp/ticketDefinitions, bookings categories, ...
function handler(e, folder) {
  const line =
    body === 'metadata-id'
      ? `  console.log('${folder}', event.metadata._id, event.metadata.instanceId);`
      : `  console.log('${folder}', event.metadata.instanceId);`;
  return `import { ${e.namespace} } from '${e.package}';

export default ${e.namespace}.${e.function}(async (event) => {
${line}
});
`;
}

const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
const camel = (folder) => folder.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
/** A stable UUID v4 derived from the folder name, so reruns write identical files. */
function uuid(seed) {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const { packages, events } = extractCatalog();
const apps = [];
const seen = new Map(); // slug -> count
for (const e of events) {
  const n = seen.get(e.webhook_slug) ?? 0;
  seen.set(e.webhook_slug, n + 1);
  (apps[n] ??= []).push(e);
}

for (const [i, appEvents] of apps.entries()) {
  const dir = path.join(out, `all-events-${i + 1}`);
  rmSync(dir, { recursive: true, force: true });
  const imports = [];
  const uses = [];
  const expected = {};
  const used = new Set(['@wix/astro']);
  for (const e of appEvents) {
    const pkgShort = e.package.replace('@wix/', '');
    const folder = `${kebab(pkgShort)}-${kebab(e.namespace)}-${kebab(e.function.replace(/^on/, ''))}`;
    const evDir = path.join(dir, 'src', 'extensions', 'backend', 'events', folder);
    mkdirSync(evDir, { recursive: true });
    writeFileSync(
      path.join(evDir, `${folder}.extension.ts`),
      `import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '${uuid(folder)}',
  source: './extensions/backend/events/${folder}/${folder}.ts',
});
`,
    );
    writeFileSync(path.join(evDir, `${folder}.ts`), handler(e, folder));
    imports.push(`import ${camel(folder)} from './extensions/backend/events/${folder}/${folder}.extension.ts';`);
    uses.push(`  .use(${camel(folder)})`);
    expected[folder] = e.webhook_slug;
    used.add(e.package);
  }
  writeFileSync(
    path.join(dir, 'src', 'extensions.ts'),
    `import { app } from '@wix/astro/builders';\n${imports.join('\n')}\n\nexport default app()\n${uses.join('\n')};\n`,
  );
  const deps = Object.fromEntries([...used].sort().map((p) => [p, `^${packages[p] ?? '2.74.0'}`]));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `all-events-${i + 1}`, private: true, type: 'module', dependencies: deps }, null, 2) + '\n',
  );
  writeFileSync(path.join(dir, 'expected-slugs.json'), JSON.stringify(expected, null, 2) + '\n');
  console.log(`${dir}: ${appEvents.length} events`);
}
