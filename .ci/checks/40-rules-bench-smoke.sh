#!/usr/bin/env bash
# Smoke-runs noex-rules-bench on a tiny workload (debug build, one round) so the benchmark
# executable keeps building and its fan-out self-check keeps passing. Figures are not checked.
set -euo pipefail
cd "$(dirname "$0")/../.."
output=$(swift run -q noex-rules-bench --events 200 --rounds 1)
echo "$output"
grep -q "fan-out deliveries per round: 20000 (expected 20000)" <<<"$output"
