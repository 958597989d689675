#!/usr/bin/env bash
# Builds a release of noex-server: the binary in release mode with the Swift standard library
# linked statically, stripped, packed with LICENSE, README, CHANGELOG, the docs, an example
# config, an example schema file and a systemd unit into
#   dist/noex-server-<version>-linux-<arch>.tar.gz   and its .sha256 checksum file.
# The version is protocol.yaml's `serverVersion`; the commit and the UTC build date are
# compiled in (NOEX_BUILD_COMMIT / NOEX_BUILD_DATE, see Package.swift), so the unpacked
# binary's `--version` names them.
#
# Usage: scripts/release.sh [output-dir]      (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}

version=$(sed -n 's/^  serverVersion: *\([0-9.]*\).*/\1/p' protocol.yaml)
[ -n "$version" ] || { echo "release: no serverVersion in protocol.yaml" >&2; exit 1; }
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
date=$(date -u +%Y-%m-%d)
arch=$(uname -m)
name="noex-server-$version-linux-$arch"

echo "release: building $name (commit $commit, $date)"
export NOEX_BUILD_COMMIT=$commit NOEX_BUILD_DATE=$date
swift build -c release --static-swift-stdlib --product noex-server
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/noex-server"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/examples" "$root/systemd"
cp "$binary" "$root/bin/noex-server"
strip "$root/bin/noex-server"
cp LICENSE README.md CHANGELOG.md "$root/"
cp -r docs "$root/docs"
cp packaging/noex.json "$root/examples/noex.json"
cp packaging/runtime-packages.txt "$root/runtime-packages.txt"
cp packaging/noex-server.service "$root/systemd/noex-server.service"
for schema in examples/schema.yaml docs/examples/schema.yaml packaging/schema.yaml; do
    if [ -f "$schema" ]; then cp "$schema" "$root/examples/schema.yaml"; break; fi
done

mkdir -p "$out"
tarball="$out/$name.tar.gz"
# Reproducible member order and ownership; the archive holds one top-level folder.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$tarball" "$name"
(cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "release: $tarball ($(du -h "$tarball" | cut -f1)), checksum $tarball.sha256"
