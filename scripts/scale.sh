#!/usr/bin/env bash
# Scaling harness: generate synthetic cities of several sizes, plan each (with and without district
# targets), and print one Markdown row per run from summary.json. Uses the release binary.
#   scripts/scale.sh [SIZES...]      e.g. scripts/scale.sh 4000 10000 50000 100000
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(4000 10000 50000)
cargo build --release --quiet
bin=target/release/jianpai
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| enterprises | lines | districts | status | objective (万元) | bound | gap | greedy | saved vs greedy | build s | solve s | peak MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  city="$work/city$n"
  "$bin" seeds generate --enterprises "$n" --seed 1 --out "$city" --quiet
  for districts in false true; do
    sc="$work/s$n-$districts.toml"
    sed -e "s#^inventory = .*#inventory = \"$city\"#" \
        -e "s#^rules = .*#rules = \"$PWD/seeds/rules/guide-2020.csv\"#" \
        -e "s#^rule_overrides = .*#rule_overrides = \"$PWD/seeds/rules/wuxi-city.csv\"#" \
        -e "s#^enforce = .*#enforce = $districts#" \
        -e "s#^time_limit = .*#time_limit = 300#" \
        -e "s#^rel_gap = .*#rel_gap = 0.001#" \
        -e "/^\[targets.red\]/,/^\[/ s/= 0.30/= 0.25/" scenarios/wuxi-2021.toml > "$sc"
    out="$work/out$n-$districts"
    "$bin" plan "$sc" --out "$out" --quiet || true
    python3 - "$out/summary.json" "$n" "$districts" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def f(v, d=2):
    return "—" if v is None else f"{v:.{d}f}"
def pct(v):
    return "—" if v is None else f"{100 * v:.4f}%"
t = s["timing"]
cells = [sys.argv[2], s["counts"]["lines"], sys.argv[3], s["status"], f(s["objective"]), f(s["bound"]),
         pct(s["gap"]), f(s["greedy_objective"]), pct(s["saving_vs_greedy_share"]),
         f"{t['build_seconds']:.2f}", f"{t['solve_seconds']:.2f}", f"{t.get('peak_mib', 0):.0f}"]
print("| " + " | ".join(str(c) for c in cells) + " |")
PY
  done
done
