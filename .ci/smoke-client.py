#!/usr/bin/env python3
"""Smoke client for a running noex-server: connect, define a bucket and a query, subscribe,
insert, and expect the push. Exits 0 on success. Uses the raw RFC 6455 client of wsclient.py."""
import sys

from wsclient import Client

def main():
    client = Client(int(sys.argv[1]))
    welcome = client.receive()
    assert welcome["type"] == "welcome" and welcome["version"] == "1.0.0", welcome
    client.request({"id": 1, "type": "store.defineBucket", "name": "notes",
                   "config": {"key": "id", "schema": {"id": {"type": "string", "generated": "uuid"},
                                                      "text": {"type": "string", "required": True}}}})
    client.request({"id": 2, "type": "store.defineQuery", "name": "all-notes", "config": {"bucket": "notes"}})
    subscribed = client.request({"id": 3, "type": "store.subscribe", "query": "all-notes"})
    assert subscribed["data"] == [], subscribed
    client.request({"id": 4, "type": "store.insert", "bucket": "notes", "data": {"text": "hello"}})
    while True:
        message = client.next_message()
        if message["type"] == "push":
            assert message["subscriptionId"] == subscribed["subscriptionId"], message
            assert message["data"][0]["text"] == "hello", message
            break
    print("smoke: insert, subscribe and push OK")
    if len(sys.argv) > 2 and sys.argv[2] == "--with-rules":
        events = client.request({"id": 5, "type": "rules.subscribe", "pattern": "output.*"})
        client.request({"id": 6, "type": "rules.emit", "topic": "smoke.start", "data": {"n": 1}})
        while True:
            message = client.next_message()
            if message["type"] == "push" and message["subscriptionId"] == events["subscriptionId"]:
                assert message["data"]["topic"] == "output.smoke", message
                break
        print("smoke: rule loaded from YAML fired")

if __name__ == "__main__":
    main()
