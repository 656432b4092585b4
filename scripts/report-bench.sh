#!/usr/bin/env bash
# Report timing: plan the Wuxi seed and generated cities, then time `jianpai report` on each plan and
# print one Markdown row (wall time, peak memory, file sizes). Uses the release binary.
#   scripts/report-bench.sh [SIZES...]      e.g. scripts/report-bench.sh 10000 20000
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/jianpai
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| city | enterprises listed | lines | report s | peak MiB | 应急减排清单.xlsx | 一厂一策.xlsx | 报告.html |"
echo "|---|---|---|---|---|---|---|---|"
run() {  # name scenario
  local name=$1 sc=$2 out="$work/$1"
  "$bin" plan "$sc" --out "$out" --quiet || true
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" report "$out" --out "$out/report" --quiet
  read -r secs kb < "$work/time"
  python3 - "$out" "$name" "$secs" "$kb" <<'PY'
import csv, os, sys
out, name, secs, kb = sys.argv[1:]
rows = list(csv.DictReader(open(os.path.join(out, "plan.csv"), encoding="utf-8-sig")))
firms = len({r["统一社会信用代码"] for r in rows})
size = lambda f: f"{os.path.getsize(os.path.join(out, 'report', f)) / 2**20:.1f} MiB"
print(f"| {name} | {firms} | {len(rows) // 3} | {float(secs):.1f} | {int(kb) / 1024:.0f} | "
      f"{size('应急减排清单.xlsx')} | {size('一厂一策.xlsx')} | {size('报告.html')} |")
PY
}
run wuxi-2021 scenarios/wuxi-2021.toml
for n in "$@"; do
  city="$work/city$n"
  "$bin" seeds generate --enterprises "$n" --seed 1 --out "$city" --quiet
  sed -e "s#^inventory = .*#inventory = \"$city\"#" \
      -e "s#^rules = .*#rules = \"$PWD/seeds/rules/guide-2020.csv\"#" \
      -e "s#^rule_overrides = .*#rule_overrides = \"$PWD/seeds/rules/wuxi-city.csv\"#" \
      -e "/^\[targets.red\]/,/^\[/ s/= 0.30/= 0.25/" scenarios/wuxi-2021.toml > "$work/s$n.toml"
  run "generated $n" "$work/s$n.toml"
done
