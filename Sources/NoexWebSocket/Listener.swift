import CEpoll
import Glibc

/// The listening socket, owned by the first loop: accepts, admits, tunes and hands out connections.
///
/// Every accepted socket takes a ``ConnectionAdmission`` slot before it is handed to a loop; one
/// over a cap is answered `503 Service Unavailable` and closed at once, so the descriptors in use
/// stay below the process limit whatever peers do.
final class Listener: EventLoopHandler {
    private(set) var fd: Int32
    let loop: EventLoop
    let context: ServerContext
    /// A descriptor held in reserve: when `accept` fails with EMFILE/ENFILE it is closed so
    /// that one pending connection can be accepted and refused, then reopened. Without it the
    /// pending connection would stay queued and the level-triggered listener would wake the
    /// loop again at once.
    private var spareFD: Int32
    private var paused = false

    init(fd: Int32, loop: EventLoop, context: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.context = context
        spareFD = Self.openSpare()
    }

    /// An eventfd: needs no file system (works under systemd's `PrivateDevices`) and no socket.
    private static func openSpare() -> Int32 {
        eventfd(0, Int32(EFD_CLOEXEC))
    }

    func handleEvents(_ events: UInt32) {
        // Read once per wake-up (one getrlimit per up to 256 accepts): the limit may have been
        // lowered under the running server (`prlimit --pid`).
        let nearLimit = DescriptorLimit.current().soft - ConnectionAdmission.shortageMargin / 2
        // One relief per wake-up: if closing connections freed nothing (something else holds
        // the descriptors), repeating it would only close more of them.
        var relieved = false
        // Bounded per wake-up so a connect storm cannot starve established connections.
        for _ in 0..<256 {
            guard fd >= 0 else { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if client < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE {
                    context.admission.noteAcceptFailure()
                    if !relieved {
                        relieved = true
                        relieveDescriptorShortage()
                    }
                    if refuseOneWithSpare() { continue }
                    pauseAccepting()
                } else if code == ENOBUFS || code == ENOMEM {
                    context.admission.noteAcceptFailure()
                    pauseAccepting()
                }
                return
            }
            // Descriptors are allocated lowest first, so a number this close to the limit means
            // almost none are free: something else took the reserve. Act before `accept` fails.
            if Int(client) >= nearLimit {
                if !relieved {
                    relieved = true
                    relieveDescriptorShortage()
                }
                refuse(client)
                continue
            }
            // No TCP_NODELAY call here: the accepted socket inherits it from the listener (Linux).
            let (address, port) = withUnsafePointer(to: &storage) { SocketAddress.describe($0) }
            if context.admission.admit(address: address) != nil {
                refuse(client)
                continue
            }
            let target = context.pickLoop()
            if target === loop {
                context.adopt(fd: client, remoteAddress: address, remotePort: port, on: target)
            } else {
                let context = self.context
                target.execute { context.adopt(fd: client, remoteAddress: address, remotePort: port, on: target) }
            }
        }
    }

    /// Something else took the reserve (or the limit was lowered under the server): with no
    /// free descriptor libdispatch aborts the process within a second, so win some back at once
    /// by closing connections, and keep them free with a lower cap.
    func relieveDescriptorShortage(shedding count: Int = ConnectionAdmission.shortageMargin) {
        context.admission.noteDescriptorShortage()
        context.admission.lowerCapAfterDescriptorShortage()
        context.shedConnections(count: count, current: loop)
    }

    /// Answers `503 Service Unavailable` and closes, without registering the socket anywhere.
    ///
    /// What the peer already sent is read first: closing a socket with unread input makes the
    /// kernel send RST, which can destroy the 503 before the peer reads it. A fresh socket's
    /// send buffer is empty, so the one non-blocking write always fits.
    private func refuse(_ client: Int32) {
        let buffer = loop.state.value.readBuffer
        var reads = 0
        while reads < 4 && read(client, buffer.baseAddress, buffer.count) == buffer.count { reads += 1 }
        Self.unavailable.withUnsafeBytes { _ = send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(client)
    }

    private static let unavailable = WebSocketHandshake.errorResponse(status: 503)

    /// Out of descriptors: frees the spare, accepts one pending connection, refuses it and takes
    /// the spare back. Returns false when there was no spare or the accept still failed.
    private func refuseOneWithSpare() -> Bool {
        guard spareFD >= 0 else {
            spareFD = Self.openSpare()
            return false
        }
        close(spareFD)
        spareFD = -1
        let client = accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        if client >= 0 {
            context.admission.noteRefusedForDescriptors()
            refuse(client)
        }
        // Another thread may take the freed slot first: then the spare stays missing (retried
        // on the next failure) and the listener pauses.
        spareFD = Self.openSpare()
        return client >= 0 && spareFD >= 0
    }

    /// Stops polling the listener for a moment instead of spinning on it: it is level-triggered,
    /// so a pending connection that cannot be accepted would wake the loop at once, forever.
    private func pauseAccepting() {
        guard !paused else { return }
        paused = true
        loop.modify(fd: fd, events: 0)
        _ = loop.scheduleTimer(after: .milliseconds(100)) { [weak self] in
            guard let self else { return }
            self.paused = false
            guard self.fd >= 0 else { return }
            if self.spareFD < 0 { self.spareFD = Self.openSpare() }
            self.loop.modify(fd: self.fd, events: EPOLLIN.rawValue)
        }
    }

    func closeForShutdown() {
        if spareFD >= 0 {
            close(spareFD)
            spareFD = -1
        }
        guard fd >= 0 else { return }
        loop.unregister(fd: fd)
        close(fd)
        fd = -1
    }
}
