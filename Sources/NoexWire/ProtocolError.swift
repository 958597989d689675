/// The code of a protocol error, as it appears in the `code` field of an error message.
///
/// A struct rather than an enum so the catalogue can grow without breaking callers: the
/// generated `NoexProtocol` module declares every code of `protocol.yaml` as a static
/// member, and a code received from a newer peer still round-trips.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as written on the wire, e.g. `"VALIDATION_ERROR"`.
    public let rawValue: String

    /// Wraps a wire code.
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a wire code.
    @inlinable public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
}

/// An error answered to a request: a code, a human-readable message and optional details.
///
/// This is the one error type the request pipeline renders onto the wire; every other
/// error is mapped to it first.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The machine-readable code.
    public var code: ErrorCode
    /// The message shown to the client.
    public var message: String
    /// Structured details (validation issues, `retryAfterMs`, ...), omitted on the wire when `nil`.
    public var details: JSONValue?

    /// Creates a protocol error.
    /// - Parameters:
    ///   - code: the wire code.
    ///   - message: the client-facing message.
    ///   - details: optional structured details.
    @inlinable public init(_ code: ErrorCode, _ message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
