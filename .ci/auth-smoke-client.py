#!/usr/bin/env python3
"""Auth smoke client for `noex-server --auth --admin-secret S --audit-file F`: anonymous access is
refused, the secret logs in, a user is created and logs in, a reader cannot write, system buckets
stay hidden. Usage: auth-smoke-client.py PORT SECRET."""
import sys

from wsclient import Client

def call(client, message):
    """The whole response (result or error) to one request."""
    return client.call(message)

def expect(condition, what):
    if not condition:
        raise SystemExit(f"auth-smoke: {what}")

def main():
    port, secret = int(sys.argv[1]), sys.argv[2]
    anon = Client(port)
    welcome = anon.receive()
    expect(welcome.get("requiresAuth") is True, f"welcome {welcome}")
    refused = call(anon, {"id": 1, "type": "store.buckets"})
    expect(refused.get("code") == "UNAUTHORIZED", f"anonymous store.buckets gave {refused}")
    wrong = call(anon, {"id": 2, "type": "identity.loginWithSecret", "secret": "wrong"})
    expect(wrong.get("code") == "UNAUTHORIZED", f"wrong secret gave {wrong}")

    admin = Client(port)
    admin.receive()
    login = call(admin, {"id": 1, "type": "identity.loginWithSecret", "secret": secret})
    expect(login.get("type") == "result" and len(login["data"]["token"]) >= 43, f"secret login gave {login}")
    call(admin, {"id": 2, "type": "store.defineBucket", "name": "notes",
                          "config": {"key": "id", "schema": {"id": {"type": "string", "generated": "uuid"},
                                                             "text": {"type": "string"}}}})
    user = call(admin, {"id": 3, "type": "identity.createUser", "username": "rita", "password": "reader-pass-1"})
    expect(user.get("type") == "result" and "passwordHash" not in user["data"], f"createUser gave {user}")
    call(admin, {"id": 4, "type": "identity.assignRole", "userId": user["data"]["id"], "roleName": "reader"})
    buckets = call(admin, {"id": 5, "type": "store.buckets"})
    expect(buckets["data"]["names"] == ["notes"], f"store.buckets gave {buckets}")
    system = call(admin, {"id": 6, "type": "store.all", "bucket": "_users"})
    expect(system.get("code") == "FORBIDDEN", f"store.all _users gave {system}")
    stats = call(admin, {"id": 7, "type": "server.stats"})
    expect(stats.get("type") == "result", f"server.stats gave {stats}")

    reader = Client(port)
    reader.receive()
    rlogin = call(reader, {"id": 1, "type": "identity.login", "username": "rita", "password": "reader-pass-1"})
    expect(rlogin["data"]["user"]["roles"] == ["reader"], f"reader login gave {rlogin}")
    expect(call(reader, {"id": 2, "type": "store.all", "bucket": "notes"}).get("type") == "result", "reader read")
    write = call(reader, {"id": 3, "type": "store.insert", "bucket": "notes", "data": {"text": "x"}})
    expect(write.get("code") == "FORBIDDEN", f"reader insert gave {write}")
    audit = call(admin, {"id": 8, "type": "audit.query", "operation": "identity.createUser"})
    expect(len(audit["data"]["entries"]) == 1, f"audit.query gave {audit}")
    print("auth-smoke: OK")

main()
