#!/usr/bin/env bash
# WebSocket conformance of NoexWebSocket, through the noex-ws-echo executable (release build):
#   1. ws_edge.py: 43 raw-socket RFC 6455 edge cases; every one must pass.
#   2. Autobahn|Testsuite fuzzing client, all cases but compression (12.*, 13.*): 0 FAILED.
#      Skipped (loudly) only when its runner exits 3: Autobahn cannot be installed on this machine.
# The conformance tools live in shared/tools/conformance next to the repository clone.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS=""
for candidate in "${NOEX_SHARED:-}" ../shared ../../shared; do
    if [ -n "$candidate" ] && [ -f "$candidate/tools/conformance/ws_edge.py" ]; then
        TOOLS="$(cd "$candidate/tools/conformance" && pwd)"
        break
    fi
done
if [ -z "$TOOLS" ]; then
    echo "websocket-conformance: FAILED: shared/tools/conformance not found next to the repository" >&2
    exit 1
fi

echo "websocket-conformance: building noex-ws-echo (release)"
swift build -c release --product noex-ws-echo >/dev/null
ECHO_BIN="$(swift build -c release --show-bin-path)/noex-ws-echo"

WORK="$(mktemp -d)"
"$ECHO_BIN" --host 127.0.0.1 --port 0 >"$WORK/echo.out" 2>&1 &
ECHO_PID=$!
cleanup() {
    kill "$ECHO_PID" 2>/dev/null || true
    wait "$ECHO_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=""
for _ in $(seq 1 100); do
    PORT="$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/echo.out")"
    [ -n "$PORT" ] && break
    sleep 0.1
done
if [ -z "$PORT" ]; then
    echo "websocket-conformance: FAILED: noex-ws-echo did not start" >&2
    cat "$WORK/echo.out" >&2
    exit 1
fi
URL="ws://127.0.0.1:$PORT/"
echo "websocket-conformance: noex-ws-echo on $URL"

echo "websocket-conformance: ws_edge.py"
timeout 120 python3 "$TOOLS/ws_edge.py" "$URL"

echo "websocket-conformance: Autobahn fuzzingclient (excluding 12.*, 13.*)"
set +e
timeout 600 "$TOOLS/run-autobahn.sh" "$URL" "$WORK/autobahn"
STATUS=$?
set -e
case "$STATUS" in
    0) echo "websocket-conformance: Autobahn: 0 FAILED cases" ;;
    3) echo "websocket-conformance: *** Autobahn SKIPPED: it cannot be installed on this machine (needs Python 2.7 and PyPI); ws_edge.py passed ***" ;;
    *) echo "websocket-conformance: FAILED: Autobahn reported failing cases (exit $STATUS)" >&2
       grep -h "FAILED" "$WORK/autobahn/wstest.log" 2>/dev/null | head -20 >&2 || true
       exit 1 ;;
esac
