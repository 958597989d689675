#!/usr/bin/env bash
# Release build of noex-server: start on an ephemeral port, run the smoke client
# (define, subscribe, insert, push), then SIGTERM and expect a clean exit 0.
set -euo pipefail
swift build -c release --product noex-server
binary="$(swift build -c release --show-bin-path)/noex-server"
log=$(mktemp)
"$binary" --host 127.0.0.1 --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's#.*URL: *ws://127.0.0.1:\([0-9]*\).*#\1#p' "$log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "smoke: server did not start"; cat "$log"; exit 1; }
timeout 30 python3 .ci/smoke-client.py "$port"
kill -TERM $pid
status=0
wait $pid || status=$?
cat "$log"
if [ "$status" -ne 0 ]; then echo "smoke: server exited with $status"; exit 1; fi
grep -q "Shutting down..." "$log" || { echo "smoke: no shutdown message"; exit 1; }
echo "smoke: clean shutdown"
