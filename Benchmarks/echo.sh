#!/usr/bin/env bash
# Transport benchmark: noex-ws-echo (NoexWebSocket) under noex-load, the "echo" workload of
# shared/design/benchmarks.md: server pinned to CPU0, client to CPU1 (busy-polling, -b), 50
# connections, 32-byte JSON text messages, 1 / 4 / 16 in flight per connection, median of N runs.
# The C epoll echo of Benchmarks/peers/c-echo.c (the machine's ceiling) runs in the same session,
# so the ratio is trustworthy on a shared machine; the other peers' figures are the ones recorded
# in benchmarks.md (another day: compare ratios, not absolute numbers).
#
# usage: Benchmarks/echo.sh [-n RUNS (3)] [-t SECONDS (5)] [-d "1 4 16"] [-l LOOPS (1)] [-C] [-x 'noex-load args']
#   -C  skip the same-run C echo reference
# A run in which other processes used more than 15% of a core (other_cpu) is retried twice, then
# marked contended=1.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=3 SECS=5 DEPTHS="1 4 16" LOOPS=1 EXTRA="" WITH_C=1
while getopts "n:t:d:l:x:C" o; do
    case "$o" in
        n) RUNS="$OPTARG" ;; t) SECS="$OPTARG" ;; d) DEPTHS="$OPTARG" ;; l) LOOPS="$OPTARG" ;;
        x) EXTRA="$OPTARG" ;; C) WITH_C=0 ;;
        *) sed -n '2,11p' "$0"; exit 2 ;;
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
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
LOAD="$WORK/noex-load"
gcc -O2 -pthread -o "$LOAD" "$LOAD_DIR/noex-load.c"
swift build -c release --product noex-ws-echo >/dev/null
ECHO_BIN="$(swift build -c release --show-bin-path)/noex-ws-echo"
[ "$WITH_C" = 1 ] && gcc -O2 -o "$WORK/c-echo" Benchmarks/peers/c-echo.c -lcrypto

PIN_SERVER=() PIN_CLIENT=()
if [ "$(nproc)" -ge 2 ]; then PIN_SERVER=(taskset -c 0) PIN_CLIENT=(taskset -c 1); fi

# 32 bytes once the id has 5 digits; the echo sends it back, noex-load matches it by id.
MESSAGE='{"id":{{id}},"type":"result","p":"ab"}'
declare -A RESULT

# measure NAME COMMAND...: start the server, run every depth RUNS times, keep the medians.
measure() {
    local name=$1; shift
    "${PIN_SERVER[@]}" "$@" >"$WORK/server.out" 2>&1 &
    SERVER_PID=$!
    local port="" depth run line rps values
    for _ in $(seq 1 100); do
        port="$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/server.out")"
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "echo.sh: $name did not start" >&2; cat "$WORK/server.out" >&2; exit 1; }
    [ "$(nproc)" -ge 2 ] && taskset -apc 0 "$SERVER_PID" >/dev/null
    for depth in $DEPTHS; do
        values=()
        for run in $(seq 1 "$RUNS"); do
            # A run in which other processes used more than 15% of a core is retried (twice).
            for try in 1 2 3; do
                # shellcheck disable=SC2086
                line="$("${PIN_CLIENT[@]}" "$LOAD" -p "$port" -c 50 -d "$depth" -w 2 -t "$SECS" -b -X "$SERVER_PID" -M "$MESSAGE" $EXTRA)" || true
                other="$(sed -n 's/.*\bother_cpu=\([0-9]*\).*/\1/p' <<<"$line")"
                [ "${other:-0}" -le 15 ] && break
                [ "$try" = 3 ] && line="$line contended=1"
                sleep 2
            done
            echo "$name depth $depth run $run: $line"
            rps="$(sed -n 's/.*\brps=\([0-9.]*\).*/\1/p' <<<"$line")"
            values+=("${rps:-0}")
        done
        RESULT[$name,$depth]="$(printf '%s\n' "${values[@]}" | sort -n | awk '{v[NR]=$1} END {print int(v[int((NR+1)/2)])}')"
    done
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, noex-ws-echo loops=$LOOPS"
measure noex "$ECHO_BIN" --host 127.0.0.1 --port 0 --welcome --loops "$LOOPS"
[ "$WITH_C" = 1 ] && measure c "$WORK/c-echo" 0 --welcome

k() { awk -v v="$1" 'BEGIN {printf "%.0fk", v / 1000}'; }
row() { printf '| %-44s |' "$1"; shift; for cell; do printf ' %-9s |' "$cell"; done; echo; }
declare -A NODE=([1]=93k [4]=92k [16]=90k) NIO=([1]=48k [4]=50k [16]=55k) C=([1]=152k [4]=595k [16]=1770k)
echo
cells=(); for d in $DEPTHS; do cells+=("depth $d"); done; row "round trips/s (median of $RUNS)" "${cells[@]}"
cells=(); for d in $DEPTHS; do cells+=("---"); done; row "---" "${cells[@]}"
cells=(); for d in $DEPTHS; do cells+=("$(k "${RESULT[noex,$d]}")"); done; row "noex-ws-echo (this run)" "${cells[@]}"
if [ "$WITH_C" = 1 ]; then
    cells=(); for d in $DEPTHS; do cells+=("$(k "${RESULT[c,$d]}")"); done; row "C epoll echo (this run)" "${cells[@]}"
    cells=(); for d in $DEPTHS; do cells+=("$(awk -v a="${RESULT[noex,$d]}" -v b="${RESULT[c,$d]}" 'BEGIN {r = b > 0 ? 100 * a / b : 0; printf "%.0f%%", r}')"); done
    row "noex-ws-echo / C echo (this run)" "${cells[@]}"
fi
cells=(); for d in $DEPTHS; do cells+=("${C[$d]:--}"); done; row "C epoll echo (benchmarks.md)" "${cells[@]}"
cells=(); for d in $DEPTHS; do cells+=("${NODE[$d]:--}"); done; row "Node ws 8.11 (benchmarks.md)" "${cells[@]}"
cells=(); for d in $DEPTHS; do cells+=("${NIO[$d]:--}"); done; row "hummingbird-websocket/NIO (benchmarks.md)" "${cells[@]}"
