@testable import NoexRules
import Testing

/// The bounded regular-expression search behind `matches` (issue 14, item 6).
@Suite struct RegexCacheTests {
    @Test func ordinarySearchesAreUnchanged() {
        let cache = RegexCache()
        #expect(cache.test("b+", "abbc", maxPatternLength: 8, timeLimitMs: 1_000) == .match)
        #expect(cache.test("^b", "abbc", maxPatternLength: 8, timeLimitMs: 1_000) == .noMatch)
        #expect(cache.test("(", "abbc", maxPatternLength: 8, timeLimitMs: 1_000) == .invalidPattern)
    }

    @Test func thePatternLengthAtAndPastItsBound() {
        let cache = RegexCache()
        #expect(cache.test("abcd", "xabcd", maxPatternLength: 4) == .match)
        #expect(cache.test("abcde", "xabcde", maxPatternLength: 4) == .patternTooLong)
    }

    @Test func aCatastrophicSearchIsAbandoned() {
        let cache = RegexCache()
        let text = String(repeating: "a", count: 40) + "b"
        #expect(cache.test("^(a+)+$", text, timeLimitMs: 5) == .timedOut)
        // A match found before the limit is a match.
        #expect(cache.test("^(a+)+b$", text, timeLimitMs: 5) == .match)
    }
}
