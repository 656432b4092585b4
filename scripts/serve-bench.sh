#!/usr/bin/env bash
# Load benchmark of the web workbench (bounded in time; not part of `cargo test`): 50 concurrent
# viewers fetch a run page, its HTML report and the runs list for DURATION seconds while two Wuxi
# plans run. Prints requests, errors (non-200 or no answer), median, p95 and max latency, overall
# and per page, and the load average before and after.
#
# The viewers are threads of one process (examples/serve_load.rs, one keep-alive connection each,
# as a browser keeps), so the load generator does not fork a process per request; LOADGEN=curl
# uses the older curl loops instead (a process per request: far more CPU on the client side).
#
#   cargo build --example serve_load
#   scripts/serve-bench.sh [BIN] [VIEWERS] [DURATION] [PLANS]
#   scripts/serve-bench.sh target/debug/jianpai 50 60
set -euo pipefail
BIN=${1:-target/release/jianpai}
VIEWERS=${2:-50}
DURATION=${3:-60}
PLANS=${4:-2}
LOADGEN=${LOADGEN:-$(dirname "$BIN")/examples/serve_load}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
DATA=$WORK/data
for u in planner viewer; do echo "$u-password" | "$BIN" users add $u --role $u --password-stdin --data "$DATA" >/dev/null; done
"$BIN" serve --data "$DATA" --bind 127.0.0.1:0 --workers 2 >"$WORK/serve.out" 2>"$WORK/serve.err" &
PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$WORK/serve.out")

login() { # name → cookie jar; prints the CSRF token
  curl -s -c "$WORK/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"password\":\"$1-password\"}" "$BASE/api/login" | sed 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/'
}
CSRF=$(login planner)
"$BIN" seeds extract wuxi-2021 --out "$WORK/wuxi" >/dev/null
ARGS=(); for f in "$WORK"/wuxi/*.csv; do ARGS+=(-F "files=@$f"); done
DATASET=$(curl -s -b "$WORK/planner.jar" -H "X-CSRF-Token: $CSRF" "${ARGS[@]}" "$BASE/api/datasets" | sed 's/.*"id":\([0-9]*\).*/\1/')
SCENARIO=$(sed -e '/^inventory/d' -e '/^rules/d' -e '/^rule_overrides/d' scenarios/wuxi-2021.toml)
start_run() {
  python3 -c 'import json,sys; print(json.dumps({"kind":"plan","dataset":int(sys.argv[1]),"scenario":sys.stdin.read()}))' "$DATASET" <<<"$1" |
    curl -s -b "$WORK/planner.jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d @- "$BASE/api/runs" |
    sed 's/.*"id":\([0-9]*\).*/\1/'
}
# A first run gives the viewers a report to read; then two more plans run during the load.
FIRST=$(start_run "$SCENARIO")
until curl -s -b "$WORK/planner.jar" "$BASE/api/runs/$FIRST" | grep -q '"status":"\(finished\|failed\)"'; do sleep 1; done
SECOND=""
if [ "$PLANS" -ge 1 ]; then SECOND=$(start_run "$SCENARIO"); fi
if [ "$PLANS" -ge 2 ]; then start_run "$(sed 's/0.30/0.28/' <<<"$SCENARIO")" >/dev/null; fi
login viewer >/dev/null
REPORT=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("报告.html"))')
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
server_stats() { # the server's CPU time (user, sys; its ended child processes apart) and peak RSS
  awk -v hz="$(getconf CLK_TCK)" '{printf "server CPU: user %.1f s, sys %.1f s; ended children: user %.1f s, sys %.1f s\n", $14/hz, $15/hz, $16/hz, $17/hz}' "/proc/$PID/stat"
  awk '/VmHWM/ {printf "server peak RSS: %.0f MiB\n", $2/1024}' "/proc/$PID/status"
}
if [ "$LOADGEN" != curl ]; then
  COOKIE=$(awk '$6 == "jp_session" {print "jp_session=" $7}' "$WORK/viewer.jar")
  "$LOADGEN" "$BASE" "$COOKIE" "$VIEWERS" "$DURATION" "/runs/$FIRST" "/runs/$FIRST/files/$REPORT" /runs
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  server_stats
  if [ -n "$SECOND" ]; then
    curl -s -b "$WORK/planner.jar" "$BASE/api/runs/$SECOND" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("a solve during the load:", r["status"], r["stage"], r["progress"], "%")'
  fi
  curl -s -b "$WORK/planner.jar" "$BASE/api/runs" | python3 -c 'import json,sys; print("runs:", [(r["id"], r["status"]) for r in json.load(sys.stdin)])'
  exit 0
fi
END=$((SECONDS + DURATION))
viewer() {
  while [ $SECONDS -lt $END ]; do
    for path in "/runs/$FIRST" "/runs/$FIRST/files/$REPORT" /runs; do
      curl -s -o /dev/null -b "$WORK/viewer.jar" -w '%{http_code} %{time_total}\n' "$BASE$path" || echo "000 0"
    done
  done >"$WORK/viewer-$1.log"
}
for i in $(seq "$VIEWERS"); do viewer "$i" & done
wait $(jobs -p | grep -v "^$PID$") 2>/dev/null || true
cat "$WORK"/viewer-*.log >"$WORK/all.log"
TOTAL=$(wc -l <"$WORK/all.log")
ERRORS=$(awk '$1 != 200' "$WORK/all.log" | wc -l)
sort -n -k2 "$WORK/all.log" | awk -v n="$TOTAL" -v e="$ERRORS" -v v="$VIEWERS" -v d="$DURATION" '
  { t[NR] = $2 }
  END { printf "viewers %d, %d s: %d requests, %d errors, median %.0f ms, p95 %.0f ms, max %.0f ms\n",
        v, d, n, e, t[int(n * 0.5)] * 1000, t[int(n * 0.95)] * 1000, t[n] * 1000 }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
server_stats
curl -s -b "$WORK/planner.jar" "$BASE/api/runs" | python3 -c 'import json,sys; print("runs:", [(r["id"], r["status"]) for r in json.load(sys.stdin)])'
