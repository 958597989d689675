import CEpoll
import Glibc

/// The listening socket, owned by the first loop: accepts, tunes and hands out connections.
final class Listener: EventLoopHandler {
    private(set) var fd: Int32
    let loop: EventLoop
    let context: ServerContext

    init(fd: Int32, loop: EventLoop, context: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.context = context
    }

    func handleEvents(_ events: UInt32) {
        // Bounded per wake-up so a connect storm cannot starve established connections.
        for _ in 0..<256 {
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
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    pauseAccepting()
                }
                return
            }
            // No TCP_NODELAY call here: the accepted socket inherits it from the listener (Linux).
            let (address, port) = withUnsafePointer(to: &storage) { SocketAddress.describe($0) }
            let target = context.pickLoop()
            if target === loop {
                context.adopt(fd: client, remoteAddress: address, remotePort: port, on: target)
            } else {
                let context = self.context
                target.execute { context.adopt(fd: client, remoteAddress: address, remotePort: port, on: target) }
            }
        }
    }

    /// Out of descriptors: stop polling the listener for a moment instead of spinning on it.
    private func pauseAccepting() {
        loop.modify(fd: fd, events: 0)
        _ = loop.scheduleTimer(after: .milliseconds(100)) { [weak self] in
            guard let self, self.fd >= 0 else { return }
            self.loop.modify(fd: self.fd, events: EPOLLIN.rawValue)
        }
    }

    func closeForShutdown() {
        guard fd >= 0 else { return }
        loop.unregister(fd: fd)
        close(fd)
        fd = -1
    }
}
