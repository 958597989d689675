#!/usr/bin/env bash
# Smoke-runs noex-store-bench at a tiny scale (debug build) so the benchmark executable keeps
# building and its self-checks (preconditions on query results and notification counts) keep
# passing. Figures are not checked; docs/store-benchmarks.md holds the release-build figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
output=$(swift run -q noex-store-bench 0.005)
echo "$output"
grep -q "update → 1,000 subscribers notified" <<<"$output"
grep -q "insert sqlite .sync" <<<"$output"
