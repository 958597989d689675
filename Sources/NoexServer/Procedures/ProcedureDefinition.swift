import NoexWire

/// A registered procedure (spec-identity §6.2): the definition exactly as the client sent it,
/// plus the parsed form the executor runs.
struct ProcedureDefinition: Sendable, Hashable {
    /// The unique name.
    var name: String
    /// The optional description shown by `procedures.list`.
    var description: String?
    /// The input schema in declaration order; `nil` accepts any input.
    var input: [ProcedureInputField]?
    /// The top-level steps.
    var steps: [ProcedureStep]
    /// Whether the procedure's writes commit together or not at all (F14).
    var transaction: Bool
    /// The call time limit, when the definition sets one.
    var timeoutMs: Double?
    /// The definition as registered, unknown members included (`procedures.get` answers it).
    var json: JSONObject

    /// Every bucket the steps address, branches included, in step order.
    var buckets: [String] { steps.flatMap(\.buckets) }
}

/// One declared input field.
struct ProcedureInputField: Sendable, Hashable {
    /// The input key.
    var name: String
    /// The expected kind.
    var type: ProcedureInputType
    /// False only when the definition says `required: false`.
    var required: Bool
    /// The value used when the input is missing or null (`nil` when the definition has no `default`).
    var defaultValue: JSONValue?
}

/// The `type` of an input field.
enum ProcedureInputType: String, Sendable, Hashable, CaseIterable {
    case string, number, boolean, object, array

    /// Whether `value` (neither missing nor null) has this kind.
    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string), (.number, .number), (.boolean, .bool), (.object, .object), (.array, .array): true
        default: false
        }
    }
}
