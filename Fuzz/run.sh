#!/usr/bin/env bash
# Builds the libFuzzer targets and runs them for a bounded time (docs/fuzzing.md).
#
#   Fuzz/run.sh [TARGET|all] [SECONDS] [extra libFuzzer flags...]
#
# TARGET is one of `NOEX_FUZZ_TARGET=list`'s names (default: all, one after the other);
# SECONDS is the time per target (default 60). Each target starts from its committed seeds in
# Fuzz/Corpus/<target>/ plus what earlier runs found in .build-fuzz/corpus/<target>/ (kept
# between runs, never committed). A crashing input is saved as .build-fuzz/crashes/<target>-*
# and the script exits 1. Set NOEX_FUZZ_SKIP_BUILD=1 to reuse the last build.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-all}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
scratch=.build-fuzz
binary=$scratch/release/noex-fuzz

if [ "${NOEX_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    # Every module gets ASan and libFuzzer's coverage instrumentation; only noex-fuzz links the
    # libFuzzer runtime (Package.swift), so the protocol generator the build runs still has
    # its own `main`. A separate scratch path keeps these objects away from the normal build.
    NOEX_FUZZ=1 swift build -c release --scratch-path "$scratch" --sanitize address \
        -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table --product noex-fuzz
fi

if [ "$target" = all ]; then
    targets=$(NOEX_FUZZ_TARGET=list "$binary" -runs=0 2>&1 | sed -n 's/^  \([a-z-]*\): .*/\1/p')
else
    targets=$target
fi

mkdir -p "$scratch/crashes"
status=0
for name in $targets; do
    corpus=$scratch/corpus/$name
    mkdir -p "$corpus"
    echo "== $name: ${seconds}s"
    log=$scratch/fuzz-$name.log
    # No leak checks (-detect_leaks=0, ASAN_OPTIONS): the Swift runtime's caches and the shared
    # server still alive at exit look like leaks to LeakSanitizer; -rss_limit_mb bounds growth.
    if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} NOEX_FUZZ_TARGET=$name "$binary" "$corpus" "Fuzz/Corpus/$name" \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -max_len=4096 -detect_leaks=0 \
        -print_final_stats=1 -artifact_prefix="$scratch/crashes/$name-" "$@" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "   ok: $runs executions, 0 crashes ($(grep -c . <(ls "$corpus")) corpus entries)"
    else
        status=1
        echo "   FAILED; the log ends with:"
        tail -40 "$log"
    fi
done
exit $status
