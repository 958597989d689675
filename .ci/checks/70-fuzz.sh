#!/usr/bin/env bash
# Builds the libFuzzer targets (debug, ASan, coverage instrumentation; in .build-fuzz-debug,
# apart from the normal build) and runs each one for a bounded time from its committed seeds
# (Fuzz/Corpus). Any crash, ASan report, invariant failure or timeout fails the check; the
# crashing input is left in .build-fuzz-debug/crashes/. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${NOEX_FUZZ_CI_SECONDS:-15}
# A fresh corpus each time, so the check does not depend on earlier runs.
rm -rf .build-fuzz-debug/corpus
NOEX_FUZZ_CONFIGURATION=debug Fuzz/run.sh all "$seconds"
