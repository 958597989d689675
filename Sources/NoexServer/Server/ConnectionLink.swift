import Synchronization

/// A clearable strong reference to a connection, for timers and callbacks that may outlive it.
///
/// The runtime forms no `weak` reference to a `ClientConnection`: a weak reference gives the
/// object a side table for good, and every retain and release of it then takes the slow path
/// (several per request). Instead, whatever must not keep a closed connection alive captures the
/// connection's link, and `ClientConnection.tearDown()` clears it. Until then the cycle
/// connection → link → connection is intended (the server's registry holds the connection
/// anyway); afterwards only this small object lives on, until the last timer holding it fires.
final class ConnectionLink: Sendable {
    private let target = Mutex<ClientConnection?>(nil)

    /// The connection, or `nil` once it was torn down.
    var connection: ClientConnection? { target.withLock { $0 } }

    /// Points the link at its connection (once, from the connection's initializer).
    func attach(_ connection: ClientConnection) {
        target.withLock { $0 = connection }
    }

    /// Lets go of the connection; every later `connection` is `nil`.
    func clear() {
        // The old value is released after the lock is dropped, so a deinit never runs under it.
        let released = target.withLock { target -> ClientConnection? in
            defer { target = nil }
            return target
        }
        _ = released
    }
}
