import Synchronization

/// What every connection of one running server shares.
final class ServerContext: Sendable {
    let configuration: WebSocketServerConfiguration
    let delegate: any WebSocketServerDelegate
    let loops: [EventLoop]
    /// The socket counts and caps.
    let admission: ConnectionAdmission
    /// The `RLIMIT_NOFILE` at start.
    let descriptors: DescriptorLimit.Status
    var descriptorLimit: Int { descriptors.soft }
    private let nextID = Atomic<UInt64>(1)
    private let nextLoop = Atomic<Int>(0)

    init(
        configuration: WebSocketServerConfiguration, delegate: any WebSocketServerDelegate, loops: [EventLoop],
        admission: ConnectionAdmission, descriptors: DescriptorLimit.Status
    ) {
        self.configuration = configuration
        self.delegate = delegate
        self.loops = loops
        self.admission = admission
        self.descriptors = descriptors
    }

    func makeConnectionID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// The loop for the next accepted connection (round-robin).
    func pickLoop() -> EventLoop {
        if loops.count == 1 { return loops[0] }
        let index = nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[Int(UInt(bitPattern: index) % UInt(loops.count))]
    }

    /// The process ran out of descriptors: closes `count` connections spread over the loops
    /// (handshaking ones first) so that libdispatch and persistence find free descriptors again.
    /// Call on `current`'s thread; the other loops do their share on theirs.
    func shedConnections(count: Int, current: EventLoop) {
        let share = (count + loops.count - 1) / loops.count
        for loop in loops {
            if loop === current {
                _ = loop.state.value.shedConnections(count: share)
            } else {
                loop.execute { _ = loop.state.value.shedConnections(count: share) }
            }
        }
    }

    /// Takes ownership of an accepted socket on `loop` (call on that loop's thread).
    func adopt(fd: Int32, remoteAddress: String, remotePort: Int, on loop: EventLoop) {
        let core = ServerConnection(
            fd: fd, loop: loop, context: self, remoteAddress: remoteAddress, remotePort: remotePort)
        core.handle = WebSocketConnection(id: makeConnectionID(), loop: loop, core: core)
        // The slot was taken at accept: every close path below gives it back.
        if !core.start() { core.closeNow(code: nil, reason: "cannot register socket") }
    }
}
