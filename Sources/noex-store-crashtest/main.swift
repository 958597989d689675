// noex-store-crashtest: writes records with durability on and prints each acknowledged key.
//
// Usage: noex-store-crashtest <file|sqlite> <path> [count]
// Prints `ready` once the store is open, then `ack <key>` after each insert has returned
// (i.e. after the store acknowledged it). A test kills the process with SIGKILL at a random
// moment and checks that every acknowledged key survived.
import Foundation
import NoexStore
import NoexWire

func emit(_ line: String) {
    // One write(2) per line: nothing sits in a user-space buffer when SIGKILL arrives.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, arguments[1] == "file" || arguments[1] == "sqlite" else {
    FileHandle.standardError.write(Data("usage: noex-store-crashtest <file|sqlite> <path> [count]\n".utf8))
    exit(2)
}
let persistence: PersistenceConfiguration =
    arguments[1] == "file" ? .file(directory: arguments[2]) : .sqlite(path: arguments[2])
let count = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000

do {
    let store = try Store(configuration: .init(name: "crashtest", persistence: persistence, durability: .sync))
    try store.defineBucket("items", json: [
        "key": "id",
        "schema": [
            "id": ["type": "string", "required": true],
            "n": ["type": "number", "required": true],
            "payload": ["type": "string"],
        ],
    ])
    let items = try store.bucket("items")
    let start = try items.count()
    emit("ready \(start)")
    for i in start..<(start + count) {
        let key = "k\(i)"
        try items.insert(["id": .string(key), "n": .number(Double(i)), "payload": .string(String(repeating: "x", count: 64))])
        emit("ack \(key)")
    }
    try store.close()
    emit("done")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
