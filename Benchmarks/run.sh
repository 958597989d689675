#!/usr/bin/env bash
# The server benchmark of shared/design/benchmarks.md: builds noex-server in release mode, runs
# it pinned to CPU0 with the standard settings, drives the standard workloads with
# ../shared/tools/noex-load/bench.sh (W1–W4, W6 on one server; W5 on a fresh one), and prints a
# Markdown table: our figure, the reference's figure, the ratio. Exits 1 when any workload
# reports protocol errors or fails.
#
# R1 is ours (not in bench.sh): push latency of rules events to 100 `rules.subscribe`
# subscribers while a publisher emits 1,000 events/s.
#
# usage: Benchmarks/run.sh [--smoke] [-n RUNS] [-o W1,W2,W3,W4,W6,R1,W5]
#   --smoke   one short run per workload (about 1 s each), checking only for protocol errors
set -uo pipefail
cd "$(dirname "$0")/.."

SMOKE=0 RUNS=1 ONLY="W1,W2,W3,W4,W6,R1,W5"
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        -n) RUNS="$2"; shift ;;
        -o) ONLY="$2"; shift ;;
        *) sed -n '2,10p' "$0"; exit 2 ;;
    esac
    shift
done

BENCH=""
for candidate in "${NOEX_SHARED:-}" ../shared ../../shared; do
    if [ -n "$candidate" ] && [ -x "$candidate/tools/noex-load/bench.sh" ]; then
        BENCH="$(cd "$candidate/tools/noex-load" && pwd)/bench.sh"
        break
    fi
done
[ -n "$BENCH" ] || { echo "run.sh: ../shared/tools/noex-load/bench.sh not found" >&2; exit 1; }

swift build -c release --product noex-server >/dev/null || exit 1
BINARY="$(swift build -c release --show-bin-path)/noex-server"
WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

start_server() {  # starts a fresh server; sets SERVER_PID and PORT
    ulimit -n "$(ulimit -Hn)" 2>/dev/null
    "$BINARY" --host 127.0.0.1 --port 0 >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    PORT=""
    for _ in $(seq 1 200); do
        PORT=$(sed -n 's#.*URL: *ws://127.0.0.1:\([0-9]*\).*#\1#p' "$WORK/server.log")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "run.sh: noex-server did not start" >&2
    cat "$WORK/server.log" >&2
    exit 1
}

run_rules_fanout() {  # R1 → appends one line to $WORK/results
    local load seconds=5 warmup=1 drain=2
    load="$(dirname "$BENCH")/noex-load"
    [ "$SMOKE" = 1 ] && seconds=1 warmup=0 drain=1
    taskset -apc 0 "$SERVER_PID" >/dev/null 2>&1
    for run in $(seq "$RUNS"); do
        result=$(timeout 30 taskset -c 1 "$load" -p "$PORT" -X "$SERVER_PID" -R -c 100 -r 1000 -w "$warmup" -t "$seconds" -D "$drain" -b \
            -S '{"id":{{id}},"type":"rules.subscribe","pattern":"bench.rules.*"}' \
            -M '{"id":{{id}},"type":"rules.emit","topic":"bench.rules.tick","data":{"ts":{{ts}},"seq":{{seq}}}}' 2>/dev/null)
        echo "R1 rulesfan $result" | tee -a "$WORK/results"
    done
}

run_bench() {  # workloads → appends bench.sh lines to $WORK/results
    if [ "$SMOKE" = 1 ]; then
        # bench.sh's own durations, shortened: print its command lines and run them quicker.
        "$BENCH" -p "$PORT" -P "$SERVER_PID" -o "$1" -e | while read -r line; do
            line="${line//-w 2 -t 8/-w 0 -t 1}"
            line="${line//-w 1 -t 5 -D 3/-w 0 -t 1 -D 1}"
            line="${line//-n 10000/-n 1000}"
            line="${line//-c 5000 -K 128 -t 1/-c 500 -K 128 -t 1}"
            line="${line/noex-load/$(dirname "$BENCH")/noex-load}"
            result=$(eval "timeout 30 $line" 2>/dev/null)
            echo "smoke $result" | tee -a "$WORK/results"
        done
    else
        "$BENCH" -p "$PORT" -P "$SERVER_PID" -o "$1" -n "$RUNS" | tee -a "$WORK/results"
    fi
}

[ -x "$(dirname "$BENCH")/noex-load" ] || gcc -O2 -pthread -o "$(dirname "$BENCH")/noex-load" "$(dirname "$BENCH")/noex-load.c"

IFS=, read -ra LIST <<< "$ONLY"
SHARED=() FRESH=() RULES=0
for W in "${LIST[@]}"; do
    case "$W" in W5) FRESH+=("$W") ;; R1) RULES=1 ;; *) SHARED+=("$W") ;; esac
done
if [ ${#SHARED[@]} -gt 0 ] || [ "$RULES" = 1 ]; then
    start_server
    [ ${#SHARED[@]} -gt 0 ] && run_bench "$(IFS=,; echo "${SHARED[*]}")"
    [ "$RULES" = 1 ] && run_rules_fanout
    stop_server
fi
if [ ${#FRESH[@]} -gt 0 ]; then
    start_server
    run_bench W5
    stop_server
fi

STATUS=0
if grep -Eq 'proto_errors=[1-9]|exit=|status=|aborted=1' "$WORK/results"; then
    echo "run.sh: a workload reported protocol errors or failed" >&2
    STATUS=1
fi
[ "$SMOKE" = 1 ] && exit $STATUS

value() {  # workload key → that figure from the median run (or the single run)
    local line median headline
    line=$(grep -E "^$1 " "$WORK/results" | grep -v " median " | tail -1)
    median=$(grep -E "^$1 [a-z]+ median" "$WORK/results" | tail -1)
    if [ -n "$median" ]; then
        # bench.sh's median line carries only the headline figure: report every figure from
        # the run that produced it.
        headline=$(sed -n 's/.* median \([a-z_0-9]*\)=\([0-9.]*\).*/\1=\2/p' <<< "$median")
        line=$(grep -E "^$1 " "$WORK/results" | grep -v " median " | grep -E "(^| )$headline( |$)" | tail -1)
    fi
    sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" <<< "$line" | head -1
}
first_value() {  # workload key → that figure from the first run (W5's memory: only the first
    # run of a fresh server measures idle connections from a clean start)
    grep -E "^$1 " "$WORK/results" | grep -v " median " | head -1 | sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == 0) print "—"; else printf "%.1f×", a / b }'; }

echo
echo "| workload | noex-server (Swift) | reference (Node) | ratio | goal |"
echo "|---|---|---|---|---|"
for W in "${LIST[@]}"; do
    case "$W" in
        W1) v=$(value W1 rps); echo "| W1 get (rps) | $v (p99 $(value W1 p99_us) µs) | 60,700 | $(ratio "$v" 60700) | ≥ 5×, p99 ≤ 2 ms |" ;;
        W2) v=$(value W2 rps); echo "| W2 insert (rps) | $v (p99 $(value W2 p99_us) µs, RSS $(value W2 server_rss_mb) MB) | 14,200 | $(ratio "$v" 14200) | ≥ 5× |" ;;
        W3) v=$(value W3 rps); echo "| W3 mixed (rps) | $v (p99 $(value W3 p99_us) µs) | 54,800 | $(ratio "$v" 54800) | ≥ 5×, p99 ≤ 2 ms |" ;;
        W4) v=$(value W4 pushes_per_s); echo "| W4 fan-out (pushes/s) | $v (missed $(value W4 missed), stale $(value W4 stale), p50 $(value W4 lat_p50_us) µs) | 64,700 | $(ratio "$v" 64700) | ≥ 2×, converge ≤ 100 ms |" ;;
        W6) v=$(value W6 lat_p99_us); echo "| W6 fan-out light (p99 µs) | $v (p50 $(value W6 lat_p50_us) µs, missed $(value W6 missed)) | 13,500 | $(ratio 13500 "$v") | 0 missed, p99 ≤ 2,000 µs |" ;;
        R1) v=$(value R1 lat_p99_us); echo "| R1 rules events to 100 subscribers (p99 µs) | $v (p50 $(value R1 lat_p50_us) µs, $(value R1 pushes_per_s) pushes/s, missed $(value R1 missed)) | — | — | ours, no reference figure |" ;;
        W5) v=$(value W5 connect_per_s); echo "| W5 connect (conn/s) | $v ($(first_value W5 rss_per_conn_kb) KB/conn) | 4,700 (15.6 KB) | $(ratio "$v" 4700) | ≥ 4×, ≤ 4 KB/conn |" ;;
    esac
done
exit $STATUS
