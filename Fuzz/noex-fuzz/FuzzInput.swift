// Helpers that turn fuzz bytes into the shapes the targets need.
import NoexWire

extension UnsafeRawBufferPointer {
    /// The input split at line feeds (the separator dropped), each part decoded as UTF-8 with
    /// invalid sequences replaced, at most `limit` parts.
    func lines(limit: Int) -> [String] {
        var result: [String] = []
        var start = 0
        for index in 0...count where index == count || self[index] == 0x0A {
            if result.count == limit { break }
            result.append(String(decoding: UnsafeRawBufferPointer(rebasing: self[start..<index]), as: UTF8.self))
            start = index + 1
        }
        return result
    }

    /// The input parsed as one JSON text, or `nil`.
    var json: JSONValue? { try? JSONParser.parse(self) }
}
