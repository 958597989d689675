internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#endif

/// An exclusive `flock` on a lock file, held for as long as one adapter owns a data directory
/// or database, so that a second process (or a second adapter in the same process) cannot
/// interleave its writes with ours. The file holds `pid <n> on <host>` for the error message
/// of whoever is refused. The kernel drops the lock when the process dies, so a `kill -9`
/// never leaves a stale lock behind; the file itself is left in place on purpose (unlinking
/// a lock file races with a process that has just opened it).
final class OwnerLock: Sendable {
    /// The lock file.
    let path: String
    private let fd: Int32

    /// Takes the lock or fails at once.
    /// - Parameters:
    ///   - path: the lock file (created if needed).
    ///   - guarding: what the lock protects, for the error message ("data directory \"/x\"").
    /// - Throws: `StoreError.persistence` naming `guarding`, the lock file and the holder.
    init(path: String, guarding: String) throws(StoreError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .persistence("Cannot open lock file \"\(path)\" for \(guarding): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = Self.holder(fd)
            Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw .persistence(
                    "\(guarding) is already in use by another process (\(holder ?? "holder unknown"), lock file \"\(path)\"); "
                        + "stop that process or use another location")
            }
            throw .persistence("Cannot lock \"\(path)\" for \(guarding): \(String(cString: strerror(code)))")
        }
        self.fd = fd
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let text = Array("pid \(getpid()) on \(hostName)\n".utf8)
        ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The holder as written in the file, if readable.
    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 300)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    deinit {
        Glibc.close(fd)
    }
}
