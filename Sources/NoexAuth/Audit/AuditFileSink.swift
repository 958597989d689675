#if canImport(Glibc)
    import Glibc
#endif
import NoexWire
import Synchronization

/// Appends audit entries to a file as JSON lines. Each line is handed to the kernel with one
/// `write(2)` on an `O_APPEND` descriptor, so nothing waits in a user-space buffer and lines from
/// one process never interleave.
public final class AuditFileSink: Sendable {
    /// The file could not be opened.
    public struct OpenFailed: Error, Sendable, CustomStringConvertible {
        /// The path and the system's reason.
        public var description: String
    }

    private let descriptor: Mutex<Int32>

    /// Opens (creating with mode 0600) `path` for appending.
    /// - Throws: `OpenFailed` with the system's reason.
    public init(path: String) throws(OpenFailed) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OpenFailed(description: "Cannot open audit file \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { fd in _ = close(fd) }
    }

    /// Writes one entry as a line; a failing write is dropped (the in-memory log still has it).
    func write(_ entry: AuditEntry) {
        var line = JSONSerializer.serialize(.object(entry.json))
        line.append(UInt8(ascii: "\n"))
        descriptor.withLock { fd in
            line.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, base + offset, buffer.count - offset)
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
