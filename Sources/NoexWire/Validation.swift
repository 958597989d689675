/// The standard `VALIDATION_ERROR` messages of the noex protocol, as the reference words them.
///
/// Generated payload decoders call the `JSONObject` field readers in
/// `Validation+JSONObject.swift`, which build their messages here. Three shapes exist:
/// - `Missing or invalid "<field>": expected <expectation>` for a required field that is
///   absent, `null` or of the wrong kind;
/// - `Invalid "<field>": expected <expectation>` for an optional field of the wrong kind;
/// - `Missing "<field>": expected <expectation>` for a required value of any kind.
public enum ValidationMessage {
    /// `Missing or invalid "<field>": expected <expectation>`.
    /// - Parameters:
    ///   - field: the payload field name.
    ///   - expectation: what was expected, e.g. `non-empty string`.
    /// - Returns: the message.
    @inlinable public static func missingOrInvalid(_ field: String, expected expectation: String) -> String {
        "Missing or invalid \"\(field)\": expected \(expectation)"
    }

    /// `Invalid "<field>": expected <expectation>`.
    /// - Parameters:
    ///   - field: the payload field name.
    ///   - expectation: what was expected, e.g. `object`.
    /// - Returns: the message.
    @inlinable public static func invalid(_ field: String, expected expectation: String) -> String {
        "Invalid \"\(field)\": expected \(expectation)"
    }

    /// `Missing "<field>": expected <expectation>`.
    /// - Parameters:
    ///   - field: the payload field name.
    ///   - expectation: what was expected, e.g. `non-null value`.
    /// - Returns: the message.
    @inlinable public static func missing(_ field: String, expected expectation: String) -> String {
        "Missing \"\(field)\": expected \(expectation)"
    }
}

extension ProtocolError {
    /// The wire code of payload validation failures.
    ///
    /// Spelled out here because `NoexWire` sits below the generated catalogue; the generated
    /// conformance tests check that it equals `ErrorCode.validationError`.
    public static let validationCode = ErrorCode(rawValue: "VALIDATION_ERROR")

    /// A `VALIDATION_ERROR` with the given message.
    /// - Parameters:
    ///   - message: the client-facing message.
    ///   - details: optional structured details.
    /// - Returns: the error.
    @inlinable public static func validation(_ message: String, details: JSONValue? = nil) -> ProtocolError {
        ProtocolError(validationCode, message, details: details)
    }
}
