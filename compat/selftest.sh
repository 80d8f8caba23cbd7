#!/usr/bin/env bash
# Self-test of the compatibility harness: run.sh must pass the good apps, fail the broken ones
# with the right messages, and fail loudly without node or npm.
#
#   compat/selftest.sh               the cases in compat/selftest/*/ (each has selftest-expect.txt)
#   compat/selftest.sh --all-events  also one handler for every event of the pinned SDK packages
#                                    (351 events in two apps; about a minute more)
#
# A case's selftest-expect.txt lists lines (substrings) that run.sh's output must contain; the
# case is expected to make run.sh exit non-zero exactly when one of them starts with "FAIL".
set -euo pipefail

COMPAT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
all_events=0
for a in "$@"; do
  case "$a" in
    --all-events) all_events=1 ;;
    *) echo "usage: compat/selftest.sh [--all-events]" >&2; exit 2 ;;
  esac
done

passed=0
failed=0
ok() { echo "ok      $1"; passed=$((passed + 1)); }
not_ok() {
  echo "not ok  $1"
  shift
  printf '        %s\n' "$@"
  failed=$((failed + 1))
}
# expect_run NAME EXPECTED_RC(0|nonzero) OUTPUT_FILE RC LINE...
check_output() {
  local name=$1 want=$2 out=$3 rc=$4
  shift 4
  local problems=()
  if [[ $want == 0 && $rc -ne 0 ]]; then problems+=("exit code $rc, expected 0"); fi
  if [[ $want != 0 && $rc -eq 0 ]]; then problems+=("exit code 0, expected non-zero"); fi
  local line
  for line in "$@"; do
    grep -qF -- "$line" "$out" || problems+=("missing from the output: $line")
  done
  if [[ ${#problems[@]} -eq 0 ]]; then ok "$name"; else
    not_ok "$name" "${problems[@]}" "--- output:"
    sed 's/^/        | /' "$out"
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 0. Install once up front, so that its output stays out of the first case's.
if ! "$COMPAT/run.sh" --install-only; then
  echo "selftest: the install failed; nothing else can be tested"
  exit 1
fi

# 1. The app cases.
for dir in "$COMPAT"/selftest/*/; do
  dir="${dir%/}"
  expect="$dir/selftest-expect.txt"
  [[ -f $expect ]] || continue
  name="$(basename "$dir")"
  mapfile -t lines < <(grep -v '^[[:space:]]*\(#\|$\)' "$expect")
  want=0
  for l in "${lines[@]}"; do [[ $l == FAIL* ]] && want=nonzero; done
  rc=0
  "$COMPAT/run.sh" "$dir" >"$tmp/$name.txt" 2>&1 || rc=$?
  check_output "$name" "$want" "$tmp/$name.txt" "$rc" "${lines[@]}"
done

# 2. Without node, and without npm, run.sh must fail loudly (never pass silently).
mkdir -p "$tmp/bin-none" "$tmp/bin-node"
ln -s "$(command -v dirname)" "$tmp/bin-none/dirname"
ln -s "$(command -v dirname)" "$tmp/bin-node/dirname"
ln -s "$(command -v node)" "$tmp/bin-node/node"
rc=0
PATH="$tmp/bin-none" "$BASH" "$COMPAT/run.sh" "$COMPAT/selftest/lived-in-app" >"$tmp/no-node.txt" 2>&1 || rc=$?
check_output "no node on PATH" nonzero "$tmp/no-node.txt" "$rc" "compat: FAIL: node is not installed"
rc=0
PATH="$tmp/bin-node" "$BASH" "$COMPAT/run.sh" "$COMPAT/selftest/lived-in-app" >"$tmp/no-npm.txt" 2>&1 || rc=$?
check_output "no npm on PATH" nonzero "$tmp/no-npm.txt" "$rc" "compat: FAIL: npm is not installed"

# 3. Every event of the pinned SDK packages, in the default handler style.
if [[ $all_events -eq 1 ]]; then
  gen="$COMPAT/.work/gen-all-events"
  rm -rf "$gen"
  node "$COMPAT/selftest/gen-all-events.mjs" "$gen" >"$tmp/gen.txt"
  apps=("$gen"/all-events-*)
  rc=0
  "$COMPAT/run.sh" "${apps[@]}" >"$tmp/all-events.txt" 2>&1 || rc=$?
  expected_lines=()
  for app in "${apps[@]}"; do
    expected_lines+=("PASS  tsc   $(basename "$app")" "PASS  load  $(basename "$app")")
  done
  summary="$(sed -e "s#^$gen/##" -e 's/: / /' "$tmp/gen.txt" | paste -sd, - | sed 's/,/, /g')"
  check_output "every SDK event ($summary)" 0 \
    "$tmp/all-events.txt" "$rc" "${expected_lines[@]}"
fi

echo "selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
