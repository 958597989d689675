#!/usr/bin/env bash
# The release a user downloads: scripts/release.sh builds the tarball; its checksum verifies;
# the runtime packages documented in packaging/runtime-packages.txt, README.md and
# docs/deployment.md are exactly the packages `ldd` of the binary resolves to; and the
# tarball, unpacked into an empty directory of a Debian root that holds only a minimal base
# system plus those packages, starts and serves a client, with `--version` naming the commit.
set -euo pipefail
work=$(mktemp -d)
root=""
pid=""
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    if [ -n "$root" ] && mountpoint -q "$root/proc"; then umount "$root/proc"; fi
    rm -rf "$work"
}
trap cleanup EXIT

bash scripts/release.sh "$work/dist"
tarball=$(ls "$work"/dist/noex-server-*.tar.gz)
(cd "$work/dist" && sha256sum -c --quiet "$(basename "$tarball").sha256")
echo "release: checksum verifies"

# The documented runtime packages against ldd.
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked" --strip-components=1
binary="$work/unpacked/bin/noex-server"
documented=$(grep -v '^#' packaging/runtime-packages.txt | grep -v '^$' | LC_ALL=C sort -u)
resolved=$(ldd "$binary" | awk '/=> \// {print $3}' | while read -r lib; do
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
done | cut -d: -f1 | LC_ALL=C sort -u)
if [ "$documented" != "$resolved" ]; then
    echo "release: packaging/runtime-packages.txt does not match ldd:"
    diff <(echo "$documented") <(echo "$resolved") || true
    exit 1
fi
# The install line of the docs names exactly the non-essential ones (libc6, libgcc-s1 and
# libstdc++6 are in every Debian base system).
optional=$(echo "$documented" | grep -vxE 'libc6|libgcc-s1|libstdc\+\+6' | tr '\n' ' ' | sed 's/ $//')
for doc in README.md docs/deployment.md; do
    if ! grep -qF "apt-get install -y --no-install-recommends $optional" "$doc"; then
        echo "release: $doc does not give the runtime install line: apt-get install -y --no-install-recommends $optional"
        exit 1
    fi
done
echo "release: runtime packages match ldd: $(echo "$documented" | tr '\n' ' ')"

# A Debian root with only the base system and the runtime packages, cached between runs.
cache=/var/cache/noex-ci/bookworm-runtime
stamp="$cache/.packages"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$optional" ]; then
    command -v debootstrap >/dev/null || {
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    }
    rm -rf "$cache"
    mkdir -p "$(dirname "$cache")"
    debootstrap --variant=minbase bookworm "$cache" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || {
        tail -20 "$work/debootstrap.log"; exit 1
    }
    # shellcheck disable=SC2086
    chroot "$cache" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $optional \
        >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
    echo "$optional" >"$stamp"
fi
root="$work/root"
cp -a "$cache" "$root"
mkdir "$root/opt/empty"
cp "$tarball" "$root/opt/empty/"
chroot "$root" sh -c 'cd /opt/empty && tar -xzf noex-server-*.tar.gz --strip-components=1'
mount -t proc proc "$root/proc"

commit=$(git rev-parse --short=12 HEAD)
version_line=$(chroot "$root" /opt/empty/bin/noex-server --version)
case "$version_line" in
    *"commit $commit"*) echo "release: $version_line" ;;
    *) echo "release: --version does not name commit $commit: $version_line"; exit 1 ;;
esac

source .ci/start-server.sh
start_noex_server "$work/server.log" chroot "$root" /opt/empty/bin/noex-server --host 127.0.0.1 --port 0 \
    --persistence sqlite --db /opt/empty/noex.db
timeout 30 python3 .ci/smoke-client.py "$port"
kill -TERM "$pid"
wait "$pid"
pid=""
echo "release: the unpacked tarball serves a client in a root with only the runtime packages"
