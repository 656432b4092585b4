#!/usr/bin/env bash
# The Wuxi list read back from its own workbook (issue 12's round trip), after `make wuxi`:
# report → check the workbook → diff against the plan folder (0 changes) → revise from the
# workbook equals revise from the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
J=./target/debug/jianpai
OUT=${OUT:-out/wuxi-2021}
SCENARIO=${SCENARIO:-scenarios/wuxi-2021.toml}
$J report "$OUT" --out "$OUT-report" --quiet
LIST="$OUT-report/应急减排清单.xlsx"
$J check "$LIST" --scenario "$SCENARIO" --quiet
counts=$($J diff "$OUT" "$LIST" --format json | tr -d ' \n' | grep -o '"counts":{[^}]*}')
echo "diff plan folder vs workbook: $counts"
if echo "$counts" | grep -q ':[1-9]'; then echo "round trip changed the list" >&2; exit 1; fi
$J revise scenarios/wuxi-2022-revision.toml --previous "$OUT" --out "$OUT-rev-dir" --quiet
$J revise scenarios/wuxi-2022-revision.toml --previous "$LIST" --out "$OUT-rev-xlsx" --quiet
cmp "$OUT-rev-dir/plan.csv" "$OUT-rev-xlsx/plan.csv"
echo "round trip: workbook = folder (check, diff, revise)"
