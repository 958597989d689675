# Sourced by the CI checks: start_noex_server LOG ARGS... runs noex-server in the background on
# an ephemeral port (ARGS must include --host 127.0.0.1 --port 0), waits for its banner and
# sets `pid` and `port`. The caller's EXIT trap kills "$pid".
start_noex_server() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    pid=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's#.*URL: *ws://127.0.0.1:\([0-9]*\).*#\1#p' "$log")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "noex-server did not start:"
    cat "$log"
    exit 1
}

# build_release_noex_server: builds noex-server in release mode and sets `binary` to its path
# (the checks that run the release binary share one build).
build_release_noex_server() {
    swift build -c release --product noex-server
    binary="$(swift build -c release --show-bin-path)/noex-server"
}
