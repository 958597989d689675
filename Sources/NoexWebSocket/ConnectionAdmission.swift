import Synchronization

/// Counts a running server's accepted sockets, handshaking and upgraded alike, and decides at
/// accept time whether one more may stay.
///
/// A socket is counted from `accept` until it is closed, so a peer that connects and never
/// finishes its upgrade request holds a slot exactly like an upgraded client does. Only the
/// listener admits (one thread), while releases come from every loop.
final class ConnectionAdmission: Sendable {
    /// Why a socket was turned away.
    enum Refusal {
        /// ``WebSocketServerConfiguration/maxConnections`` sockets are open.
        case capacity
        /// The peer's address holds ``WebSocketServerConfiguration/maxConnectionsPerAddress`` sockets.
        case address
    }

    /// The most sockets open at once; only ever lowered (see ``lowerCapAfterDescriptorShortage()``).
    var maxConnections: Int { cap.load(ordering: .relaxed) }
    private let cap: Atomic<Int>
    /// The most sockets from one address; `nil` for no limit.
    let maxPerAddress: Int?
    private let open = Atomic<Int>(0)
    private let handshaking = Atomic<Int>(0)
    private let refusedAtCapacity = Atomic<Int>(0)
    private let refusedPerAddress = Atomic<Int>(0)
    private let acceptFailures = Atomic<Int>(0)
    private let descriptorShortages = Atomic<Int>(0)
    private let perAddress = Mutex<[String: Int]>([:])

    init(maxConnections: Int, maxPerAddress: Int?) {
        cap = Atomic(max(1, maxConnections))
        self.maxPerAddress = maxPerAddress.map { max(0, $0) }
    }

    /// Takes a slot for a freshly accepted socket from `address`, or says why not.
    func admit(address: String) -> Refusal? {
        if open.load(ordering: .relaxed) >= maxConnections {
            refusedAtCapacity.add(1, ordering: .relaxed)
            return .capacity
        }
        if let limit = maxPerAddress {
            let taken = perAddress.withLock { counts -> Bool in
                let current = counts[address, default: 0]
                guard current < limit else { return false }
                counts[address] = current + 1
                return true
            }
            guard taken else {
                refusedPerAddress.add(1, ordering: .relaxed)
                return .address
            }
        }
        open.add(1, ordering: .relaxed)
        handshaking.add(1, ordering: .relaxed)
        return nil
    }

    /// The socket admitted for `address` finished (or abandoned) its handshake.
    func handshakeEnded() {
        handshaking.subtract(1, ordering: .relaxed)
    }

    /// Frees the slot of a closed socket.
    func release(address: String) {
        open.subtract(1, ordering: .relaxed)
        guard maxPerAddress != nil else { return }
        perAddress.withLock { counts in
            let remaining = counts[address, default: 1] - 1
            counts[address] = remaining > 0 ? remaining : nil
        }
    }

    /// A socket accepted on the spare descriptor (the process was out of them) was refused.
    func noteRefusedForDescriptors() {
        refusedAtCapacity.add(1, ordering: .relaxed)
    }

    /// How many descriptors ``lowerCapAfterDescriptorShortage()`` wins back for the rest of the
    /// process (libdispatch needs one to survive; persistence a few).
    static let shortageMargin = 64

    /// `accept` found no free descriptor although the cap was not reached: something else took
    /// the reserve, or the limit was lowered under the running server. Lowers the cap (until
    /// restart) below the sockets open now, so the descriptors the listener then frees by
    /// closing connections stay free instead of going to the next socket.
    func lowerCapAfterDescriptorShortage() {
        let target = max(1, open.load(ordering: .relaxed) - Self.shortageMargin)
        var current = cap.load(ordering: .relaxed)
        while target < current {
            let (exchanged, original) = cap.compareExchange(
                expected: current, desired: target, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The process was out of descriptors, or nearly: connections were shed.
    func noteDescriptorShortage() {
        descriptorShortages.add(1, ordering: .relaxed)
    }

    /// `accept` failed for lack of descriptors or memory.
    func noteAcceptFailure() {
        acceptFailures.add(1, ordering: .relaxed)
    }

    /// The counters now.
    func snapshot(descriptorLimit: Int) -> WebSocketServerStatistics {
        WebSocketServerStatistics(
            openSockets: open.load(ordering: .relaxed),
            handshakingSockets: handshaking.load(ordering: .relaxed),
            maxConnections: maxConnections,
            maxConnectionsPerAddress: maxPerAddress,
            descriptorLimit: descriptorLimit,
            refusedAtCapacity: refusedAtCapacity.load(ordering: .relaxed),
            refusedPerAddress: refusedPerAddress.load(ordering: .relaxed),
            acceptFailures: acceptFailures.load(ordering: .relaxed),
            descriptorShortages: descriptorShortages.load(ordering: .relaxed))
    }
}
