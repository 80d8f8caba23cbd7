#!/usr/bin/env bash
# Benchmark of `--workspace` on a generated monorepo: N template-shaped apps (copies of
# cases/template-app) x 25 events drawn from the catalog, one per webhook slug. In one
# hyperfine run, side by side:
#
#   apply        wixsync apply --workspace, creating all 25 events in every app
#   jscodeshift  the same through jscodeshift, doing per event what `wix generate` does
#                (bench/workspace/wix-generate.mjs; one Node process for all apps)
#   write+sync   writing the same files (a tar of what apply wrote) with one `sync`
#   check        a no-op wixsync apply --check --workspace on the converged monorepo
#   cat          cat of every file of the converged monorepo: the floor for `check`
#
# then the peak memory (max RSS, /usr/bin/time -v) of apply and check, and the ratios.
#
#   bench/workspace.sh [N]          N apps, 100 by default
#
# Needs cargo, node + npm (jscodeshift is pinned in bench/workspace/package.json and its
# lock, installed with `npm ci` on the first run), hyperfine (apt-get install hyperfine) and
# GNU time. WIXSYNC_BIN=<path> uses a binary built before instead of a release build of this
# tree; BENCH_RUNS (5) changes the number of runs. The monorepo lives in $TMPDIR (/tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
apps="${1:-100}"
runs="${BENCH_RUNS:-5}"
command -v hyperfine >/dev/null || { echo "bench/workspace.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/workspace.sh needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -d bench/workspace/node_modules ] || (cd bench/workspace && npm ci --no-audit --no-fund --silent)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${WIXSYNC_BIN:-}" ]; then
  cp "$WIXSYNC_BIN" "$work/wixsync"
else
  cargo build --release --quiet -p wixsync
  cp "${CARGO_TARGET_DIR:-target}/release/wixsync" "$work/wixsync"
fi
bin="$work/wixsync"

echo "== $apps apps x 25 events"
node bench/workspace/make-monorepo.mjs "$work/pristine" "$apps" "$bin" cases/template-app
# The converged monorepo, for check and cat; and what apply wrote, for write+sync.
cp -r "$work/pristine" "$work/done"
sleep 0.1 && touch "$work/mark" && sleep 0.1
"$bin" apply --workspace "$work/done" >/dev/null
(cd "$work/done" && find apps -newer "$work/mark" -type f -print0 \
  | tar --null -cf "$work/written.tar" -T -)
files=$(find "$work/done" -type f | wc -l)
echo "== $files files in the converged monorepo; $(tar -tf "$work/written.tar" | wc -l) written by apply"

fresh="rm -rf $work/m && cp -r $work/pristine $work/m"
hyperfine --runs "$runs" --warmup 1 --export-json "$work/result.json" \
  --prepare "$fresh" -n apply "$bin apply --workspace $work/m >/dev/null" \
  --prepare "$fresh" -n jscodeshift "node bench/workspace/wix-generate.mjs $work/m" \
  --prepare "$fresh" -n write+sync "tar -xf $work/written.tar -C $work/m && sync" \
  --prepare "true" -n check "$bin apply --check --workspace $work/done >/dev/null" \
  --prepare "true" -n cat "find $work/done -type f -print0 | xargs -0 cat >/dev/null"

peak() { # max RSS of a command, in MiB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ { printf "%.1f", $6 / 1024 }'
}
rm -rf "$work/m" && cp -r "$work/pristine" "$work/m"
apply_mib=$(peak "$bin" apply --workspace "$work/m")
check_mib=$(peak "$bin" apply --check --workspace "$work/done")

# The peer's result must converge too, or the comparison is void.
rm -rf "$work/m" && cp -r "$work/pristine" "$work/m"
node bench/workspace/wix-generate.mjs "$work/m"
"$bin" apply --check --workspace "$work/m" >/dev/null \
  || echo "!! the jscodeshift path's monorepo is not in sync by wixsync's check"

node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
const t = Object.fromEntries(r.map((x) => [x.command, x.mean]));
const f = (s) => (s * 1000).toFixed(0) + " ms";
for (const x of r) console.log(`${x.command.padEnd(12)} ${f(x.mean).padStart(9)} ± ${f(x.stddev)}`);
console.log(`apply vs jscodeshift:  ${(t.jscodeshift / t.apply).toFixed(1)}x faster (target >= 10x)`);
console.log(`apply vs write+sync:   ${(t.apply / t["write+sync"]).toFixed(2)}x (target <= 1.5x)`);
console.log(`check vs cat:          ${(t.check / t.cat).toFixed(2)}x (target <= 2x)`);
console.log(`peak memory: apply ${process.argv[2]} MiB, check ${process.argv[3]} MiB (target < 64 MiB)`);
' "$work/result.json" "$apply_mib" "$check_mib"
