// Writes a monorepo for bench/workspace.sh: OUT/package.json with `workspaces: ["apps/*"]` and
// N template-shaped apps OUT/apps/appNNNN (copies of cases/template-app), each with a
// wix-events.yaml of the same 25 events: drawn from the catalog (`wixsync events --json`),
// spread over its packages, one per webhook slug.
//
//   node make-monorepo.mjs OUT N WIXSYNC_BIN TEMPLATE_DIR
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [out, count, bin, template] = process.argv.slice(2);
const catalog = JSON.parse(execFileSync(bin, ["events", "--json"], { encoding: "utf8" }));
const slugs = new Set();
const picked = [];
const step = Math.floor(catalog.length / 25);
for (let i = 0; picked.length < 25 && i < catalog.length * 2; i += step) {
  const event = catalog[i % catalog.length];
  if (slugs.has(event.slug)) continue;
  slugs.add(event.slug);
  picked.push(event);
}
const kebab = (name) =>
  name.replace(/^on/, "").replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
const names = new Set();
const lines = ["version: 1", "events:"];
for (const e of picked) {
  let name = kebab(e.function);
  while (names.has(name)) name += "-x";
  names.add(name);
  lines.push(`  ${name}: ${e.package}.${e.namespace}.${e.function}`);
}
const manifest = lines.join("\n") + "\n";
mkdirSync(join(out, "apps"), { recursive: true });
writeFileSync(
  join(out, "package.json"),
  JSON.stringify({ name: "bench-monorepo", private: true, workspaces: ["apps/*"] }, null, 2) + "\n",
);
for (let i = 0; i < Number(count); i++) {
  const app = join(out, "apps", `app${String(i).padStart(4, "0")}`);
  cpSync(template, app, { recursive: true });
  writeFileSync(join(app, "wix-events.yaml"), manifest);
}
