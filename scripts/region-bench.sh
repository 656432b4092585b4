#!/usr/bin/env bash
# A province-sized region (issue 16 item 4): 13 synthetic cities × 4,000 enterprises, planned
# together under the generated regional red targets (31 %), then checked. Two cases:
#   plain     every city meets its own city-wide targets in full (city_floor 1);
#   districts every city's districts must meet the city ratios too ([districts] enforce = true),
#             cities meet 70 % of their own targets (city_floor 0.7), so cuts trade across the
#             region; 锡山区 of city 2 (seed 2022) cannot reach 21 % PM at red and gets 20 % × 0.7,
#             as a planner would set it.
# Usage: scripts/region-bench.sh [PROFILE_DIR] (default target/release; build it first).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release}/jianpai
WORK=${WORK:-out/region-bench}
rm -rf "$WORK" && mkdir -p "$WORK"
"$BIN" --quiet seeds generate --cities 13 --enterprises 4000 --seed 2021 --out "$WORK/r"

run() { # name [region flags]
  local name=$1
  shift
  /usr/bin/time -f "$name: %e s wall, %U s user, %M KiB peak" \
    "$BIN" --quiet region "$WORK/r/region.toml" --out "$WORK/$name" "$@" || true
  python3 - "$WORK/$name/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
lines = sum(c["lines"] for c in s["cities"])
print(f'  {lines} lines, status {s["status"]}, loss {s["objective"]}, bound {s["bound"]}, gap {s["gap"]}')
print("  " + s["solver"]["notes"][-1])
EOF
  /usr/bin/time -f "  check: %e s wall, %M KiB peak" \
    "$BIN" check "$WORK/$name" --scenario "$WORK/r/region.toml"
}

run plain
for k in $(seq 1 13); do printf '\n[districts]\nenforce = true\n' >> "$WORK/r/city-$k.toml"; done
printf '\n[districts.ratios."锡山区".red]\npm = 0.20\n' >> "$WORK/r/city-2.toml"
sed -i 's/^city_floor = .*/city_floor = 0.7/' "$WORK/r/region.toml"
run districts
