"""A minimal RFC 6455 client for the CI scripts that talk to a running noex-server (standard
library only): connect, send masked text frames, read frames, correlate requests by id."""
import base64, json, os, socket, struct


class Client:
    """One WebSocket connection; messages that arrive while a response is awaited (pushes may
    come first) are kept in order for `next_message`."""

    def __init__(self, port, rcvbuf=None, timeout=30):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise SystemExit("wsclient: handshake closed")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise SystemExit(f"wsclient: handshake refused: {head!r}")
        self.backlog = []

    def send(self, message):
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read_exact(self, n):
        data = bytearray()
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise SystemExit("wsclient: connection closed")
            data += chunk
        return bytes(data)

    def receive(self):
        """The next text message from the socket, as JSON."""
        first, second = self._read_exact(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack(">H", self._read_exact(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self._read_exact(8))[0]
        payload = self._read_exact(length)
        if first & 0x0F != 1:
            raise SystemExit(f"wsclient: unexpected opcode {first & 0x0F}")
        return json.loads(payload)

    def next_message(self):
        """The next message not yet consumed, kept ones first."""
        return self.backlog.pop(0) if self.backlog else self.receive()

    def call(self, message):
        """Sends a request and returns its whole response (result or error)."""
        self.send(message)
        while True:
            answer = self.receive()
            if answer.get("id") == message["id"] and answer["type"] in ("result", "error"):
                return answer
            self.backlog.append(answer)

    def request(self, message):
        """Sends a request and returns its result data; an error response stops the script."""
        answer = self.call(message)
        if answer["type"] != "result":
            raise SystemExit(f"wsclient: {message['type']} failed: {answer}")
        return answer.get("data")
