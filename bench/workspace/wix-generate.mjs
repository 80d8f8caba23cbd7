// The peer wixsync is measured against: for every app under ROOT/apps and every event of its
// wix-events.yaml, what `wix generate` does for one backend event extension, in one Node
// process for all apps (favourable to the peer: no process start per event):
//
//   - write the builder src/extensions/backend/events/<name>/<name>.extension.ts and the
//     handler <name>.ts (the same bytes wixsync writes);
//   - register it in src/extensions.ts through jscodeshift: parse, add the import and the
//     `.use(name)` link, print (recast keeps the other bytes), write: once per event, as each
//     `wix generate` run does;
//   - add the event's @wix/* package to package.json.
//
//   node wix-generate.mjs ROOT
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jscodeshift from "jscodeshift";

const j = jscodeshift.withParser("ts");
const root = process.argv[2];
const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const versions = { "app-management": "^1.0.0" };

function register(text, name, path) {
  const ast = j(text);
  const id = camel(name);
  const imports = ast.find(j.ImportDeclaration);
  const declaration = j.importDeclaration(
    [j.importDefaultSpecifier(j.identifier(id))],
    j.literal(path),
  );
  imports.at(imports.length - 1).insertAfter(declaration);
  // The outermost call of `export default app().use(a).use(b)`.
  const exported = ast.find(j.ExportDefaultDeclaration).get("declaration");
  exported.replace(
    j.callExpression(j.memberExpression(exported.value, j.identifier("use")), [j.identifier(id)]),
  );
  return ast.toSource({ quote: "single" });
}

for (const dir of readdirSync(join(root, "apps")).sort()) {
  const app = join(root, "apps", dir);
  const manifest = readFileSync(join(app, "wix-events.yaml"), "utf8");
  const pkgPath = join(app, "package.json");
  for (const line of manifest.split("\n")) {
    const m = /^  ([a-z0-9-]+): ([a-z-]+)\.([A-Za-z0-9]+)\.([A-Za-z0-9]+)$/.exec(line);
    if (!m) continue;
    const [, name, pkg, namespace, fn] = m;
    const folder = join(app, "src/extensions/backend/events", name);
    const source = `./extensions/backend/events/${name}/${name}.ts`;
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, `${name}.extension.ts`),
      `import { extensions } from '@wix/astro/builders';\n\nexport default extensions.event({\n  id: '${randomUUID()}',\n  source: '${source}',\n});\n`,
    );
    writeFileSync(
      join(folder, `${name}.ts`),
      `import { ${namespace} } from '@wix/${pkg}';\n\n// Wix delivers each event at least once: make this handler safe to run twice.\nexport default ${namespace}.${fn}(async (event) => {\n  try {\n    console.log('${name}: received', event.metadata.instanceId);\n  } catch (error) {\n    console.error('${name}: failed', error);\n    throw error;\n  }\n});\n`,
    );
    const registry = join(app, "src/extensions.ts");
    const builder = `./extensions/backend/events/${name}/${name}.extension.ts`;
    writeFileSync(registry, register(readFileSync(registry, "utf8"), name, builder));
    const pkgJson = JSON.parse(readFileSync(pkgPath, "utf8"));
    pkgJson.dependencies ??= {};
    pkgJson.dependencies[`@wix/${pkg}`] ??= versions[pkg] ?? "^1.0.0";
    writeFileSync(pkgPath, JSON.stringify(pkgJson, null, 2) + "\n");
  }
}
