# noex-server container image: build with the Swift toolchain image, run on slim Debian with
# only the runtime packages (packaging/runtime-packages.txt) and a non-root user.
#
# Docker cannot run on the machines this project is developed and tested on, so this file is
# not built in CI. Its steps are the ones .ci/checks/80-release.sh performs and tests through
# the release tarball: scripts/release.sh builds it, and the tarball is unpacked and started
# in a Debian root that holds only the runtime packages.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        pkg-config libyaml-dev libssl-dev libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/release.sh /dist && mkdir /unpacked && tar -xzf /dist/noex-server-*.tar.gz -C /unpacked --strip-components=1

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libssl3 libsqlite3-0 libyaml-0-2 python3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/noex --create-home --shell /usr/sbin/nologin noex
COPY --from=build /unpacked/bin/noex-server /usr/local/bin/noex-server
COPY --from=build /unpacked/examples/noex.json /etc/noex/noex.json
USER noex
WORKDIR /var/lib/noex
EXPOSE 8080
# Liveness: the server answers a WebSocket upgrade on its port. Replace with
# `curl -f http://127.0.0.1:8080/health` once the HTTP health endpoint ships.
HEALTHCHECK --interval=30s --timeout=5s CMD python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',8080),3); s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'); sys.exit(0 if s.recv(12).startswith(b'HTTP/1.1 101') else 1)"
CMD ["noex-server", "--host", "0.0.0.0", "--port", "8080", "--persistence", "sqlite", "--db", "/var/lib/noex/noex.db"]
