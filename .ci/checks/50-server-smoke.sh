#!/usr/bin/env bash
# Release build of noex-server: CLI exits, then a real run on an ephemeral port with a YAML
# rules file: the smoke client defines, subscribes, inserts, gets the push and sees the rule
# fire; a subscriber that stops reading leaves the server's memory bounded (F8); SIGTERM must
# then give a clean exit 0.
set -euo pipefail
source .ci/start-server.sh
build_release_noex_server
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

expect_exit() {  # expected-status expected-text args...
    local want=$1 text=$2; shift 2
    local status=0
    "$binary" "$@" >"$work/out" 2>&1 || status=$?
    if [ "$status" -ne "$want" ] || ! grep -qF -- "$text" "$work/out"; then
        echo "smoke: noex-server $* gave $status:"; cat "$work/out"; exit 1
    fi
}
expect_exit 0 "noex-server v0." --version
expect_exit 0 "Usage: noex-server" --help
expect_exit 1 "Error: Invalid port: 70000 (must be integer 0-65535)" --port 70000
expect_exit 1 'Run "noex-server --help" for usage information.' --bogus
expect_exit 1 "Error: Unknown persistence type: redis (must be memory, file, or sqlite)" --persistence redis
echo "smoke: CLI exits OK"

cat >"$work/rules.yaml" <<'YAML'
- id: smoke-rule
  name: Smoke rule
  trigger: {type: event, topic: smoke.start}
  actions:
    - type: emit_event
      topic: output.smoke
      data: {ok: true}
YAML
start_noex_server "$work/log" "$binary" --host 127.0.0.1 --port 0 --rules "$work/rules.yaml"
timeout 30 python3 .ci/smoke-client.py "$port" --with-rules
timeout 60 python3 .ci/slow-client.py "$port" "$pid"
kill -TERM $pid
status=0
wait $pid || status=$?
pid=""
cat "$work/log"
if [ "$status" -ne 0 ]; then echo "smoke: server exited with $status"; exit 1; fi
grep -q "Shutting down..." "$work/log" || { echo "smoke: no shutdown message"; exit 1; }
echo "smoke: clean shutdown"
