#!/usr/bin/env bash
# A broken protocol.yaml must stop the generator (and so the build, whose plugin runs the same
# command) with `protocol.yaml:LINE: error:` diagnostics. Checks three kinds of mistakes.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build --quiet --product noex-protocol-gen
gen=$(swift build --show-bin-path)/noex-protocol-gen

expect_error() { # name, sed expression, expected message fragment
    local spec="$work/$1/protocol.yaml"
    mkdir -p "$work/$1"
    sed -e "$2" protocol.yaml > "$spec"
    if output=$("$gen" generate --spec "$spec" --kind sources --output "$work/$1/out" 2>&1); then
        echo "ci: $1: the generator accepted a broken protocol.yaml" >&2
        exit 1
    fi
    if ! grep -qE "protocol\.yaml:[0-9]+: error: .*$3" <<<"$output"; then
        echo "ci: $1: unexpected diagnostics:" >&2
        echo "$output" >&2
        exit 1
    fi
    echo "ci: $1: $(head -n 1 <<<"$output" | sed "s|$work/$1/||")"
}

expect_error unknown-key 's/^  store.get:$/  store.get:\n    tyre: read/' 'unknown key "tyre"'
expect_error undeclared-code '0,/errors: \[VALIDATION_ERROR, BUCKET_NOT_DEFINED\]/s//errors: [VALIDATION_ERROR, BUCKET_UNDEFINED]/' 'undeclared error code "BUCKET_UNDEFINED"'
expect_error syntax '$ a x: [' 'YAML syntax error'
