// Fuzz target `procedures`: procedure definitions registered and called through the server.
import NoexWire

/// How many procedures were registered, for unique names.
nonisolated(unsafe) private var procedureCount = 0

/// Input: a JSON procedure definition (first line) and an optional call input object (second
/// line). The definition is registered under a fresh name with `procedures.register`
/// (validation: `ProcedureDefinition` parsing and its limits), then called and removed.
/// Checks: as for `server`, and the registration is answered with a result or an error.
let proceduresTarget = FuzzTarget(
    name: "procedures", summary: "ProcedureDefinition validation + ProcedureEngine via procedures.register/call"
) { input in
    let lines = input.lines(limit: 2)
    guard case .object(var definition)? = try? JSONParser.parse(lines[0]) else { return }
    procedureCount += 1
    let name = "p\(procedureCount)"
    definition["name"] = .string(name)
    var call: JSONObject = ["id": 2, "type": "procedures.call", "name": .string(name)]
    if lines.count > 1, let callInput = try? JSONParser.parse(lines[1]) { call["input"] = callInput }
    let messages = [
        JSONSerializer.string(["id": 1, "type": "procedures.register", "procedure": .object(definition)]),
        JSONSerializer.string(.object(call)),
        JSONSerializer.string(["id": 3, "type": "procedures.unregister", "name": .string(name)]),
    ]
    let replies = fuzzServer.exchange(messages)
    let registration = replies.compactMap { try? JSONParser.parse($0) }.first { $0["id"] == 1 }
    fuzzCheck(registration != nil, "procedures.register was not answered: \(replies)")
}
