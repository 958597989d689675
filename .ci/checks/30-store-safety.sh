#!/usr/bin/env bash
# noex-server's persisted data at the process level: a second server on the same data
# directory or database exits 1 naming the path and the holder's pid; a damaged log line in
# the middle stops the start with the file and line; `--repair` starts, keeps the verifiable
# records, keeps the damaged original aside and says what it dropped; the next plain start
# works. (Kill -9 cycles and a full disk are covered by CrashTests and DiskFullTests.)
set -euo pipefail
source .ci/start-server.sh
build_release_noex_server
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

second_is_refused() {  # what path args...
    local what=$1 path=$2; shift 2
    start_noex_server "$work/first.log" "$binary" --host 127.0.0.1 --port 0 "$@"
    local status=0
    "$binary" --host 127.0.0.1 --port 0 "$@" >"$work/second.log" 2>&1 || status=$?
    if [ "$status" -eq 0 ] || ! grep -qF "$what \"$path\" is already in use by another process (pid $pid on" "$work/second.log"; then
        echo "store-safety: a second server on $path gave $status:"; cat "$work/second.log"; exit 1
    fi
    kill -TERM $pid; wait $pid || true; pid=""
    echo "store-safety: a second server on $path exits $status: $(head -1 "$work/second.log")"
}
second_is_refused "Data directory" "$work/data" --persistence file --data-dir "$work/data"
second_is_refused "SQLite database" "$work/s.db" --persistence sqlite --db "$work/s.db"

# The issue's case: a log of four lines whose second line is damaged.
mkdir -p "$work/damaged"
cat >"$work/damaged/wal.log" <<'LOG'
{"s":1,"op":"define","b":"items","d":{"key":"id","schema":{"id":{"type":"string"}}},"c":0}
{"s":2,"op":"put","b":"items","k":"a","r":{"id":"a"},"c":0
{"s":3,"op":"put","b":"items","k":"b","r":{"id":"b"},"c":0}
{"s":4,"op":"put","b":"items","k":"c","r":{"id":"c"},"c":0}
LOG
status=0
"$binary" --host 127.0.0.1 --port 0 --persistence file --data-dir "$work/damaged" >"$work/damaged.log" 2>&1 || status=$?
if [ "$status" -eq 0 ] || ! grep -qF "Damaged write-ahead log \"$work/damaged/wal.log\" at line 2" "$work/damaged.log" \
    || ! grep -qF -- "--repair" "$work/damaged.log"; then
    echo "store-safety: a damaged log gave $status:"; cat "$work/damaged.log"; exit 1
fi
echo "store-safety: damaged log refused: $(cat "$work/damaged.log")"
start_noex_server "$work/repair.log" "$binary" --host 127.0.0.1 --port 0 --persistence file --data-dir "$work/damaged" --repair
grep -qF "kept 3 record(s), dropped 1 damaged line(s) (line 2" "$work/repair.log" \
    || { echo "store-safety: no repair report:"; cat "$work/repair.log"; exit 1; }
ls "$work/damaged" | grep -q '^wal.log.damaged-' || { echo "store-safety: the original was not kept"; exit 1; }
kill -TERM $pid; wait $pid || true; pid=""
start_noex_server "$work/after.log" "$binary" --host 127.0.0.1 --port 0 --persistence file --data-dir "$work/damaged"
# The records after the damaged line are served.
timeout 30 python3 - "$port" <<'PY'
import sys
sys.path.insert(0, ".ci")
from wsclient import Client
client = Client(int(sys.argv[1]))
client.receive()
ids = [r["id"] for r in client.request({"id": 1, "type": "store.all", "bucket": "items"})]
assert ids == ["b", "c"], ids
PY
kill -TERM $pid; wait $pid || true; pid=""
echo "store-safety: --repair kept the verifiable records and the next start is clean"
