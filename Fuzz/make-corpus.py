#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<target>/ from the tests, the reference
transcript and the docs, plus a few handwritten inputs per target (docs/fuzzing.md).

Swift literals in the tests (`["a": 1, "b": [true, nil]]`) are converted to JSON by a small
parser; literals it does not understand (interpolation, variables) are skipped. Run it from
the repository root; it replaces the corpus directories it writes.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
LIMIT = 60  # seeds per target


class SwiftLiteral:
    """Parses one Swift collection/scalar literal starting at `pos`."""

    def __init__(self, text, pos):
        self.text, self.pos = text, pos

    def ws(self):
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def value(self):
        self.ws()
        t = self.text[self.pos:]
        if t.startswith("[:]"):
            self.pos += 3
            return {}
        if t.startswith("["):
            return self.collection()
        if t.startswith('"'):
            return self.string()
        for word, val in (("true", True), ("false", False), ("nil", None), (".null", None)):
            if t.startswith(word) and not (len(t) > len(word) and (t[len(word)].isalnum() or t[len(word)] == "_")):
                self.pos += len(word)
                return val
        m = re.match(r"-?\d[\d_]*(\.\d+)?([eE][-+]?\d+)?", t)
        if m:
            self.pos += m.end()
            s = m.group(0).replace("_", "")
            return float(s) if any(c in s for c in ".eE") else int(s)
        m = re.match(r"\.(string|number|bool|array|object)\(", t)
        if m:
            self.pos += m.end()
            v = self.value()
            self.ws()
            if self.text[self.pos] != ")":
                raise ValueError("unclosed case")
            self.pos += 1
            return v
        raise ValueError("unsupported literal")

    def string(self):
        self.pos += 1
        out = []
        while True:
            c = self.text[self.pos]
            if c == '"':
                self.pos += 1
                return "".join(out)
            if c == "\\":
                n = self.text[self.pos + 1]
                if n == "(":
                    raise ValueError("interpolation")
                if n == "u":
                    end = self.text.index("}", self.pos)
                    out.append(chr(int(self.text[self.pos + 3:end], 16)))
                    self.pos = end + 1
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(n, n))
                self.pos += 2
                continue
            if c == "\n":
                raise ValueError("multi-line string")
            out.append(c)
            self.pos += 1

    def collection(self):
        self.pos += 1
        items, pairs = [], []
        while True:
            self.ws()
            if self.text[self.pos] == "]":
                self.pos += 1
                return dict(pairs) if pairs else items
            v = self.value()
            self.ws()
            if self.text[self.pos] == ":":
                self.pos += 1
                if not isinstance(v, str):
                    raise ValueError("non-string key")
                pairs.append((v, self.value()))
                self.ws()
            else:
                items.append(v)
            if self.text[self.pos] == ",":
                self.pos += 1
            elif self.text[self.pos] != "]":
                raise ValueError("bad separator")


def literals_after(pattern, files):
    """JSON values of the Swift literals that follow each regex match in the files."""
    found = []
    for path in files:
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(pattern, text):
            try:
                found.append(SwiftLiteral(text, m.end()).value())
            except (ValueError, IndexError):
                pass
    return found


def tests(*globs):
    return sorted(f for g in globs for f in glob.glob(os.path.join(ROOT, "Tests", g), recursive=True))


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(target, seeds):
    directory = os.path.join(CORPUS, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    unique = []
    for seed in seeds:
        data = seed.encode("utf-8") if isinstance(seed, str) else bytes(seed)
        if data not in unique:
            unique.append(data)
    for data in unique[:LIMIT]:
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    print(f"{target}: {min(len(unique), LIMIT)} seeds")


def transcript_messages():
    path = os.path.join(ROOT, "Tests", "NoexServerTests", "Fixtures", "reference-transcript.json")
    steps = json.load(open(path))["steps"]
    return [s["send"] if isinstance(s["send"], str) else dumps(s["send"]) for s in steps if "send" in s]


def test_requests():
    """`request("op", [payload])`/`result(...)` calls of the server tests as request objects."""
    found = []
    for path in tests("NoexServerTests/**/*.swift", "NoexClientTests/**/*.swift"):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r'\.(?:request|result)\("([a-z]+\.[a-zA-Z]+)"(, *)?', text):
            payload = {}
            if m.group(2):
                try:
                    payload = SwiftLiteral(text, m.end()).value()
                except (ValueError, IndexError):
                    continue
            if isinstance(payload, dict):
                found.append(dumps({"id": len(found) + 1, "type": m.group(1), **payload}))
    for path in tests("**/*.swift"):
        for m in re.finditer(r'#"(\{"id":.*?\})"#', open(path, encoding="utf-8").read()):
            if "\\(" not in m.group(1):
                found.append(m.group(1))
    return found


def frame(opcode, payload, fin=True, mask=b"\x01\x02\x03\x04", rsv=0):
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


def websocket_seeds():
    text = "héllo wörld".encode()
    close = struct.pack(">H", 1000) + b"bye"
    seeds = [
        b"\x08" + frame(1, b'{"id":1,"type":"store.buckets"}'),
        b"\x08" + frame(1, text[:3], fin=False) + frame(9, b"p") + frame(0, text[3:]),
        b"\x08" + frame(2, bytes(range(40)), fin=False) + frame(0, b"", fin=False) + frame(0, b"end"),
        b"\x08" + frame(9, b"ping") + frame(10, b"pong") + frame(8, close),
        b"\x08" + frame(8, b""),
        b"\x08" + frame(8, struct.pack(">H", 1005)),
        b"\x08" + frame(8, struct.pack(">H", 4999) + b"\xff"),
        b"\x08" + frame(1, b"\xc3\x28"),
        b"\x08" + frame(1, "é".encode()[:1], fin=False) + frame(0, "é".encode()[1:]),
        b"\x08" + frame(1, b"x" * 200),
        b"\x08" + frame(1, b"y" * 70000),
        b"\x02" + frame(1, b"y" * 200),
        b"\x08" + frame(0, b"lonely continuation"),
        b"\x08" + frame(1, b"a", fin=False) + frame(1, b"b"),
        b"\x08" + frame(9, b"x" * 126),
        b"\x08" + frame(9, b"x", fin=False),
        b"\x08" + frame(1, b"rsv", rsv=0x40),
        b"\x08" + bytes([0x83, 0x80, 0, 0, 0, 0]),
        b"\x08" + frame(1, b"unmasked", mask=None),
        b"\x09" + frame(1, b"server to client", mask=None),
        b"\x09" + frame(1, b"masked to client"),
        b"\x08" + bytes([0x81, 0xFF]) + struct.pack(">Q", 1 << 63) + b"\0\0\0\0",
        b"\x10" + bytes([0x81, 0xFF]) + struct.pack(">Q", (1 << 63) - 1) + b"\0\0\0\0",
        b"\x10" + bytes([0x82, 0xFF]) + struct.pack(">Q", (1 << 63) - 14) + b"\0\0\0\0" + b"abc",
        b"\x08" + bytes([0x81, 0xFE, 0x00, 0x05]) + b"\0\0\0\0" + b"short",
        b"\x08" + frame(1, "😀".encode()[:2], fin=False) + frame(0, "😀".encode()[2:]) + frame(8, close),
        b"\x08" + frame(8, close) + frame(1, b"after close"),
        b"\x08" + frame(1, "\ud800".encode("utf-8", "surrogatepass")),
        b"\x08" + frame(1, b"\xf4\x90\x80\x80"),
        b"\x08" + frame(1, b"\xed\x9f\xbf"),
    ]
    return seeds


def http_seeds():
    ok = (b"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    variants = [
        ok,
        ok.replace(b"GET / ", b"GET /?token=abc ") + frame(1, b"early"),
        ok.replace(b"Upgrade: websocket", b"Upgrade: WebSocket, h2c"),
        ok.replace(b"Connection: Upgrade", b"Connection: keep-alive, Upgrade"),
        ok.replace(b"Connection: Upgrade\r\n", b"Connection: keep-alive\r\nConnection: upgrade\r\n"),
        ok.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"dGhlIHNhbXBsZSBub25jZQ"),
        ok.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"  dGhlIHNhbXBsZSBub25jZQ==  "),
        ok.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"AAAAAAAAAAAAAAAAAAAAAA=="),
        ok.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"!!!!!!!!!!!!!!!!!!!!!!=="),
        ok.replace(b"Version: 13", b"Version: 8"),
        ok.replace(b"GET", b"POST"),
        ok.replace(b"HTTP/1.1", b"HTTP/1.0"),
        ok.replace(b"Host: localhost\r\n", b""),
        ok.replace(b"GET / ", b"GET /other "),
        ok.replace(b"\r\n", b"\n"),
        ok.replace(b"Host: localhost", b"Host:"),
        ok.replace(b"Host: localhost", b"Host : localhost"),
        ok.replace(b"Host: localhost", b"Host: local\x00host"),
        ok.replace(b"Host: localhost", b"Host: l\xc3\xa9\xff"),
        ok.replace(b"Host: localhost", b"Host: a\r\n folded"),
        ok.replace(b"Host: localhost\r\n", b"".join(b"X-%d: v\r\n" % i for i in range(20))),
        b"GET / HTTP/1.1\r\nHost: " + b"a" * 3000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET  /  HTTP/1.1\r\nHost: x\r\n\r\n",
        ok[:40],
    ]
    return [bytes([n * 7 % 256]) + v for n, v in enumerate(variants)]


def docs_blocks(language):
    blocks = []
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        text = open(path, encoding="utf-8").read()
        blocks += re.findall(r"```" + language + r"\n(.*?)```", text, re.S)
    return blocks


def config_seeds():
    seeds = docs_blocks("yaml") + [b for b in docs_blocks("json") if '"port"' in b or '"host"' in b]
    seeds += [
        "port: 9100\nrateLimit:\n  maxRequests: 5\n  windowMs: 100\nallowedOrigins: [a]\n",
        "port: 1\n",
        "port: 70000\n",
        "port: -1\n",
        "port: 1e400\n",
        "port: '8080'\n",
        "persistence: sqlite\ndb: /tmp/x.db\n",
        "persistence: nosuch\n",
        "auth: true\nadminSecret: ''\n",
        "auth: true\nadminSecret: s3cret\nidentity:\n  sessionTtlMs: 1000\n",
        "heartbeat:\n  intervalMs: 0\n  timeoutMs: -5\n",
        "backpressure:\n  maxBufferedBytes: 1\n  highWaterMark: 2.5\n",
        "connectionLimits:\n  maxSubscriptionsPerConnection: 9223372036854775807\n",
        "maxConnectionsPerIp: 1.5\n",
        "rateLimit:\n  maxRequests: 1e308\n  windowMs: .inf\n",
        "anchors: &a {x: 1}\nref: *a\nmerge:\n  <<: *a\n",
        "? complex key\n: value\n",
        "- a\n- b\n",
        "!!binary aGVsbG8=\n",
        "%YAML 1.1\n---\nport: 1\n...\n---\nport: 2\n",
        "key: |\n  literal\n  block\nother: >\n  folded\n",
        "nested: [[[[[[[[[[[]]]]]]]]]]]\n",
        "--port 8080\n--host 127.0.0.1\n--rate-limit 5\n",
        "--config\n--no-rules\n--persistence file\n",
        '{"port": 8080, "host": "127.0.0.1", "rules": false}',
        '{"exposeErrorDetails": "yes", "allowedOrigins": "*"}',
    ]
    return seeds


def rule_definitions():
    found = literals_after(r"registerRule\(", tests("NoexRulesTests/*.swift"))
    found += literals_after(r"validateRule\(", tests("NoexRulesTests/*.swift"))
    found += literals_after(r"RuleFileNormalizer\.rule\(", tests("NoexRulesTests/*.swift"))
    rules_tests = tests("NoexRulesTests/*.swift")
    event = {"type": "event", "topic": "test.go"}
    for actions in literals_after(r"actions: *", rules_tests):
        if isinstance(actions, list) and actions:
            found.append({"id": "a", "trigger": event, "actions": actions})
    for conditions in literals_after(r"conditions: *", rules_tests):
        if isinstance(conditions, list) and conditions:
            found.append({"id": "c", "trigger": event, "conditions": conditions, "actions": []})
    for trigger in literals_after(r"trigger: *", rules_tests):
        if isinstance(trigger, dict):
            found.append({"id": "t", "trigger": trigger, "actions": []})
    for request in literals_after(r'"rules\.registerRule", *', tests("NoexServerTests/**/*.swift")):
        if isinstance(request, dict) and isinstance(request.get("rule"), dict):
            found.append(request["rule"])
    return [r for r in found if isinstance(r, dict)]


def rules_file_seeds():
    rules = rule_definitions()
    seeds = [dumps(rules[:3]), dumps({"rules": rules[3:6]})] + [dumps(r) for r in rules[6:30]]
    seeds += docs_blocks("yaml")
    seeds += [
        "- id: r1\n  trigger: {type: event, topic: order.created}\n  conditions:\n"
        "    - source: {type: event, field: total}\n      operator: gt\n      value: 100\n"
        "  actions:\n    - type: emit_event\n      topic: order.big\n      data: {id: '${event.id}'}\n",
        "rules:\n  - id: t\n    trigger: {type: fact, pattern: 'user:*:status'}\n    actions:\n"
        "      - type: set_timer\n        timer: {name: t1, duration: 5m, onExpire: {topic: expired}}\n",
        "id: x\ntrigger: {type: timer, name: t1}\nactions: [{type: log, level: info, message: hi}]\n",
        "rules: []\n",
        "rules: 5\n",
        "- 1\n- 2\n",
    ]
    return seeds


def filters():
    found = literals_after(r"\.(?:where|count|findOne)\(", tests("NoexStoreTests/*.swift"))
    found += literals_after(r'"filter": *', tests("**/*.swift"))
    found = [f for f in found if isinstance(f, dict)]
    queries = literals_after(r"defineQuery\(\"[^\"]*\", json: *", tests("**/*.swift"))
    for q in queries:
        if isinstance(q, dict):
            q = dict(q)
            q["bucket"] = "items"
            found.append(q)
    found += [
        {"name": "alpha"},
        {"score": {"$gt": 1}},
        {"score": {"$gte": -1e308, "$lt": 1e308}},
        {"name": {"$in": ["alpha", "beta"]}},
        {"tags": {"$contains": "a"}},
        {"$or": [{"name": "alpha"}, {"active": False}]},
        {"$and": [{"score": {"$ne": None}}, {"$not": {"name": ""}}]},
        {"name": {"$regex": "^(a+)+$"}},
        {"name": {"$startsWith": ""}},
        {"meta.x": 1},
        {"bucket": "items", "filter": {"score": {"$gt": "${params.min}"}}, "params": {"min": 0}},
        {"bucket": "items", "sort": {"score": "desc"}, "limit": 2},
        {"bucket": "items", "aggregate": {"function": "sum", "field": "score"}},
        {"bucket": "items", "aggregate": {"function": "count"}, "filter": {"active": True}},
        {"bucket": "items", "paginate": {"limit": 2, "after": 1}},
    ]
    return [dumps(f) for f in found]


def procedures():
    found = []
    for request in literals_after(r'"procedures\.register", *', tests("**/*.swift")):
        if isinstance(request, dict) and isinstance(request.get("procedure"), dict):
            found.append(request["procedure"])
    found += literals_after(r"ProcedureDefinition\.parse\(", tests("NoexServerTests/**/*.swift"))
    found += literals_after(r"engine\.register\(", tests("NoexServerTests/Procedures/*.swift"))
    for steps in literals_after(r'"steps": *', tests("NoexServerTests/Procedures/*.swift")):
        if isinstance(steps, list):
            found.append({"steps": steps})
    for steps in literals_after(r"\.run\(", tests("NoexServerTests/Procedures/*.swift")):
        if isinstance(steps, list):
            found.append({"steps": steps})
    found += literals_after(r"(?:let|var) (?:definition|procedure|config)(?:: JSONObject)? = ", tests("NoexServerTests/Procedures/*.swift"))
    seeds = [dumps(p) + "\n" + dumps({"min": 1, "name": "x"}) for p in found if isinstance(p, dict)]
    seeds += [
        dumps({"steps": [{"action": "store.insert", "bucket": "orders", "data": {"total": "${input.total}"}, "as": "o"}],
               "input": {"total": {"type": "number"}}}) + '\n{"total": 12.5}',
        dumps({"steps": [{"action": "store.where", "bucket": "orders", "filter": {}, "as": "all"},
                         {"action": "return", "value": {"ref": "all"}}], "transaction": True, "timeoutMs": 1e308}),
    ]
    return seeds


def main():
    messages = transcript_messages()
    requests = test_requests()
    json_seeds = messages + requests[:20] + [
        "0", "-0", "1e400", "-1e-400", "123456789012345678901234567890", "0.1e1", "[]", "{}", '""',
        '"\\ud83d\\ude00"', '"\\ud800"', '"\\u0000\\b\\f\\n\\r\\t\\/\\\\\\""', '{"a":1,"a":2}',
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', " \t\r\n[1 , 2]\n",
        '{"é":"e\u0301","\u00e9":1}', "5e-324", "1.7976931348623157e308", "true", "null",
    ]
    write("json", json_seeds)
    write("websocket", websocket_seeds())
    write("http", http_seeds())
    write("config", config_seeds())
    write("rules-file", rules_file_seeds())
    write("payloads", messages + requests)
    write("filter", filters())
    write("rules", [dumps(r) for r in rule_definitions()])
    write("procedures", procedures())
    # A session: several requests of the transcript, then single tests' requests.
    sessions = ["\n".join(messages[i:i + 6]) for i in range(0, len(messages), 6)]
    sessions += ["\n".join(requests[i:i + 4]) for i in range(0, len(requests), 4)]
    sessions += ['{"id":1,"type":"store.insert","bucket":"users","data":{"name":"a"}}\nnot json\n[1]\n{"id":"x"}']
    write("server", sessions)


if __name__ == "__main__":
    main()
