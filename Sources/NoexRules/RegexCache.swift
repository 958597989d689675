import Foundation
import Synchronization

/// Compiled regular expressions by pattern text; invalid patterns are remembered as such.
///
/// JavaScript's `RegExp(pattern).test(text)`: unanchored search, no flags. ICU syntax (used by
/// `NSRegularExpression`) agrees with JavaScript's for the patterns rules use.
///
/// ## Bounded cost (issue 14)
/// ICU is a backtracking engine: `(a+)+$` against thirty `a` and a `b` takes seconds, and a
/// rule condition runs on every matching emit, on the caller's thread. Rejecting "catastrophic"
/// constructs at validation cannot be complete (`a*a*a*a*b` is polynomial, not nested, and the
/// pattern may come from a reference at run time), and a safe engine would change what patterns
/// mean. So every search runs against a clock instead: `enumerateMatches` with
/// `.reportProgress` has ICU call back periodically during a long match, and the callback
/// stops the search once ``RuleEngineLimits/regexTimeLimitMs`` has passed. An abandoned
/// search counts as no match and is reported to the caller (the engine logs it). Pattern
/// length is bounded separately (``RuleEngineLimits/maxRegexLength``), at validation and here.
final class RegexCache: Sendable {
    static let shared = RegexCache()

    /// The result of one ``test(_:_:maxPatternLength:timeLimitMs:)``.
    enum Outcome: Equatable {
        case match
        case noMatch
        /// Not a valid ICU pattern: counts as no match (as before).
        case invalidPattern
        /// Longer than the allowed pattern length: not compiled, counts as no match.
        case patternTooLong
        /// The search ran out of time and was abandoned: counts as no match.
        case timedOut
    }

    // Mutex-guarded dictionary; NSRegularExpression instances are immutable and thread-safe.
    private let cache = Mutex<[String: Entry]>([:])

    private final class Entry: @unchecked Sendable {
        // Safe: NSRegularExpression is immutable after creation and documented thread-safe.
        let regex: NSRegularExpression?
        init(_ regex: NSRegularExpression?) { self.regex = regex }
    }

    /// Whether `pattern` matches somewhere in `text`, within the given bounds.
    /// - Parameters:
    ///   - maxPatternLength: longest pattern compiled, in UTF-8 bytes.
    ///   - timeLimitMs: how long the search may run before it is abandoned.
    func test(_ pattern: String, _ text: String, maxPatternLength: Int = .max, timeLimitMs: Int = .max) -> Outcome {
        guard pattern.utf8.count <= maxPatternLength else { return .patternTooLong }
        let entry = cache.withLock { c -> Entry in
            if let hit = c[pattern] { return hit }
            let made = Entry(try? NSRegularExpression(pattern: pattern))
            if c.count > 1000 { c.removeAll() }
            c[pattern] = made
            return made
        }
        guard let regex = entry.regex else { return .invalidPattern }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        let start = DispatchTime.now().uptimeNanoseconds
        let (limit, overflow) = UInt64(clamping: timeLimitMs).multipliedReportingOverflow(by: 1_000_000)
        let deadline = overflow ? UInt64.max : start &+ min(limit, UInt64.max &- start)
        var outcome = Outcome.noMatch
        // The block runs synchronously on this thread, for a match or (with .reportProgress)
        // periodically while ICU works.
        regex.enumerateMatches(in: text, options: [.reportProgress], range: range) { match, _, stop in
            if match != nil {
                outcome = .match
                stop.pointee = true
            } else if DispatchTime.now().uptimeNanoseconds >= deadline {
                outcome = .timedOut
                stop.pointee = true
            }
        }
        return outcome
    }
}
