#!/usr/bin/env bash
# Scaling harness for the staggered-production calendar (deterministic synthetic instances):
#   scripts/stagger-scale.sh [TIME_LIMIT] [GAP]
# prints one line per size: status, loss, bound, gap, greedy loss, saving, seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${1:-60}
GAP=${2:-0.01}
cargo build --release --quiet --example stagger_scale
for size in "100 120 7" "300 120 7" "300 120 10"; do
  # shellcheck disable=SC2086
  ./target/release/examples/stagger_scale $size 1 "$LIMIT" "$GAP"
done
