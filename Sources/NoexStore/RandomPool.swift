#if canImport(Glibc)
    internal import Glibc
#endif
internal import Synchronization

/// Random bytes for generated ids, drawn from the kernel 4 KiB at a time.
///
/// `UUID()` and `SystemRandomNumberGenerator` make one `getrandom` call per id, which was
/// a third of the cost of an insert with a generated key; one read of `/dev/urandom` per
/// 4 KiB serves 256 UUIDs.
enum RandomPool {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var offset = 4096
    }

    private static let pool = Mutex(Pool())

    /// `count` random bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        pool.withLock { p in
            if p.offset + count > p.bytes.count {
                var g = SystemRandomNumberGenerator()
                p.bytes.withUnsafeMutableBytes { raw in
                    var filled = 0
                    let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
                    if fd >= 0 {
                        while filled < raw.count {
                            let n = read(fd, raw.baseAddress! + filled, raw.count - filled)
                            if n > 0 { filled += n } else if n < 0 && errno == EINTR { continue } else { break }
                        }
                        close(fd)
                    }
                    // Without /dev/urandom (a locked-down container) fall back to the stdlib generator.
                    for i in filled..<raw.count { raw[i] = UInt8.random(in: 0...255, using: &g) }
                }
                p.offset = 0
            }
            defer { p.offset += count }
            return Array(p.bytes[p.offset..<(p.offset + count)])
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `count` random bytes as lowercase hex.
    static func hex(_ count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for b in bytes(count) {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A random (version 4, RFC 9562 variant) UUID in lowercase, like `crypto.randomUUID()`.
    static func uuid() -> String {
        var b = bytes(16)
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
