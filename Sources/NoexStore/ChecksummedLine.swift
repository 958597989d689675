internal import NoexWire

/// One line of the file adapter's log or snapshot: `<crc32 as 8 lowercase hex digits> <JSON>\n`,
/// where the checksum covers the JSON bytes.
///
/// Lines written before checksums existed start with `{` and are accepted as plain JSON, so
/// older data directories still load (they are verified by parsing only).
enum ChecksummedLine {
    /// Why a line could not be verified.
    enum Failure: Error, Equatable {
        case checksumMismatch
        case malformed(String)

        var text: String {
            switch self {
            case .checksumMismatch: return "checksum mismatch"
            case .malformed(let why): return why
            }
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `json` as one checksummed line (with its newline) to `bytes`.
    static func append(_ json: JSONValue, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 9))
        let jsonStart = bytes.count
        JSONText.write(json, into: &bytes, sortedKeys: false)
        let crc = CRC32.checksum(bytes, jsonStart..<bytes.count)
        for i in 0..<8 { bytes[start + i] = hex[Int((crc >> UInt32(28 - 4 * i)) & 0xF)] }
        bytes[start + 8] = UInt8(ascii: " ")
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Verifies and parses one line (without its newline).
    static func parse(_ line: ArraySlice<UInt8>) -> Result<JSONValue, Failure> {
        guard let first = line.first else { return .failure(.malformed("empty line")) }
        let body: ArraySlice<UInt8>
        if first == UInt8(ascii: "{") {
            body = line  // a line from before checksums
        } else {
            guard line.count > 9, line[line.startIndex + 8] == UInt8(ascii: " ") else {
                return .failure(.malformed("no checksum"))
            }
            var expected: UInt32 = 0
            for byte in line[line.startIndex..<(line.startIndex + 8)] {
                guard let digit = hex.firstIndex(of: byte) else { return .failure(.malformed("no checksum")) }
                expected = expected << 4 | UInt32(digit)
            }
            body = line[(line.startIndex + 9)...]
            guard CRC32.checksum(body) == expected else { return .failure(.checksumMismatch) }
        }
        guard let text = String(validating: body, as: UTF8.self) else { return .failure(.malformed("not UTF-8")) }
        do {
            return .success(try JSONText.parse(text))
        } catch {
            return .failure(.malformed("not JSON"))
        }
    }
}
