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
        core.open(socket, scheduler: scheduler)
    }

    func connection(_ socket: WebSocketConnection, didReceiveText text: UnsafeRawBufferPointer) {
        core.connection(for: socket)?.receive(text)
    }

    func connection(_ socket: WebSocketConnection, didReceiveBinary data: UnsafeRawBufferPointer) {
        socket.close(code: CloseCode.binaryNotSupported.code, reason: CloseCode.binaryNotSupported.reason)
    }

    func connectionDidDrain(_ socket: WebSocketConnection) {
        core.connection(for: socket)?.didDrain()
    }

    func connectionDidClose(_ socket: WebSocketConnection, code: UInt16?, reason: String) {
        core.connection(for: socket)?.tearDown()
    }
}
