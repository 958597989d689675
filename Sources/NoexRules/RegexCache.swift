import Foundation
import Synchronization

/// Compiled regular expressions by pattern text; invalid patterns are remembered as such.
///
/// JavaScript's `RegExp(pattern).test(text)`: unanchored search, no flags. ICU syntax (used by
/// `NSRegularExpression`) agrees with JavaScript's for the patterns rules use.
final class RegexCache: Sendable {
    static let shared = RegexCache()

    // Mutex-guarded dictionary; NSRegularExpression instances are immutable and thread-safe.
    private let cache = Mutex<[String: Entry]>([:])

    private final class Entry: @unchecked Sendable {
        // Safe: NSRegularExpression is immutable after creation and documented thread-safe.
        let regex: NSRegularExpression?
        init(_ regex: NSRegularExpression?) { self.regex = regex }
    }

    func test(_ pattern: String, _ text: String) -> Bool {
        let entry = cache.withLock { c -> Entry in
            if let hit = c[pattern] { return hit }
            let made = Entry(try? NSRegularExpression(pattern: pattern))
            if c.count > 1000 { c.removeAll() }
            c[pattern] = made
            return made
        }
        guard let regex = entry.regex else { return false }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return regex.firstMatch(in: text, range: range) != nil
    }
}
