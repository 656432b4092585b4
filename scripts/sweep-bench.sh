#!/usr/bin/env bash
# Sweep throughput: the Wuxi sweep (scenarios/wuxi-2021-sweep.toml) with 1 and 2 jobs, warm-started
# and cold, in one run (compare the ratios; the machine is noisy). Release build.
#   scripts/sweep-bench.sh [SWEEP]   → a table on stdout
set -euo pipefail
cd "$(dirname "$0")/.."
SWEEP=${1:-scenarios/wuxi-2021-sweep.toml}
cargo build --release --quiet
BIN=target/release/jianpai
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=$(grep -c '^\[\[scenario\]\]' "$SWEEP" || true)
echo "| run | jobs | warm start | wall s | scenarios/min | cases CPU s (sum) |"
echo "|---|---|---|---|---|---|"
for mode in cold warm; do
  for jobs in 1 2; do
    flag=""; [ "$mode" = cold ] && flag="--cold"
    out="$TMP/$mode-$jobs"
    start=$(date +%s.%N)
    "$BIN" --quiet sweep "$SWEEP" --jobs "$jobs" $flag --out "$out"
    end=$(date +%s.%N)
    cases=$(ls "$out/cases" | wc -l)
    sum=$(python3 -c "import json,glob; print(round(sum(json.load(open(f))['seconds'] for f in glob.glob('$out/cases/*.json')),1))")
    python3 -c "w=$end-$start; print(f'| $mode-$jobs | $jobs | $mode | {w:.1f} | {60*$cases/w:.1f} | $sum |')"
  done
done
# The four tables must be identical within each mode (jobs never change results).
cmp "$TMP/cold-1/results.csv" "$TMP/cold-2/results.csv" && cmp "$TMP/warm-1/results.csv" "$TMP/warm-2/results.csv" \
  && echo "results.csv identical for 1 and 2 jobs (cold and warm)"
