import NoexWire
import Testing

/// SplitMix64: a tiny deterministic generator so failures reproduce from the seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON values covering the awkward corners: every double bit pattern, control
/// characters, quotes, astral scalars, duplicate-prone short keys, empty containers.
struct RandomJSON {
    var rng: SeededGenerator

    mutating func number() -> Double {
        switch rng.next() % 6 {
        case 0: return Double(Int.random(in: -1000...1000, using: &rng))
        case 1: return Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &rng))
        case 2: return Double(Int.random(in: -99999...99999, using: &rng)) / 100
        case 3: return Double.random(in: -1e6...1e6, using: &rng)
        default:
            // Any finite bit pattern: subnormals, huge exponents, every digit count.
            while true {
                let value = Double(bitPattern: rng.next())
                if value.isFinite { return value }
            }
        }
    }

    mutating func scalar() -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x7F...0x7FF,
            0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF,
        ]
        let range = ranges[Int(rng.next() % UInt64(ranges.count))]
        return Unicode.Scalar(UInt32.random(in: range, using: &rng)) ?? "?"
    }

    mutating func string(maxLength: Int) -> String {
        var result = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &rng) { result.append(scalar()) }
        return String(result)
    }

    mutating func value(depth: Int) -> JSONValue {
        let kinds: UInt64 = depth > 0 ? 6 : 4
        switch rng.next() % kinds {
        case 0: return rng.next() % 3 == 0 ? .null : .bool(rng.next() % 2 == 0)
        case 1, 2: return .number(number())
        case 3: return .string(string(maxLength: 12))
        case 4: return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth - 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let key = rng.next() % 2 == 0 ? string(maxLength: 2) : string(maxLength: 10)
                object[key] = value(depth: depth - 1)
            }
            return .object(object)
        }
    }
}

@Suite struct JSONRoundTripTests {
    @Test func randomValuesRoundTrip() throws {
        var random = RandomJSON(rng: SeededGenerator(seed: 0x6E6F_6578))
        for _ in 0..<3000 {
            let value = random.value(depth: 4)
            let bytes = JSONSerializer.serialize(value)
            let parsed = try JSONParser.parse(bytes)
            #expect(parsed == value, "\(JSONSerializer.string(value))")
            #expect(JSONSerializer.serialize(parsed) == bytes)
        }
    }

    @Test func everyFiniteDoubleRoundTripsThroughText() throws {
        var rng = SeededGenerator(seed: 42)
        var checked = 0
        while checked < 20_000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            checked += 1
            let parsed = try JSONParser.parse(JSONSerializer.serialize(.number(value)))
            #expect(parsed.numberValue == value, "\(value)")
        }
    }

    /// The significant digits of a number's text: no sign, point, exponent or padding zeros.
    static func significantDigits(_ text: String) -> String {
        let mantissa = text.split(separator: "e", maxSplits: 1)[0]
        let digits = mantissa.filter { $0.isNumber }
        return String(digits.drop { $0 == "0" }.reversed().drop { $0 == "0" }.reversed())
    }

    /// JS and Swift's `description` both print the shortest round-tripping digits (the
    /// closest when several qualify), so the digit strings must agree exactly, whatever
    /// path the serializer took (few-decimals fast path or the general one).
    @Test func numberDigitsAreShortestAndClosest() throws {
        var rng = SeededGenerator(seed: 2024)
        for round in 0..<40_000 {
            let value: Double
            switch round % 4 {
            case 0: value = Double(Int64.random(in: -99_999_999...99_999_999, using: &rng)) / 100
            case 1: value = Double(Int64.random(in: 1...999_999, using: &rng)) / [1e3, 1e5, 1e7, 1e9][Int(rng.next() % 4)]
            case 2: value = Double.random(in: -1000...1000, using: &rng)
            default:
                let bits = Double(bitPattern: rng.next())
                value = bits.isFinite ? bits : 0.5
            }
            let text = JSONSerializer.string(.number(value))
            #expect(Self.significantDigits(text) == Self.significantDigits(value.description), "\(value)")
            #expect(try JSONParser.parse(text).numberValue == value, "\(value)")
        }
    }

    /// The parser's UTF-8 check agrees with the standard library's validation on random
    /// byte strings built mostly from multi-byte leads and continuation bytes.
    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var rng = SeededGenerator(seed: 99)
        let interesting: [UInt8] = [
            0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
            0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var accepted = 0
        for _ in 0..<20_000 {
            let content = (0..<Int(rng.next() % 9)).map { _ in interesting[Int(rng.next() % UInt64(interesting.count))] }
            let expected = String(validating: content, as: UTF8.self)
            let parsed = try? JSONParser.parse([0x22] + content + [0x22])
            #expect(parsed?.stringValue == expected, "\(content)")
            if expected != nil { accepted += 1 }
        }
        #expect(accepted > 1000)
    }

    /// Mutated documents must either parse (and then re-serialize to a fixed point: infinities
    /// from huge exponents print as `null`, as in JS) or throw; never crash or hang.
    @Test func mutatedDocumentsNeverCrash() throws {
        var random = RandomJSON(rng: SeededGenerator(seed: 7))
        let alphabet = Array(#"{}[]:,"\u0123456789-+.eEtruefalsn "#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xFF]
        var parsedCount = 0
        for _ in 0..<3000 {
            var bytes = JSONSerializer.serialize(random.value(depth: 3))
            for _ in 0...Int(random.rng.next() % 3) {
                let position = Int(random.rng.next() % UInt64(bytes.count + 1))
                switch random.rng.next() % 3 {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count:
                    bytes[position] = alphabet[Int(random.rng.next() % UInt64(alphabet.count))]
                default: bytes.insert(alphabet[Int(random.rng.next() % UInt64(alphabet.count))], at: position)
                }
            }
            do {
                let text = JSONSerializer.serialize(try JSONParser.parse(bytes))
                parsedCount += 1
                #expect(JSONSerializer.serialize(try JSONParser.parse(text)) == text)
            } catch {
                // Rejection is a fine outcome; the point is reaching here without a crash.
            }
        }
        #expect(parsedCount > 0)
    }
}
