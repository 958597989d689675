#!/usr/bin/env bash
# Builds the libFuzzer targets and runs them for a bounded time (docs/fuzzing.md).
#
#   Fuzz/run.sh [TARGET|all] [SECONDS] [extra libFuzzer flags...]
#
# TARGET is one of `NOEX_FUZZ_TARGET=list`'s names (default: all, one after the other);
# SECONDS is the time per target (default 60). Each target starts from its committed seeds in
# Fuzz/Corpus/<target>/ plus what earlier runs found in <scratch>/corpus/<target>/ (kept
# between runs, never committed). A crashing input is saved as <scratch>/crashes/<target>-*
# and the script exits 1. <scratch> is .build-fuzz (release) or .build-fuzz-debug (debug). Set NOEX_FUZZ_SKIP_BUILD=1 to reuse the last build, and
# NOEX_FUZZ_CONFIGURATION=debug for a build that compiles about four times faster (the CI
# check uses it; its binary lives in .build-fuzz-debug).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-all}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
configuration=${NOEX_FUZZ_CONFIGURATION:-release}
case $configuration in
release) scratch=.build-fuzz ;;
debug) scratch=.build-fuzz-debug ;;
*) echo "NOEX_FUZZ_CONFIGURATION must be release or debug" >&2; exit 2 ;;
esac
binary=$scratch/$configuration/noex-fuzz

if [ "${NOEX_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    # Every module gets ASan and libFuzzer's coverage instrumentation; only noex-fuzz links the
    # libFuzzer runtime (Package.swift), so the protocol generator the build runs still has
    # its own `main`. A separate scratch path keeps these objects away from the normal build.
    mkdir -p "$scratch"
    echo "== building noex-fuzz ($configuration, ASan + coverage)"
    started=$(date +%s)
    if ! NOEX_FUZZ=1 swift build -c "$configuration" --scratch-path "$scratch" --sanitize address \
        -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table --product noex-fuzz \
        >"$scratch/build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$scratch/build.log" | tail -40
        exit 1
    fi
    echo "   built in $(($(date +%s) - started))s"
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
    # SWIFT_BACKTRACE: a trap goes straight to libFuzzer (the Swift backtracer trips ASan).
    if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} NOEX_FUZZ_TARGET=$name "$binary" "$corpus" "Fuzz/Corpus/$name" \
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
