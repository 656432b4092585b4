#!/usr/bin/env bash
# Audit benchmark: a month of data for 20,000 meters (release build). Prints the audit's wall time
# and peak memory (GNU time), and the size of the meter file. MIXED=1: 15-minute and hourly meters mixed.
set -euo pipefail
cd "$(dirname "$0")/.."
B=target/release/jianpai
W=${TMPDIR:-/tmp}/jianpai-audit-bench
mkdir -p "$W"
cargo build --release --quiet
$B --quiet seeds generate --enterprises 8000 --seed 11 --out "$W/city"
sed -e "s#^inventory = .*#inventory = \"$PWD/$W/city\"#" -e "s#\"\.\./seeds#\"$PWD/seeds#g" \
    scenarios/wuxi-2021.toml > "$W/s.toml"
sed -i "s#\"$PWD//#\"/#" "$W/s.toml"
$B --quiet plan "$W/s.toml" --out "$W/plan" --method greedy || true
$B seeds meters --plan "$W/plan" --meters 20000 --cheaters 200 --seed 1 $( [ -n "${MIXED:-}" ] || echo --hourly ) --out "$W/meters.csv"
ls -l "$W/meters.csv"
/usr/bin/time -f "audit: %e s wall, %M KiB peak RSS" \
    $B audit --plan "$W/plan" --meter "$W/meters.csv" --level orange \
    --window 2021-12-22T00:00..2021-12-25T00:00 --format json > "$W/audit.json"
python3 - "$W/audit.json" <<'PY'
import json, sys
print(json.load(open(sys.argv[1]))["counts"])
PY
