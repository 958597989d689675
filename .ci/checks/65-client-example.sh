#!/usr/bin/env bash
# The Swift client end to end, through the public API only: two noex-example-chat processes
# join one room on a live noex-server (debug build, ephemeral port), one in another room;
# each line typed must reach the room's members and no one else. Then the health probe of
# docs/deployment.md must see the welcome.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/start-server.sh
swift build --product noex-server
swift build --product noex-example-chat
bin="$(swift build --show-bin-path)"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

start_noex_server "$work/server.log" "$bin/noex-server" --host 127.0.0.1 --port 0
url="ws://127.0.0.1:$port"

# alice stays 4 s and speaks after 2 s; bob speaks at once and stays 3 s; carol is elsewhere.
(sleep 2; echo "hello from alice"; sleep 2) | timeout 20 "$bin/noex-example-chat" "$url" lobby alice >"$work/alice" 2>&1 &
alice=$!
sleep 0.5
(echo "hi from bob"; sleep 3) | timeout 20 "$bin/noex-example-chat" "$url" lobby bob >"$work/bob" 2>&1 &
bob=$!
(sleep 1; echo "carol talks alone"; sleep 2) | timeout 20 "$bin/noex-example-chat" "$url" garden carol >"$work/carol" 2>&1
wait $alice $bob

expect() {  # file text
    grep -qF -- "$2" "$work/$1" || { echo "client-example: $1 lacks \"$2\":"; cat "$work/$1"; exit 1; }
}
refuse() {  # file text
    if grep -qF -- "$2" "$work/$1"; then echo "client-example: $1 must not show \"$2\":"; cat "$work/$1"; exit 1; fi
}
expect alice "<bob> hi from bob"
expect alice "<alice> hello from alice"
expect bob "<alice> hello from alice"
expect carol "<carol> carol talks alone"
refuse carol "hi from bob"
refuse alice "carol talks alone"
echo "client-example: chat OK"

# The health probe of docs/deployment.md.
probe="$work/noex-health"
sed -n '/^#!\/bin\/sh/,/grep -q/p' docs/deployment.md >"$probe"
sh "$probe" "http://127.0.0.1:$port/" || { echo "client-example: health probe failed"; exit 1; }
echo "client-example: health probe OK"

kill -TERM $pid
wait $pid || true
pid=""
