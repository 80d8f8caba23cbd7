#!/usr/bin/env bash
# Writes the seed corpus, fuzz/corpus/<target>/, from the real shapes in the repository: the
# case apps (cases/*), the shared fixtures when present (../shared/fixtures) and the example
# manifests (manifests/*.yaml). Run from the repository root; the output is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{manifest,scan_extensions,scan_handler,pipeline}
apps=(cases/*/)
if [ -d ../shared/fixtures ]; then apps+=(../shared/fixtures/*/); fi
for app in "${apps[@]}"; do
  app=${app%/}
  name=$(basename "$app")
  case "$app" in ../shared/*) name="fixture-$name" ;; esac
  if [ -f "$app/wix-events.yaml" ]; then cp "$app/wix-events.yaml" "$out/manifest/$name.yaml"; fi
  if [ -f "$app/src/extensions.ts" ]; then cp "$app/src/extensions.ts" "$out/scan_extensions/$name.ts"; fi
  if [ -d "$app/src/extensions/backend/events" ]; then
    find "$app/src/extensions/backend/events" -mindepth 2 -type f -name '*.ts' ! -name '*.extension.ts' |
      sort | while read -r handler; do
        cp "$handler" "$out/scan_handler/$name--$(basename "$handler")"
      done
  fi
  # The pipeline's archive (engine/src/fuzz.rs, decode_app): every file the app loader
  # reads, `=== PATH` before each; `--force` when the case runs with it.
  {
    if [ -f "$app/case.toml" ] && grep -q -- '--force' "$app/case.toml"; then echo "=== --force"; fi
    (cd "$app" && find . -type f \( -path './src/*' -o -name wix-events.yaml -o -name package.json -o -name '.prettierrc*' \) |
      sed 's|^\./||' | sort) | while read -r rel; do
      case "$rel" in
        src/extensions/backend/events/*/*|src/*.ts|src/*.tsx|src/*.mts|src/*.js|src/*.mjs|src/*.jsx|wix-events.yaml|package.json|.prettierrc*) ;;
        *) continue ;;
      esac
      echo "=== $rel"
      cat "$app/$rel"
      # An archive's file ends at a newline; a file without a final one gains it here.
      if [ -n "$(tail -c1 "$app/$rel")" ]; then echo; fi
    done
  } > "$out/pipeline/$name.txt"
done
for manifest in manifests/*.yaml; do
  cp "$manifest" "$out/manifest/example-$(basename "$manifest")"
done
# The same app once more with git saying every event file is committed, so removals go ahead.
for name in lived-in-app remove-own-line remove-last-of-one-line-chain; do
  if [ -f "$out/pipeline/$name.txt" ]; then
    { echo "=== --git"; cat "$out/pipeline/$name.txt"; } > "$out/pipeline/$name--git.txt"
  fi
done
# Byte-identical seeds are one seed.
for dir in "$out"/*/; do
  (cd "$dir" && sha1sum -- * | sort | awk 'seen[$1]++ { print $2 }' | xargs -r rm --)
done
find "$out" -type f | wc -l
du -sh "$out"
