#!/usr/bin/env bash
# Fuzzes one target for a total time, from fresh seeds, and keeps going after a finding.
#
#   fuzz/long-run.sh TARGET SECONDS [LOG]
#
# Each run takes a new random seed and the time left; its `work/TARGET-long` corpus is kept
# from run to run, so coverage accumulates. A finding (a crash input under
# `artifacts/TARGET/`) ends a run and the next one starts. Every run appends one line to LOG
# (default `fuzz/long-runs.tsv`, committed: it is the record of the runs):
#
#   TARGET  SEED  EXECUTIONS  SECONDS  RESULT
#
# RESULT is `clean` or the crash file's name. The executions are what libFuzzer last reported
# (`#N`), so a run's figure may fall short of the truth by its last second. The totals per
# target are what issue 10's bar counts:
#
#   awk -F'\t' '{e[$1]+=$3; s[$1]+=$4} END {for (t in e) print t, e[t], s[t]}' fuzz/long-runs.tsv
#
# Needs the nightly toolchain and cargo-fuzz (see README.md); builds the target first. To stop
# early, press Ctrl-C once: libFuzzer ends the run under way, the script records it and starts
# no other.
set -euo pipefail

target=${1:?usage: long-run.sh TARGET SECONDS [LOG]}
total=${2:?usage: long-run.sh TARGET SECONDS [LOG]}
here=$(cd "$(dirname "$0")" && pwd)
log=${3:-$here/long-runs.tsv}
cd "$here"

fuzz() { env -u CARGO_TARGET_DIR cargo +nightly fuzz "$@"; }
fuzz build -O -s none "$target"

work=work/$target-long
mkdir -p "$work" "artifacts/$target"
regressions=()
[ -d "regressions/$target" ] && regressions=("regressions/$target")
deadline=$(( $(date +%s) + total ))
# Ctrl-C: the run under way ends (libFuzzer stops on SIGINT) and is recorded; no other starts.
stop=
trap 'stop=1' INT TERM
while [ -z "$stop" ]; do
  left=$(( deadline - $(date +%s) ))
  [ "$left" -ge 10 ] || break
  seed=$(( (RANDOM << 15 | RANDOM) + 2 ))
  before=$(ls "artifacts/$target")
  out=$(mktemp)
  start=$(date +%s)
  fuzz run -O -s none "$target" "$work" "corpus/$target" "${regressions[@]}" -- \
    -seed="$seed" -max_total_time="$left" -max_len=8192 >"$out" 2>&1 || true
  seconds=$(( $(date +%s) - start ))
  executions=$(grep -oE '^#[0-9]+' "$out" | tail -1 | tr -d '#')
  found=$(comm -13 <(echo "$before") <(ls "artifacts/$target") | head -1)
  result=${found:-clean}
  printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$seed" "${executions:-0}" "$seconds" "$result" >>"$log"
  if [ -n "$found" ]; then
    grep -m1 -A1 'panicked at' "$out" >&2 || tail -5 "$out" >&2
    echo "$target: finding after ${executions:-0} executions: artifacts/$target/$found" >&2
  fi
  rm -f "$out"
done
