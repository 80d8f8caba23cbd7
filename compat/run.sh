#!/usr/bin/env bash
# Check Wix CLI apps against the real npm packages pinned in compat/package-lock.json.
#
#   compat/run.sh [--build] APP_DIR [APP_DIR...]
#   compat/run.sh --install-only
#
# For each app: copy it to compat/.work/<name> (so module resolution walks up to
# compat/node_modules), then
#   tsc   npx tsc --noEmit -p <copy>   (the app's tsconfig.json, or the template's if it has none)
#   load  node compat/check.mjs <copy> (loads src/extensions.ts and every event handler the way
#         @wix/astro does at build time; see check.mjs)
# and, with --build, after all of them:
#   build node compat/build.mjs <copies>  (a real offline `astro build` of each copy, 2 at a time,
#         and its dist/_wix/app-manifest.json checked; see build.mjs)
# Prints one PASS/FAIL line per app and check, then "N passed, N failed"; exits 1 if any failed.
set -euo pipefail

COMPAT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$COMPAT/.work"

die() {
  printf '\n' >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!! compat: FAIL: %s\n' "$1" >&2
  [[ $# -gt 1 ]] && printf '!!   %s\n' "${@:2}" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  exit 1
}

install_only=0
build=0
if [[ ${1:-} == --install-only ]]; then
  install_only=1
  shift
elif [[ ${1:-} == --build ]]; then
  build=1
  shift
fi
if [[ $install_only -eq 0 && ($# -eq 0 || ${1:-} == -*) ]]; then
  echo "usage: compat/run.sh [--build] APP_DIR [APP_DIR...]   (or: compat/run.sh --install-only)" >&2
  exit 2
fi

# --- tools -----------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node is not installed: the compatibility checks cannot run." \
  "Install Node.js >= 20.3 (e.g. apt-get install nodejs npm) and run again. Nothing was checked."
command -v npm >/dev/null 2>&1 || die "npm is not installed: the compatibility checks cannot run." \
  "Install npm (e.g. apt-get install npm) and run again. Nothing was checked."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=3)?0:1)' ||
  die "node $(node --version) is too old: astro 5 needs 18.20.8, ^20.3.0 or >= 22." "Nothing was checked."

# --- install (cached) ------------------------------------------------------------------------
# node_modules is reused while it was installed from the same package.json, package-lock.json,
# node version and platform; the stamp is written only after a successful `npm ci`.
mkdir -p "$WORK"
STAMP="$COMPAT/node_modules/.wixsync-compat-install"
want="$(cat "$COMPAT/package.json" "$COMPAT/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node -p 'process.versions.node.split(".")[0]+"-"+process.platform+"-"+process.arch')"
install() {
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    echo "compat: node_modules is up to date with package-lock.json (skipping npm ci)"
    return
  fi
  echo "compat: installing the pinned packages (npm ci)..."
  local start=$SECONDS
  (cd "$COMPAT" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) ||
    die "npm ci failed in $COMPAT" "The npm registry must be reachable (or the npm cache warm). Nothing was checked."
  printf '%s\n' "$want" >"$STAMP"
  echo "compat: installed in $((SECONDS - start))s ($(du -sh "$COMPAT/node_modules" | cut -f1))"
}
if command -v flock >/dev/null 2>&1; then
  # Two runs at once must not both run npm ci into the same folder.
  exec 9>"$WORK/.install.lock"
  flock 9
  install
  flock -u 9
else
  install
fi
[[ -x "$COMPAT/node_modules/.bin/tsc" ]] || die "compat/node_modules/.bin/tsc is missing after install."
[[ $install_only -eq 1 ]] && exit 0

# --- checks ----------------------------------------------------------------------------------
passed=0
failed=0
copies=()
declare -A used_names=()
verdict() { # verdict PASS|FAIL check app
  printf '%s  %-4s  %s\n' "$1" "$2" "$3"
  if [[ $1 == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for arg in "$@"; do
  if [[ ! -d "$arg" ]]; then
    echo "== $arg"
    echo "  not a directory"
    verdict FAIL app "$arg"
    continue
  fi
  src="$(cd "$arg" && pwd)"
  name="$(basename "$src")"
  # Two apps with one folder name get separate copies.
  n=1
  while [[ -n "${used_names[$name]:-}" ]]; do n=$((n + 1)); name="$(basename "$src")-$n"; done
  used_names[$name]=1
  dest="$WORK/$name"
  copies+=("$dest")
  echo "== $name ($src)"

  if [[ -e "$dest" ]]; then chmod -R u+w "$dest" && rm -rf "$dest"; fi
  mkdir -p "$dest"
  # The app's own node_modules would shadow the pinned packages: leave it (and build output) out.
  # The copy is made writable: Vite writes its cache into it, and read-only sources stay removable.
  tar -C "$src" --exclude=node_modules --exclude=.git --exclude=dist --exclude=.wix -cf - . | tar -C "$dest" -xf -
  chmod -R u+w "$dest"
  if [[ -f "$dest/tsconfig.json" ]]; then
    echo "  using the app's tsconfig.json"
  else
    # What the app template ships; the three compilerOptions are inherited from
    # astro/tsconfigs/base already and spelled out for the `.ts`-suffixed imports.
    cat >"$dest/tsconfig.json" <<'EOF'
{
  "extends": "astro/tsconfigs/strict",
  "compilerOptions": {
    "moduleResolution": "Bundler",
    "allowImportingTsExtensions": true,
    "noEmit": true
  },
  "include": [".astro/types.d.ts", "**/*"],
  "exclude": ["dist", "node_modules"]
}
EOF
    echo "  no tsconfig.json: wrote the template's (extends astro/tsconfigs/strict)"
  fi

  # (a) type check, from the app root as the app's own `npx tsc --noEmit -p .` would
  if out="$(cd "$dest" && "$COMPAT/node_modules/.bin/tsc" --noEmit -p . --pretty false 2>&1)"; then
    verdict PASS tsc "$name"
  else
    if [[ -n "$out" ]]; then printf '%s\n' "$out" | sed 's/^/  /'; fi
    verdict FAIL tsc "$name"
  fi

  # (b) load check, the way @wix/astro loads extensions at build time
  if (cd "$COMPAT" && node "$COMPAT/check.mjs" "$dest"); then
    verdict PASS load "$name"
  else
    verdict FAIL load "$name"
  fi
done

# (c) with --build: a real `astro build` of every copy, and its app manifest
if [[ $build -eq 1 && ${#copies[@]} -gt 0 ]]; then
  build_log="$WORK/.build-output.txt"
  start=$SECONDS
  node "$COMPAT/build.mjs" "${copies[@]}" | tee "$build_log" || true
  echo "compat: the builds took $((SECONDS - start))s"
  passed=$((passed + $(grep -c '^PASS  build ' "$build_log" || true)))
  failed=$((failed + $(grep -c '^FAIL  build ' "$build_log" || true)))
  if ! grep -q '^build: [0-9]* passed, 0 failed$' "$build_log"; then
    # build.mjs failed as a whole (or an app did): never pass without its verdicts.
    grep -q '^FAIL  build ' "$build_log" || { echo "FAIL  build (build.mjs did not finish)"; failed=$((failed + 1)); }
  fi
fi

echo "compat: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
