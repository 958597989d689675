#!/usr/bin/env python3
"""Smoke client for a running noex-server: connect, define a bucket and a query, subscribe,
insert, and expect the push. Exits 0 on success. Standard library only (raw RFC 6455 client)."""
import base64, json, os, socket, struct, sys

def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise SystemExit("smoke: handshake closed")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit(f"smoke: handshake refused: {head!r}")
    return sock

def send(sock, message):
    payload = json.dumps(message).encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit("smoke: connection closed")
        data += chunk
    return data

def receive(sock):
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", read_exact(sock, 8))[0]
    payload = read_exact(sock, length)
    if first & 0x0F != 1:
        raise SystemExit(f"smoke: unexpected opcode {first & 0x0F}")
    return json.loads(payload)

backlog = []  # messages that arrived while a response was awaited (pushes may precede it)

def request(sock, message):
    send(sock, message)
    while True:
        answer = receive(sock)
        if answer.get("id") == message["id"] and answer["type"] in ("result", "error"):
            if answer["type"] != "result":
                raise SystemExit(f"smoke: {message['type']} failed: {answer}")
            return answer.get("data")
        backlog.append(answer)

def next_message(sock):
    return backlog.pop(0) if backlog else receive(sock)

def main():
    sock = connect(int(sys.argv[1]))
    welcome = receive(sock)
    assert welcome["type"] == "welcome" and welcome["version"] == "1.0.0", welcome
    request(sock, {"id": 1, "type": "store.defineBucket", "name": "notes",
                   "config": {"key": "id", "schema": {"id": {"type": "string", "generated": "uuid"},
                                                      "text": {"type": "string", "required": True}}}})
    request(sock, {"id": 2, "type": "store.defineQuery", "name": "all-notes", "config": {"bucket": "notes"}})
    subscribed = request(sock, {"id": 3, "type": "store.subscribe", "query": "all-notes"})
    assert subscribed["data"] == [], subscribed
    request(sock, {"id": 4, "type": "store.insert", "bucket": "notes", "data": {"text": "hello"}})
    while True:
        message = next_message(sock)
        if message["type"] == "push":
            assert message["subscriptionId"] == subscribed["subscriptionId"], message
            assert message["data"][0]["text"] == "hello", message
            break
    print("smoke: insert, subscribe and push OK")
    if len(sys.argv) > 2 and sys.argv[2] == "--with-rules":
        events = request(sock, {"id": 5, "type": "rules.subscribe", "pattern": "output.*"})
        request(sock, {"id": 6, "type": "rules.emit", "topic": "smoke.start", "data": {"n": 1}})
        while True:
            message = next_message(sock)
            if message["type"] == "push" and message["subscriptionId"] == events["subscriptionId"]:
                assert message["data"]["topic"] == "output.smoke", message
                break
        print("smoke: rule loaded from YAML fired")

if __name__ == "__main__":
    main()
