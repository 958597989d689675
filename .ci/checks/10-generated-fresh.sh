#!/usr/bin/env bash
# Fails when the committed generator output (Generated/NoexProtocol, Generated/NoexClient,
# Generated/NoexProtocolConformanceTests, docs/protocol.md) no longer matches
# protocol.yaml, printing a diff. Fix with: swift run noex-protocol-gen update
set -euo pipefail
cd "$(dirname "$0")/../.."
swift run --quiet noex-protocol-gen check
