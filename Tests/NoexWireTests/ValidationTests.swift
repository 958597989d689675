import NoexWire
import Testing

/// The field readers produce the reference's exact messages (spec-server.md §2,
/// spec-identity.md §4.11, §5.4) and follow JavaScript's absent-versus-null distinction.
@Suite("Validation field readers")
struct ValidationTests {
    func failure(_ body: () throws(ProtocolError) -> Void) -> ProtocolError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("required fields reject absent, null and mistyped values with the standard messages")
    func requiredMessages() {
        let payload: JSONObject = ["empty": "", "number": 1.5, "array": [], "zero": 0, "null": nil]
        let cases: [(() throws(ProtocolError) -> Void, String)] = [
            ({ () throws(ProtocolError) in _ = try payload.requiredField("bucket", .nonEmptyString) },
             #"Missing or invalid "bucket": expected non-empty string"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredField("empty", .nonEmptyString) },
             #"Missing or invalid "empty": expected non-empty string"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredField("array", .object) },
             #"Missing or invalid "array": expected object"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredField("null", .object) },
             #"Missing or invalid "null": expected object"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredField("zero", .positiveInteger) },
             #"Missing or invalid "zero": expected positive integer"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredField("number", .positiveInteger) },
             #"Missing or invalid "number": expected positive integer"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredNonNullValue("null") },
             #"Missing "null": expected non-null value"#),
            ({ () throws(ProtocolError) in _ = try payload.requiredValue("value") }, #"Missing "value": expected a value"#),
        ]
        for (body, message) in cases {
            let error = failure(body)
            #expect(error == ProtocolError.validation(message))
            #expect(error?.code.rawValue == "VALIDATION_ERROR")
        }
    }

    @Test("required fields accept values of their kind")
    func requiredAccepts() throws {
        let payload: JSONObject = ["s": "x", "o": ["a": 1], "n": 3, "big": 1e30, "v": nil, "k": false]
        #expect(try payload.requiredField("s", .nonEmptyString) == "x")
        #expect(try payload.requiredField("o", .object) == ["a": 1])
        #expect(try payload.requiredField("n", .positiveInteger) == 3)
        #expect(try payload.requiredField("big", .positiveInteger) == Int.max)
        #expect(try payload.requiredValue("v") == .null)
        #expect(try payload.requiredNonNullValue("k") == false)
    }

    @Test("optional fields: absent and null read as nil, mistyped values are rejected")
    func optionalFields() throws {
        let payload: JSONObject = ["filter": nil, "bad": "x", "limit": -1]
        #expect(try payload.optionalField("filter", .object) == nil)
        #expect(try payload.optionalField("missing", .object) == nil)
        #expect(failure { () throws(ProtocolError) in _ = try payload.optionalField("bad", .object) }
            == .validation(#"Invalid "bad": expected object"#))
        #expect(failure { () throws(ProtocolError) in _ = try payload.optionalField("limit", .positiveInteger, null: .invalid) }
            == .validation(#"Invalid "limit": expected positive integer"#))
        #expect(failure { () throws(ProtocolError) in _ = try payload.optionalField("filter", .string, null: .invalid) }
            == .validation(#"Invalid "filter": expected string"#))
    }

    @Test("enum kinds word their expectation like the reference")
    func enumExpectation() {
        let payload: JSONObject = ["result": "maybe"]
        #expect(failure { () throws(ProtocolError) in _ = try payload.optionalField("result", .oneOf(["success", "error"])) }
            == .validation(#"Invalid "result": expected "success" or "error""#))
        #expect(FieldKind<String>.oneOf(["a", "b", "c"]).expectation == #"one of: "a", "b", "c""#)
    }

    @Test("lenient and nullable readers")
    func lenientAndNullable() throws {
        let payload: JSONObject = ["name": 5, "email": nil, "meta": ["x": 1], "page": "2"]
        #expect(payload.lenientField("page", .number) == nil)
        #expect(payload.lenientField("name", .string) == nil)
        #expect(try payload.nullableField("name", .string, mistypedAsNull: true) == .null)
        #expect(try payload.nullableField("email", .string, mistypedAsNull: true) == .null)
        #expect(try payload.nullableField("meta", .object, mistypedAsNull: true) == .value(["x": 1]))
        #expect(try payload.nullableField("absent", .string, mistypedAsNull: true) == nil)
        #expect(failure { () throws(ProtocolError) in _ = try payload.nullableField("name", .string, mistypedAsNull: false) }
            == .validation(#"Invalid "name": expected string"#))
    }

    @Test("optional values keep or drop null on request")
    func optionalValues() {
        let payload: JSONObject = ["after": nil]
        #expect(payload.optionalValue("after", keepNull: true) == .null)
        #expect(payload.optionalValue("after", keepNull: false) == nil)
        #expect(payload.optionalValue("absent", keepNull: true) == nil)
    }

    @Test("positive integers follow Number.isInteger(v) && v >= 1")
    func positiveIntegers() {
        let kind = FieldKind<Int>.positiveInteger
        #expect(kind.value(of: 1) == 1)
        #expect(kind.value(of: 2.0) == 2)
        #expect(kind.value(of: 0) == nil)
        #expect(kind.value(of: 0.5) == nil)
        #expect(kind.value(of: -3) == nil)
        #expect(kind.value(of: "3") == nil)
        #expect(kind.value(of: .number(.infinity)) == nil)
    }
}
