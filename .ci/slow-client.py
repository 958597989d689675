#!/usr/bin/env python3
"""Backpressure against a real noex-server process (F8): one subscriber stops reading while
another client updates a 20 KB record 3,000 times (60 MB of pushes). The server's resident
memory must stay bounded, and the subscriber must get the newest state once it reads again.
usage: slow-client.py PORT SERVER_PID"""
import sys, time

from wsclient import Client

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    writer = Client(port)
    writer.receive()
    writer.request({"id": 1, "type": "store.defineBucket", "name": "blobs", "config": {"key": "id", "schema": {
        "id": {"type": "string"}, "payload": {"type": "string"}, "seq": {"type": "number"}}}})
    writer.request({"id": 2, "type": "store.defineQuery", "name": "blob", "config": {"bucket": "blobs"}})
    writer.request({"id": 3, "type": "store.insert", "bucket": "blobs",
                     "data": {"id": "hot", "payload": "x" * 20000, "seq": 0}})
    slow = Client(port, rcvbuf=16384)
    slow.receive()
    slow.send({"id": 1, "type": "store.subscribe", "query": "blob"})
    assert slow.receive()["type"] == "result"
    before = rss_kb(pid)
    updates = 3000
    for seq in range(1, updates + 1):
        writer.request({"id": 10 + seq, "type": "store.update", "bucket": "blobs", "key": "hot", "data": {"seq": seq}})
    time.sleep(0.5)
    growth_mb = (rss_kb(pid) - before) / 1024
    print(f"slow-client: {updates} updates of a 20 KB record, server RSS grew {growth_mb:.1f} MB")
    if growth_mb > 32:
        raise SystemExit("slow-client: server memory grew with the unread pushes")
    newest, pushes = 0, 0
    while newest < updates:
        message = slow.receive()
        if message["type"] == "push":
            pushes += 1
            newest = max(newest, message["data"][0]["seq"])
    print(f"slow-client: converged on seq {newest} after {pushes} pushes (coalesced from {updates})")

if __name__ == "__main__":
    main()
