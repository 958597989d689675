// Fuzz target `payloads`: the generated request decoders of every operation.
import NoexProtocol
import NoexWire

/// Input: a JSON request object. It is decoded as the payload of every operation in
/// `Operations.all`, and by its own `type`. Checks: a decoder either succeeds or throws
/// `VALIDATION_ERROR` with a message (`UNKNOWN_OPERATION` for an unknown `type`).
let payloadsTarget = FuzzTarget(
    name: "payloads", summary: "Request(operation:payload:) for every OperationDescriptor"
) { input in
    guard case .object(let payload)? = input.json else { return }
    for operation in Operations.all {
        do throws(ProtocolError) {
            _ = try Request(operation: operation, payload: payload)
        } catch {
            fuzzCheck(error.code == .validationError && !error.message.isEmpty, "\(operation.name): \(error)")
        }
    }
    guard let type = payload["type"]?.stringValue else { return }
    do throws(ProtocolError) {
        _ = try Request(type: type, payload: payload)
    } catch {
        fuzzCheck(error.code == .validationError || error.code == .unknownOperation, "\(type): \(error)")
    }
}
