// noex-store-crashtest: writes records and prints each acknowledged key.
//
// Usage: noex-store-crashtest <file|sqlite> <path> [count] [sync|fsync|none] [key-prefix]
// Prints `ready <records>` once the store is open (restored), then `ack <key>` after each
// insert has returned (i.e. after the store acknowledged it). A test kills the process with
// SIGKILL at a random moment and checks that every acknowledged key survived. Keys are
// `<prefix><n>`, so a key lost in one cycle is never written again by a later one.
import Foundation
import NoexStore
import NoexWire

func emit(_ line: String) {
    // One write(2) per line: nothing sits in a user-space buffer when SIGKILL arrives.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, arguments[1] == "file" || arguments[1] == "sqlite" else {
    FileHandle.standardError.write(Data(
        "usage: noex-store-crashtest <file|sqlite> <path> [count] [sync|fsync|none] [key-prefix]\n".utf8))
    exit(2)
}
let persistence: PersistenceConfiguration =
    arguments[1] == "file" ? .file(directory: arguments[2]) : .sqlite(path: arguments[2])
let count = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000
let durability = arguments.count > 4 ? Durability(rawValue: arguments[4]) ?? .sync : .sync
let prefix = arguments.count > 5 ? arguments[5] : "k"

do {
    let store = try Store(configuration: .init(name: "crashtest", persistence: persistence, durability: durability))
    if !store.bucketNames().contains("items") {
        try store.defineBucket("items", json: [
            "key": "id",
            "schema": [
                "id": ["type": "string", "required": true],
                "n": ["type": "number", "required": true],
                "payload": ["type": "string"],
            ],
        ])
    }
    let items = try store.bucket("items")
    emit("ready \(try items.count())")
    for i in 0..<count {
        let key = "\(prefix)\(i)"
        try items.insert(["id": .string(key), "n": .number(Double(i)), "payload": .string(String(repeating: "x", count: 64))])
        emit("ack \(key)")
    }
    try store.close()
    emit("done")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
