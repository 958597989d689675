import CEpoll
import Glibc

/// Socket helpers shared by the server and the client.
enum SocketAddress {
    /// Resolves `host:port` to the first usable address and calls `body` with it.
    static func withResolved<R>(
        host: String, port: Int, passive: Bool,
        _ body: (UnsafePointer<sockaddr>, socklen_t, Int32) throws -> R
    ) throws -> R {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let name = host == "localhost" ? "127.0.0.1" : host
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list, let address = first.pointee.ai_addr else {
            throw WebSocketError.invalidAddress(host)
        }
        defer { freeaddrinfo(list) }
        return try body(address, first.pointee.ai_addrlen, first.pointee.ai_family)
    }

    /// The numeric address and port of a socket address.
    static func describe(_ storage: UnsafePointer<sockaddr_storage>) -> (address: String, port: Int) {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                (dottedQuad(UInt32(bigEndian: v4.pointee.sin_addr.s_addr)), Int(UInt16(bigEndian: v4.pointee.sin_port)))
            }
        case AF_INET6:
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                return (String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), Int(UInt16(bigEndian: v6.pointee.sin6_port)))
            }
        default:
            return ("", 0)
        }
    }

    /// An IPv4 address (host byte order) as `a.b.c.d`, formatted without `inet_ntop` or an
    /// intermediate array: at most 15 bytes, so the result is a small string (no allocation).
    static func dottedQuad(_ address: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            var length = 0
            for shift in stride(from: UInt32(24), through: 0, by: -8) {
                if shift != 24 {
                    buffer[length] = UInt8(ascii: ".")
                    length += 1
                }
                let octet = UInt8(truncatingIfNeeded: address >> shift)
                if octet >= 100 {
                    buffer[length] = 48 + octet / 100
                    length += 1
                }
                if octet >= 10 {
                    buffer[length] = 48 + octet / 10 % 10
                    length += 1
                }
                buffer[length] = 48 + octet % 10
                length += 1
            }
            return length
        }
    }

    /// The local port a socket is bound to.
    static func localPort(of fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return 0 }
        return withUnsafePointer(to: &storage) { describe($0).port }
    }

    /// Grows the process's descriptor table to `entries` slots (at most the `RLIMIT_NOFILE` soft
    /// limit) by duplicating `fd` onto the highest such slot and closing the copy: the kernel
    /// never shrinks the table, so later `accept4` calls do not have to grow it (each growth of a
    /// shared table waits for an RCU grace period).
    static func reserveDescriptorTable(entries: Int, using fd: Int32) {
        guard entries > 0 else { return }
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let highest = min(UInt64(entries), UInt64(limit.rlim_cur)) &- 1
        guard highest >= 64, highest < UInt64(Int32.max) else { return }
        // F_DUPFD takes the lowest free slot at or above `highest`, so it never replaces an open descriptor.
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, Int32(highest))
        if copy >= 0 { close(copy) }
    }

    /// Sets an integer socket option.
    @discardableResult
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
