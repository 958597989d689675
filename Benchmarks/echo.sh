#!/usr/bin/env bash
# Transport benchmark: noex-ws-echo (NoexWebSocket) under noex-load, the "echo" workload of
# shared/design/benchmarks.md: server pinned to CPU0, client to CPU1, 50 connections, 32-byte
# JSON text messages, 1 / 4 / 16 in flight per connection, median of N runs per depth. Prints
# round trips/s beside the peers' figures recorded in benchmarks.md (compare ratios, not
# absolute numbers: those peers were measured on another day).
#
# usage: Benchmarks/echo.sh [-n RUNS (3)] [-t SECONDS (5)] [-d "1 4 16"] [-l LOOPS (1)] [-x 'noex-load args']
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=3 SECS=5 DEPTHS="1 4 16" LOOPS=1 EXTRA=""
while getopts "n:t:d:l:x:" o; do
    case "$o" in
        n) RUNS="$OPTARG" ;; t) SECS="$OPTARG" ;; d) DEPTHS="$OPTARG" ;; l) LOOPS="$OPTARG" ;; x) EXTRA="$OPTARG" ;;
        *) sed -n '2,9p' "$0"; exit 2 ;;
    esac
done

LOAD_DIR=""
for candidate in "${NOEX_SHARED:-}" ../shared ../../shared; do
    if [ -n "$candidate" ] && [ -f "$candidate/tools/noex-load/noex-load.c" ]; then
        LOAD_DIR="$(cd "$candidate/tools/noex-load" && pwd)"
        break
    fi
done
[ -n "$LOAD_DIR" ] || { echo "echo.sh: ../shared/tools/noex-load not found" >&2; exit 1; }

WORK="$(mktemp -d)"
LOAD="$WORK/noex-load"
gcc -O2 -pthread -o "$LOAD" "$LOAD_DIR/noex-load.c"
swift build -c release --product noex-ws-echo >/dev/null
ECHO_BIN="$(swift build -c release --show-bin-path)/noex-ws-echo"

SERVER=() CLIENT=()
if [ "$(nproc)" -ge 2 ]; then SERVER=(taskset -c 0) CLIENT=(taskset -c 1); fi
"${SERVER[@]}" "$ECHO_BIN" --host 127.0.0.1 --port 0 --welcome --loops "$LOOPS" >"$WORK/echo.out" 2>&1 &
ECHO_PID=$!
trap 'kill $ECHO_PID 2>/dev/null; wait $ECHO_PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=""
for _ in $(seq 1 100); do
    PORT="$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/echo.out")"
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "echo.sh: noex-ws-echo did not start" >&2; cat "$WORK/echo.out" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] && taskset -apc 0 "$ECHO_PID" >/dev/null

# 32 bytes once the id has 5 digits; the echo sends it back, noex-load matches it by id.
MESSAGE='{"id":{{id}},"type":"result","p":"ab"}'
declare -A NODE=([1]=93k [4]=92k [16]=90k) NIO=([1]=48k [4]=50k [16]=55k) C=([1]=152k [4]=595k [16]=1770k)

echo "# noex-ws-echo on 127.0.0.1:$PORT (pid $ECHO_PID, loops $LOOPS), $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
declare -A MEDIAN
for depth in $DEPTHS; do
    values=()
    for run in $(seq 1 "$RUNS"); do
        # shellcheck disable=SC2086
        line="$("${CLIENT[@]}" "$LOAD" -p "$PORT" -c 50 -d "$depth" -w 2 -t "$SECS" -b -X "$ECHO_PID" -M "$MESSAGE" $EXTRA)" || true
        echo "depth $depth run $run: $line"
        rps="$(sed -n 's/.*\brps=\([0-9.]*\).*/\1/p' <<<"$line")"
        values+=("${rps:-0}")
    done
    MEDIAN[$depth]="$(printf '%s\n' "${values[@]}" | sort -n | awk '{v[NR]=$1} END {print int(v[int((NR+1)/2)])}')"
done

echo
printf '| %-42s |' "round trips/s (median of $RUNS)"; for depth in $DEPTHS; do printf ' depth %-5s |' "$depth"; done; echo
printf '|%s|' "--------------------------------------------"; for depth in $DEPTHS; do printf '%s|' "-------------"; done; echo
printf '| %-42s |' "noex-ws-echo (this run)"; for depth in $DEPTHS; do printf ' %-11s |' "$(awk -v v="${MEDIAN[$depth]}" 'BEGIN {printf "%.0fk", v / 1000}')"; done; echo
printf '| %-42s |' "C epoll echo (benchmarks.md)"; for depth in $DEPTHS; do printf ' %-11s |' "${C[$depth]:--}"; done; echo
printf '| %-42s |' "Node ws 8.11 (benchmarks.md)"; for depth in $DEPTHS; do printf ' %-11s |' "${NODE[$depth]:--}"; done; echo
printf '| %-42s |' "hummingbird-websocket / NIO (benchmarks.md)"; for depth in $DEPTHS; do printf ' %-11s |' "${NIO[$depth]:--}"; done; echo
