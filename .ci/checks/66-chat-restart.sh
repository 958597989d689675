#!/usr/bin/env bash
# The chat example keeps working across a server restart with --persistence file: alice stays
# connected while noex-server is stopped (SIGTERM, with a shutdown grace period) and started
# again on the same port and data directory. Her client reconnects and subscribes again to the
# `chat-room` query she defined over the wire: after the restart she must still receive the
# room's new messages (before issue 13 the query was gone and the resubscription failed with
# QUERY_NOT_DEFINED). The second start must report the restored query, and a client joining
# after the restart must see the messages posted before it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/start-server.sh
swift build --product noex-server
swift build --product noex-example-chat
bin="$(swift build --show-bin-path)"
work=$(mktemp -d)
pid=""
alice=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$alice" ] && kill $alice 2>/dev/null; rm -rf "$work"' EXIT

server_args=(--host 127.0.0.1 --persistence file --data-dir "$work/data" --shutdown-grace-ms 2000)
start_noex_server "$work/server1.log" "$bin/noex-server" "${server_args[@]}" --port 0
url="ws://127.0.0.1:$port"

fail() {
    echo "chat-restart: $1"
    for f in server1.log server2.log alice bob carol; do
        [ -f "$work/$f" ] && { echo "--- $f"; cat "$work/$f"; }
    done
    exit 1
}
wait_for() {  # file text seconds
    for _ in $(seq 1 $(($3 * 10))); do
        grep -qF -- "$2" "$work/$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "$1 never showed \"$2\""
}

# alice stays for the whole check; her input comes from a FIFO so she speaks on cue.
mkfifo "$work/alice.in"
timeout 60 "$bin/noex-example-chat" "$url" lobby alice <"$work/alice.in" >"$work/alice" 2>&1 &
alice=$!
exec 3>"$work/alice.in"
wait_for alice 'joined "lobby" as alice' 20
(echo "before the restart"; sleep 1) | timeout 20 "$bin/noex-example-chat" "$url" lobby bob >"$work/bob" 2>&1
wait_for alice "<bob> before the restart" 10

# Stop: clients get `system shutdown` with the grace period first, then the close; then
# start on the same port.
python3 - "$port" >"$work/notice" 2>&1 <<'PY' &
import sys
sys.path.insert(0, ".ci")
from wsclient import Client
client = Client(int(sys.argv[1]))
assert client.next_message()["type"] == "welcome"
print("connected", flush=True)
print(client.next_message(), flush=True)
PY
notice=$!
wait_for notice "connected" 10
kill -TERM $pid
wait $notice || fail "the notice client failed"
grep -qF "{'type': 'system', 'event': 'shutdown', 'gracePeriodMs': 2000}" "$work/notice" \
    || fail "no system shutdown notice: $(cat "$work/notice")"
wait $pid || true
pid=""
grep -qF "Shutting down (notifying clients, up to 2000 ms)" "$work/server1.log" || fail "no graceful shutdown line"
start_noex_server "$work/server2.log" "$bin/noex-server" "${server_args[@]}" --port "$port"
grep -qE "Restored in [0-9]+ ms: 1 bucket\(s\).*, 1 record\(s\), 0 session\(s\), 1 query\(ies\)" "$work/server2.log" \
    || fail "the second start does not report the restored bucket, record and query"

# carol joins after the restart: she sees the message from before it, and speaks.
(sleep 2; echo "after the restart"; sleep 2) | timeout 20 "$bin/noex-example-chat" "$url" lobby carol >"$work/carol" 2>&1 &
carol=$!
# alice's resubscribed feed must deliver carol's message.
wait_for alice "<carol> after the restart" 20
echo "alice again" >&3
wait $carol || true
grep -qF "<bob> before the restart" "$work/carol" || fail "carol lacks the message from before the restart"
exec 3>&-
wait $alice || true
alice=""
if grep -qF "QUERY_NOT_DEFINED" "$work/alice"; then fail "alice's resubscription failed"; fi
echo "chat-restart: chat OK across a restart with --persistence file"

kill -TERM $pid
wait $pid || true
pid=""
