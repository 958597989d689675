#!/usr/bin/env bash
# A few seconds of every standard workload against a release noex-server, checking only that
# no workload reports protocol errors (speed is measured by Benchmarks/run.sh, not in CI).
set -euo pipefail
Benchmarks/run.sh --smoke
