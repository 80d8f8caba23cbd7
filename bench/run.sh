#!/usr/bin/env bash
# Benchmark: `wixsync apply` creating 25 events in each of 100 apps (one `apply` per app, in a
# loop), the binary of this tree against the binary of an older commit, side by side in one
# hyperfine run. Both are release builds; the apps live on the same file system (the one
# holding $TMPDIR, /tmp by default), and every run starts from fresh copies.
#
#   bench/run.sh [BASE_REV]     BASE_REV defaults to a4ac9b9, the commit before the journal
#
# Needs git, cargo and hyperfine (Debian: apt-get install hyperfine). The old tree is
# exported with `git archive` (no worktree is added) and built into this tree's target/, so
# the dependencies are compiled once for both. OLD_BIN=<path> and NEW_BIN=<path> use
# binaries built before instead; BENCH_RUNS (5) and BENCH_APPS (100) change the size.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-a4ac9b9}"
runs="${BENCH_RUNS:-5}"
apps="${BENCH_APPS:-100}"
command -v hyperfine >/dev/null || { echo "bench/run.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${OLD_BIN:-}" ]; then
  cp "$OLD_BIN" "$work/wixsync-old"
else
  echo "== building the old binary ($base)"
  mkdir -p "$work/old-src"
  git archive "$base" | tar -x -C "$work/old-src"
  CARGO_TARGET_DIR="$PWD/target" cargo build --release --quiet -p wixsync \
    --manifest-path "$work/old-src/Cargo.toml"
  cp target/release/wixsync "$work/wixsync-old"
fi
if [ -n "${NEW_BIN:-}" ]; then
  cp "$NEW_BIN" "$work/wixsync-new"
else
  echo "== building the new binary (this tree)"
  cargo build --release --quiet -p wixsync
  cp target/release/wixsync "$work/wixsync-new"
fi

echo "== $apps apps, 25 events each"
mkdir -p "$work/pristine"
for i in $(seq "$apps"); do
  cp -r cases/template-app "$work/pristine/app$i"
  cp bench/wix-events-25.yaml "$work/pristine/app$i/wix-events.yaml"
done
loop() { # the body of one measured run: one apply per app
  echo "for d in $work/apps/app*; do $1 apply \"\$d\" >/dev/null || exit 1; done"
}
hyperfine --runs "$runs" --warmup 1 \
  --prepare "rm -rf $work/apps && cp -r $work/pristine $work/apps && sync" \
  -n "old ($base)" "$(loop "$work/wixsync-old")" \
  -n "new (journal)" "$(loop "$work/wixsync-new")" \
  --export-markdown "$work/result.md"
cat "$work/result.md"

# The result must be correct too: every app converged.
for d in "$work"/apps/app*; do "$work/wixsync-new" apply --check "$d" >/dev/null; done
echo "== every app is in sync after the new binary's run"
