// noex-ws-echo: echoes every WebSocket message (text as text, binary as binary) on NoexWebSocket.
// Used by the conformance checks (Autobahn, ws_edge.py) and the transport benchmark.
//
// usage: noex-ws-echo [--host 127.0.0.1] [--port 9001] [--path /] [--loops 1]
//                     [--max-message BYTES] [--task] [--welcome]
//   --task     answer each message from a Task on the connection's loop executor instead of
//              synchronously in the callback (measures the cost of async handling)
//   --welcome  send {"type":"welcome"} when a connection opens (noex-load waits for it before
//              sending; conformance runs must not use it)
// Prints "listening on HOST:PORT" once bound; SIGINT/SIGTERM shut it down cleanly.
import Dispatch
import Foundation
import NoexWebSocket

/// Echoes every message back on the connection it came from, from the loop thread.
final class EchoDelegate: WebSocketServerDelegate {
    let welcome: PreparedFrame?
    let viaTask: Bool

    init(welcome: Bool, viaTask: Bool) {
        self.welcome = welcome ? PreparedFrame(text: Array(#"{"type":"welcome"}"#.utf8)) : nil
        self.viaTask = viaTask
    }

    func shouldAccept(_ request: WebSocketUpgradeRequest) -> WebSocketUpgradeDecision { .accept }

    func connectionDidOpen(_ connection: WebSocketConnection) {
        if let welcome { connection.sendText(welcome) }
    }

    func connection(_ connection: WebSocketConnection, didReceiveText text: UnsafeRawBufferPointer) {
        if viaTask {
            let copy = Array(text)
            Task(executorPreference: connection.executor) { connection.sendText(copy) }
        } else {
            connection.sendText(text)
        }
    }

    func connection(_ connection: WebSocketConnection, didReceiveBinary data: UnsafeRawBufferPointer) {
        connection.sendBinary(data)
    }

    func connectionDidDrain(_ connection: WebSocketConnection) {}

    func connectionDidClose(_ connection: WebSocketConnection, code: UInt16?, reason: String) {}
}

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("noex-ws-echo: \(message)\nusage: noex-ws-echo [--host H] [--port P] [--path /] [--loops N] [--max-message BYTES] [--task] [--welcome]\n".utf8))
    exit(2)
}

var configuration = WebSocketServerConfiguration(host: "127.0.0.1", port: 9001, path: "/")
// Autobahn sends messages up to 16 MiB (cases 9.*); the echo accepts them.
configuration.maxMessageBytes = 64 << 20
var welcome = false
var viaTask = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> String {
        guard let next = arguments.popFirst() else { usage("\(argument) needs a value") }
        return next
    }
    switch argument {
    case "--host": configuration.host = value()
    case "--port":
        guard let port = Int(value()), (0...65535).contains(port) else { usage("invalid port") }
        configuration.port = port
    case "--path": configuration.path = value()
    case "--loops":
        guard let loops = Int(value()), loops >= 1 else { usage("invalid loop count") }
        configuration.loopCount = loops
    case "--max-message":
        guard let bytes = Int(value()), bytes > 0 else { usage("invalid size") }
        configuration.maxMessageBytes = bytes
    case "--welcome": welcome = true
    case "--task": viaTask = true
    case "-h", "--help": usage("echo server")
    default: usage("unknown argument \(argument)")
    }
}

signal(SIGPIPE, SIG_IGN)
let server = WebSocketServer(configuration: configuration, delegate: EchoDelegate(welcome: welcome, viaTask: viaTask))
let port: Int
do {
    port = try server.start()
} catch {
    FileHandle.standardError.write(Data("noex-ws-echo: \(error)\n".utf8))
    exit(1)
}
FileHandle.standardOutput.write(Data("listening on \(configuration.host):\(port)\n".utf8))

// Wait for SIGINT or SIGTERM, then shut down cleanly.
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let (stop, stopContinuation) = AsyncStream<Void>.makeStream()
var signalSources: [any DispatchSourceSignal] = []
for number in [SIGINT, SIGTERM] {
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { stopContinuation.yield() }
    source.resume()
    signalSources.append(source)
}
for await _ in stop { break }
await server.shutdown()
