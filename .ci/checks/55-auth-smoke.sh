#!/usr/bin/env bash
# noex-server with built-in identity and an audit file: the CLI refuses --auth without a
# secret; a live run enforces logins, roles and system buckets; the audit file gets one JSON
# line per audited request and never the secret or a password.
set -euo pipefail
source .ci/start-server.sh
build_release_noex_server
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

status=0
"$binary" --auth >"$work/out" 2>&1 || status=$?
if [ "$status" -ne 1 ] || ! grep -qF -- "--admin-secret is required when --auth is enabled" "$work/out"; then
    echo "auth-smoke: --auth without a secret gave $status:"; cat "$work/out"; exit 1
fi

secret="smoke-$RANDOM-secret"
start_noex_server "$work/log" "$binary" --host 127.0.0.1 --port 0 --auth --admin-secret "$secret" --audit-file "$work/audit.jsonl"
grep -q "Auth:         built-in" "$work/log" || { echo "auth-smoke: banner"; cat "$work/log"; exit 1; }
timeout 30 python3 .ci/auth-smoke-client.py "$port" "$secret"
kill -TERM $pid
wait $pid || true
pid=""
lines=$(wc -l <"$work/audit.jsonl")
[ "$lines" -ge 5 ] || { echo "auth-smoke: audit file has $lines lines"; cat "$work/audit.jsonl"; exit 1; }
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/audit.jsonl"
if grep -qF -e "$secret" -e "reader-pass-1" -e '$scrypt$' "$work/audit.jsonl" "$work/log"; then
    echo "auth-smoke: a secret leaked into the audit file or the log"; exit 1
fi
echo "auth-smoke: OK ($lines audit lines)"
