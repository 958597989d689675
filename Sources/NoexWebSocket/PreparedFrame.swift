/// A server text frame encoded once and shareable by any number of connections (fan-out).
///
/// Small frames are copied into each connection's buffer (cheaper than another iovec); large
/// ones are queued by reference and written from this one copy with `writev`.
public struct PreparedFrame: Sendable {
    let storage: FrameStorage

    /// Encodes an unmasked, final text frame around `text`.
    /// - Parameter text: The UTF-8 message (not validated here; the caller produced it).
    public init(text: some Collection<UInt8>) {
        storage = FrameStorage(encoding: text, opcode: .text)
    }

    /// Encodes an unmasked, final binary frame around `binary`.
    /// - Parameter binary: The message.
    public init(binary: some Collection<UInt8>) {
        storage = FrameStorage(encoding: binary, opcode: .binary)
    }

    /// The encoded frame size in bytes (header plus payload).
    public var count: Int { storage.count }

    /// The encoded frame bytes.
    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: storage.pointer, count: storage.count)) }
}

/// The immutable bytes of an encoded frame.
///
/// `@unchecked Sendable` is safe: the memory is written once in `init` and only read afterwards;
/// it is freed in `deinit`, when no reference (and so no queued write) remains.
final class FrameStorage: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int

    init(encoding payload: some Collection<UInt8>, opcode: WebSocketOpcode) {
        let length = payload.count
        let header = WebSocketFrameEncoder.headerLength(payloadLength: length, masked: false)
        count = header + length
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        WebSocketFrameEncoder.writeHeader(to: pointer, opcode: opcode, payloadLength: length)
        let body = UnsafeMutableRawBufferPointer(start: pointer + header, count: length)
        if payload.withContiguousStorageIfAvailable({ body.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
            _ = body.initializeMemory(as: UInt8.self, from: payload)
        }
    }

    deinit { pointer.deallocate() }
}
