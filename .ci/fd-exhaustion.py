"""Descriptor exhaustion against a running noex-server (standard library only).

    python3 .ci/fd-exhaustion.py PORT PID --mode stall|ws --count 2600 --hold 30

An established client connects first. Then COUNT more sockets come from this host:
`stall` sends half an upgrade request and nothing more (the attack of issue 13), `ws` completes
the upgrade like a real client. They are held for HOLD seconds; a socket the server closes (503
at capacity, or its handshake timeout) is reopened, as an attacker would. Meanwhile the
established client sends `server.stats` twice a second and must get every answer.

Passes when the server process stays up, the established client got every answer, the excess
was refused (503 or close), and no more sockets were held than `maxConnections`. Prints the
figures as JSON lines (`progress`, then `summary`).
"""
import argparse, base64, json, os, resource, select, socket, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import Client  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("pid", type=int)
parser.add_argument("--mode", choices=["stall", "ws"], default="stall")
parser.add_argument("--count", type=int, default=2600)
parser.add_argument("--hold", type=float, default=30)
parser.add_argument("--writes", action="store_true",
                    help="the established client also inserts a record each round (persistence under load)")
parser.add_argument("--expect-shortage", action="store_true",
                    help="the server's limit was lowered under it: it must report a descriptor shortage")
parser.add_argument("--max-latency", type=float, default=5.0, help="seconds an answer may take")
args = parser.parse_args()

# This process needs a descriptor per socket too.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = args.count + 256
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


BUCKET = f"fdprobe{os.getpid()}"


def server_alive():
    try:
        os.kill(args.pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{args.pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def server_fds():
    try:
        return len(os.listdir(f"/proc/{args.pid}/fd"))
    except OSError:
        return -1


def request_head(full):
    key = base64.b64encode(os.urandom(16)).decode()
    head = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n")
    return (head + "Sec-WebSocket-Version: 13\r\n\r\n" if full else head).encode()


class Probe(threading.Thread):
    """The established client: `server.stats` every 0.5 s, each answer timed."""

    def __init__(self):
        super().__init__(daemon=True)
        self.client = Client(args.port, timeout=args.max_latency)
        welcome = self.client.receive()
        assert welcome["type"] == "welcome", welcome
        self.answers, self.failures, self.worst = 0, [], 0.0
        self.stats = {}
        self.stop = threading.Event()
        self.next_id = 1
        self.writes = 0
        if args.writes:
            self.client.request({"id": 0, "type": "store.defineBucket", "name": BUCKET,
                                 "config": {"key": "id", "schema": {"id": {"type": "string", "generated": "uuid"},
                                                                    "n": {"type": "number"}}}})

    def timed(self, message):
        started = time.monotonic()
        answer = self.client.call(message)
        self.worst = max(self.worst, time.monotonic() - started)
        if answer.get("type") != "result":
            self.failures.append(f"error answer: {answer}")
            return None
        self.answers += 1
        return answer["data"]

    def ask(self):
        try:
            self.next_id += 2
            stats = self.timed({"id": self.next_id, "type": "server.stats"})
            if stats is not None:
                self.stats = stats
            if args.writes and self.timed({"id": self.next_id + 1, "type": "store.insert", "bucket": BUCKET,
                                           "data": {"n": self.next_id}}) is not None:
                self.writes += 1
        except (OSError, SystemExit) as error:
            self.failures.append(f"{type(error).__name__}: {error}")
            self.stop.set()

    def run(self):
        while not self.stop.is_set():
            self.ask()
            self.stop.wait(0.5)


class Attackers:
    """COUNT sockets kept open; a closed one is reopened (at most `per_round` per call)."""

    def __init__(self):
        self.poller = select.poll()
        self.sockets = {}       # fd -> socket, for every socket still open on this side
        self.held = set()       # fds seen open after a sweep: the server kept them
        self.refused_503 = 0
        self.refused_close = 0
        self.connect_failures = 0
        self.upgraded = 0
        self.closed_later = 0

    def open_one(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", args.port))
            sock.sendall(request_head(args.mode == "ws"))
            if args.mode == "ws":
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                if not head.startswith(b"HTTP/1.1 101"):
                    self.count_refusal(head)
                    sock.close()
                    return
                self.upgraded += 1
        except OSError:
            self.connect_failures += 1
            sock.close()
            return
        sock.setblocking(False)
        self.sockets[sock.fileno()] = sock
        self.poller.register(sock.fileno(), select.POLLIN)

    def count_refusal(self, data):
        if data.startswith(b"HTTP/1.1 503"):
            self.refused_503 += 1
        else:
            self.refused_close += 1

    def sweep(self):
        """Reads whatever arrived: a stalled socket that gets data or EOF was refused or timed out."""
        for fd, _ in self.poller.poll(0):
            sock = self.sockets.get(fd)
            if sock is None:
                continue
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if args.mode == "ws" and data:
                continue    # welcome, pings: a real client just reads them
            if args.mode == "stall" and data.startswith(b"HTTP/1.1 503"):
                self.refused_503 += 1
            elif args.mode == "stall" and data.startswith(b"HTTP/1.1 408"):
                self.closed_later += 1
            elif fd in self.held or args.mode == "ws":
                self.closed_later += 1
            else:
                self.refused_close += 1
            self.poller.unregister(fd)
            self.held.discard(fd)
            del self.sockets[fd]
            sock.close()

    def mark_held(self):
        self.held = set(self.sockets)

    def refill(self, budget):
        opened = 0
        while len(self.sockets) < args.count and opened < budget:
            self.open_one()
            opened += 1
        return opened


if not server_alive():
    sys.exit("fd-exhaustion: the server is not running")
probe = Probe()
probe.start()
attackers = Attackers()
started = time.monotonic()
# Open all COUNT at once (the attack), sweeping as we go so refused ones do not pile up.
for attempt in range(args.count):
    attackers.open_one()
    if attempt % 100 == 99:
        attackers.sweep()
    if time.monotonic() - started > 120:
        break
time.sleep(1)
attackers.sweep()
attackers.mark_held()
opened_in = time.monotonic() - started
print(json.dumps({"opened": args.count, "seconds": round(opened_in, 1), "held": len(attackers.sockets),
                  "refused503": attackers.refused_503, "refusedClose": attackers.refused_close,
                  "connectFailures": attackers.connect_failures, "serverFds": server_fds()}), flush=True)
held_after_open = len(attackers.sockets)
refused_after_open = attackers.refused_503 + attackers.refused_close + attackers.connect_failures

most_fds, most_held = 0, 0
hold_start = time.monotonic()
while time.monotonic() - hold_start < args.hold:
    if not server_alive():
        break
    # Reopen what the server closed, give refusals a second to arrive, then count what it holds.
    attackers.refill(args.count)
    time.sleep(1)
    attackers.sweep()
    attackers.mark_held()
    most_fds = max(most_fds, server_fds())
    most_held = max(most_held, len(attackers.sockets))
    elapsed = time.monotonic() - hold_start
    if int(elapsed) % 5 == 0:
        sockets = probe.stats.get("sockets", {})
        print(json.dumps({"progress": round(elapsed, 1), "held": len(attackers.sockets), "serverFds": server_fds(),
                          "serverOpen": sockets.get("open"), "serverRefused": sockets.get("refusedAtCapacity"),
                          "probeAnswers": probe.answers}), flush=True)

alive = server_alive()
probe.stop.set()
probe.join(timeout=args.max_latency + 2)
probe.stop.clear()
stored = None
if alive:
    probe.ask()     # one more answer after the hold, with every attacker still connected
    if args.writes:
        stored = probe.timed({"id": 1, "type": "store.count", "bucket": BUCKET})
final_stats = probe.stats
for sock in list(attackers.sockets.values()):
    sock.close()
max_connections = final_stats.get("maxConnections")
summary = {
    "mode": args.mode, "count": args.count, "holdSeconds": args.hold,
    "serverAlive": alive and server_alive(),
    "maxConnections": max_connections,
    "descriptorLimit": final_stats.get("sockets", {}).get("descriptorLimit"),
    "heldAfterOpen": held_after_open, "refusedAfterOpen": refused_after_open,
    "mostHeld": most_held, "mostServerFds": most_fds,
    "refused503": attackers.refused_503, "refusedClose": attackers.refused_close,
    "connectFailures": attackers.connect_failures, "closedLater": attackers.closed_later,
    "serverRefusedAtCapacity": final_stats.get("sockets", {}).get("refusedAtCapacity"),
    "serverDescriptorShortages": final_stats.get("sockets", {}).get("descriptorShortages"),
    "probeAnswers": probe.answers, "probeWrites": probe.writes, "recordsStored": stored, "probeFailures": probe.failures[:5],
    "probeWorstSeconds": round(probe.worst, 3),
}
print(json.dumps({"summary": summary}), flush=True)
problems = []
if not summary["serverAlive"]:
    problems.append("the server died")
if probe.failures:
    problems.append(f"the established client lost answers: {probe.failures[:3]}")
if probe.answers < max(1, int(args.hold)):
    problems.append(f"only {probe.answers} answers in {args.hold} s")
if args.writes and stored != probe.writes:
    problems.append(f"{probe.writes} inserts answered but {stored} records stored")
shortages = final_stats.get("sockets", {}).get("descriptorShortages")
if args.expect_shortage and not shortages:
    problems.append(f"no descriptor shortage reported ({shortages})")
if refused_after_open == 0:
    problems.append("nothing was refused")
if max_connections is not None and most_held > max_connections:
    problems.append(f"{most_held} sockets held, above maxConnections {max_connections}")
if problems:
    sys.exit("fd-exhaustion: " + "; ".join(problems))
print("fd-exhaustion: OK", flush=True)
