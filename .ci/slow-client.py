#!/usr/bin/env python3
"""Backpressure against a real noex-server process (F8): one subscriber stops reading while
another client updates a 20 KB record 3,000 times (60 MB of pushes). The server's resident
memory must stay bounded, and the subscriber must get the newest state once it reads again.
usage: slow-client.py PORT SERVER_PID"""
import json, os, socket, struct, sys, time

def connect(port, rcvbuf=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock

def send(sock, message):
    payload = json.dumps(message).encode()
    mask = os.urandom(4)
    n = len(payload)
    header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

def read_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit("slow-client: connection closed")
        data += chunk
    return bytes(data)

def receive(sock):
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", read_exact(sock, 8))[0]
    return json.loads(read_exact(sock, length))

def request(sock, message):
    send(sock, message)
    while True:
        answer = receive(sock)
        if answer.get("id") == message["id"] and answer["type"] in ("result", "error"):
            assert answer["type"] == "result", answer
            return answer.get("data")

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    writer = connect(port)
    receive(writer)
    request(writer, {"id": 1, "type": "store.defineBucket", "name": "blobs", "config": {"key": "id", "schema": {
        "id": {"type": "string"}, "payload": {"type": "string"}, "seq": {"type": "number"}}}})
    request(writer, {"id": 2, "type": "store.defineQuery", "name": "blob", "config": {"bucket": "blobs"}})
    request(writer, {"id": 3, "type": "store.insert", "bucket": "blobs",
                     "data": {"id": "hot", "payload": "x" * 20000, "seq": 0}})
    slow = connect(port, rcvbuf=16384)
    receive(slow)
    send(slow, {"id": 1, "type": "store.subscribe", "query": "blob"})
    assert receive(slow)["type"] == "result"
    before = rss_kb(pid)
    updates = 3000
    for seq in range(1, updates + 1):
        request(writer, {"id": 10 + seq, "type": "store.update", "bucket": "blobs", "key": "hot", "data": {"seq": seq}})
    time.sleep(0.5)
    growth_mb = (rss_kb(pid) - before) / 1024
    print(f"slow-client: {updates} updates of a 20 KB record, server RSS grew {growth_mb:.1f} MB")
    if growth_mb > 32:
        raise SystemExit("slow-client: server memory grew with the unread pushes")
    newest, pushes = 0, 0
    while newest < updates:
        message = receive(slow)
        if message["type"] == "push":
            pushes += 1
            newest = max(newest, message["data"][0]["seq"])
    print(f"slow-client: converged on seq {newest} after {pushes} pushes (coalesced from {updates})")

if __name__ == "__main__":
    main()
