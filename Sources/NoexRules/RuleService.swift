public import NoexWire

/// A Swift service that rules reach through `call_service` actions and `lookups`.
///
/// Register one with ``RuleEngine/registerService(_:_:)``. Methods run synchronously on the
/// thread processing the rule, with no engine lock held, so they may call back into the engine.
public protocol RuleService: Sendable {
    /// Whether the service has a method called `method`.
    func hasMethod(_ method: String) -> Bool
    /// Calls `method` with the resolved arguments.
    /// - Returns: the method's result (used by lookups; ignored by `call_service`).
    /// - Throws: any error; the action (or lookup) then fails with the error's description.
    func call(_ method: String, arguments: [JSONValue]) throws -> JSONValue
}

/// A ``RuleService`` built from a table of closures.
public struct ClosureRuleService: RuleService {
    /// One method: resolved arguments in, a JSON result out.
    public typealias Method = @Sendable ([JSONValue]) throws -> JSONValue

    private let methods: [String: Method]

    /// Creates a service whose methods are the given closures.
    public init(_ methods: [String: Method]) { self.methods = methods }

    /// Whether `method` is in the table.
    public func hasMethod(_ method: String) -> Bool { methods[method] != nil }

    /// Runs the closure for `method`.
    /// - Throws: ``RuleServiceError/methodNotFound`` for an unknown method, or the closure's error.
    public func call(_ method: String, arguments: [JSONValue]) throws -> JSONValue {
        guard let body = methods[method] else { throw RuleServiceError.methodNotFound(method) }
        return try body(arguments)
    }
}

/// Errors a ``ClosureRuleService`` raises itself.
public enum RuleServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The method is not in the table.
    case methodNotFound(String)
    /// A method reports a failure with a message.
    case failed(String)

    /// `Method not found: <m>` or the failure message.
    public var description: String {
        switch self {
        case .methodNotFound(let m): "Method not found: \(m)"
        case .failed(let m): m
        }
    }
}
