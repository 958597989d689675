#!/usr/bin/env bash
# Fails when the committed generator output (Generated/, docs/protocol.md) no longer matches
# protocol.yaml, printing a diff. Fix with: swift run noex-protocol-gen update
set -euo pipefail
cd "$(dirname "$0")/../.."
swift run --quiet noex-protocol-gen check
