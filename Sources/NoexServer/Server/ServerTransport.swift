import NoexProtocol
import NoexWebSocket
import NoexWire
import Synchronization

/// Connects the WebSocket layer's callbacks to the protocol's connections.
///
/// Every callback runs on the transport's loop thread; the work here is bookkeeping only.
final class ServerTransport: WebSocketServerDelegate {
    let core: ServerCore
    /// Set once the WebSocket server exists (it needs this delegate to be created).
    private let server = Mutex<WebSocketServer?>(nil)

    init(core: ServerCore) {
        self.core = core
    }

    func attach(_ webSocketServer: WebSocketServer) {
        server.withLock { $0 = webSocketServer }
    }

    func shouldAccept(_ request: WebSocketUpgradeRequest) -> WebSocketUpgradeDecision {
        if let allowed = core.configuration.allowedOrigins, let origin = request.origin, !allowed.contains(origin) {
            return .reject(status: 403)
        }
        return .accept
    }

    func connectionDidOpen(_ socket: WebSocketConnection) {
        guard let scheduler = server.withLock({ $0 }) else { return }
        // Kept on the socket so each message reaches its connection without a lock or a lookup;
        // the core's table still lists it (stats, revocation, stop).
        socket.attachment = core.open(socket, scheduler: scheduler)
    }

    /// The protocol connection attached to `socket` in `connectionDidOpen` (loop thread only).
    @inline(__always)
    private func client(of socket: WebSocketConnection) -> ClientConnection? {
        // Only this delegate attaches anything, and only ClientConnections.
        socket.attachment.map { unsafeDowncast($0, to: ClientConnection.self) }
    }

    func connection(_ socket: WebSocketConnection, didReceiveText text: UnsafeRawBufferPointer) {
        client(of: socket)?.receive(text)
    }

    func connection(_ socket: WebSocketConnection, didReceiveBinary data: UnsafeRawBufferPointer) {
        socket.close(code: CloseCode.binaryNotSupported.code, reason: CloseCode.binaryNotSupported.reason)
    }

    func connectionDidDrain(_ socket: WebSocketConnection) {
        client(of: socket)?.didDrain()
    }

    func connectionDidClose(_ socket: WebSocketConnection, code: UInt16?, reason: String) {
        let connection = client(of: socket)
        // Breaks socket → connection → socket (the WebSocket layer clears it too, after this call).
        socket.attachment = nil
        connection?.tearDown()
    }
}
