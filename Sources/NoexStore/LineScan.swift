internal import NoexWire

/// The verified lines of a log or snapshot file, and where it is damaged.
///
/// Only an incomplete last line (no newline: a write cut short by a crash or a full disk), or
/// a tail of zero bytes (a file extended by the kernel but never written, after a power cut),
/// is a *torn tail*. Any other line that fails its checksum or does not parse is *damage*.
struct LineScan {
    /// A verified line.
    struct Entry {
        var line: Int
        var offset: Int
        var json: JSONValue
    }

    /// A line that could not be verified.
    struct Damage: Equatable {
        var line: Int
        var offset: Int
        var reason: String

        /// `line 2 (byte offset 58): checksum mismatch`; just the reason for a whole-file
        /// problem (line 0).
        var text: String { line > 0 ? "line \(line) (byte offset \(offset)): \(reason)" : reason }

        /// ` at line 2 (byte offset 58): …` or `: <reason>`, to follow a file name.
        var afterFileName: String { line > 0 ? " at " + text : ": " + text }
    }

    private(set) var entries: [Entry] = []
    private(set) var damaged: [Damage] = []
    /// Where a torn tail starts and how long it is.
    private(set) var tornTail: (line: Int, offset: Int, bytes: Int)?
    /// The length of the file without its torn tail.
    private(set) var validLength: Int

    init(_ bytes: [UInt8]) {
        validLength = bytes.count
        var position = 0
        var line = 1
        while position < bytes.count {
            guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                tornTail = (line, position, bytes.count - position)
                validLength = position
                break
            }
            switch ChecksummedLine.parse(bytes[position..<newline]) {
            case .success(let json): entries.append(Entry(line: line, offset: position, json: json))
            case .failure(let failure):
                if bytes[position...].allSatisfy({ $0 == 0 || $0 == UInt8(ascii: "\n") }) {
                    tornTail = (line, position, bytes.count - position)
                    validLength = position
                    return
                }
                damaged.append(Damage(line: line, offset: position, reason: failure.text))
            }
            position = newline + 1
            line += 1
        }
    }

    /// Marks a verified line as damaged after all (it verified but does not mean anything).
    mutating func reject(_ entry: Entry, _ reason: String) {
        damaged.append(Damage(line: entry.line, offset: entry.offset, reason: reason))
        damaged.sort { $0.offset < $1.offset }
    }
}
