extension JSONSerializer {
    /// Appends at most `maxCount` bytes through a raw pointer: one capacity and uniqueness
    /// check per call instead of one per byte. `body` writes from the pointer and returns
    /// how many bytes it wrote.
    @inlinable @inline(__always)
    static func withSpareCapacity(
        _ buffer: inout [UInt8], _ maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int
    ) {
        buffer.append(addingCapacity: maxCount) { span in
            span.withUnsafeMutableBufferPointer { spare, initialized in
                // `spare` is exactly the `maxCount` bytes just reserved; a valid allocation.
                guard let base = spare.baseAddress else { return }
                initialized += body(base + initialized)
            }
        }
    }

    /// Appends the ASCII bytes of a literal.
    @inlinable @inline(__always)
    static func appendASCII(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
