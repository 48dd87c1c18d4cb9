#!/bin/bash
# The server's peak memory (VmHWM) for uploads through the API (docs/PERFORMANCE.md,
# "Uploads"). Serves a copy of the demo database, logs in as demo-committee, posts every
# FILE at once to /api/v1/imports/members, prints each answer and the server's peak.
#
#   J=target/release/jiceng DEMO=demo.db KEY=demo.key DRY=true upload_memory.sh FILE...
#
# DEMO and KEY come from `jiceng --key-file demo.key demo --no-serve --demo-db sqlite://demo.db`.
# DRY=false makes real imports (two files of the same people at once collide: use two
# rosters, upload_roster.py … START). Extra serve flags: SERVE_ARGS="--import-upload-mb 20".
set -u
J=${J:-target/release/jiceng}; DEMO=${DEMO:-demo.db}; KEY=${KEY:-demo.key}; DRY=${DRY:-true}
D=$(mktemp -d); cp "$DEMO" "$D/t.db"
PORT=$((19000 + RANDOM % 900))
$J --db "sqlite://$D/t.db" --key-file "$KEY" --audit-anchor "$D/anchor" serve --bind 127.0.0.1:$PORT ${SERVE_ARGS:-} > "$D/serve.log" 2>&1 & S=$!
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.1; done
TOKEN=$(curl -s -X POST http://127.0.0.1:$PORT/api/v1/auth/login -H 'Content-Type: application/json' \
  -d '{"username":"demo-committee","password":"Demo@committee2026"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
base=$(awk '/VmHWM/{print $2}' /proc/$S/status)
i=0; PIDS=""
for F in "$@"; do
  i=$((i+1)); ext=${F##*.}
  curl -s -o "$D/out.$i" -w "%{http_code} %{time_total}s" -X POST -H "Authorization: Bearer $TOKEN" \
    --data-binary @"$F" "http://127.0.0.1:$PORT/api/v1/imports/members?format=$ext&dry_run=$DRY" > "$D/code.$i" & PIDS="$PIDS $!"
done
wait $PIDS
peak=$(awk '/VmHWM/{print $2}' /proc/$S/status)
for c in $(seq 1 $i); do echo "  $(cat "$D/code.$c") $(head -c 160 "$D/out.$c")"; done
echo "$* (dry_run=$DRY): server VmHWM $((base/1024)) MiB before, $((peak/1024)) MiB after; $(kill -0 $S 2>/dev/null && echo alive || echo DEAD)"
kill $S 2>/dev/null; wait $S 2>/dev/null; rm -rf "$D"
