public import NoexWire

/// Renders the server → client messages of spec-server §1.6.
public enum OutboundMessage {
    /// `{"id":…,"type":"result","data":…}`; `data` is omitted when `nil` (an undefined result).
    public static func result(id: Double, data: JSONValue?) -> [UInt8] {
        // Written directly, without a wrapper object: this is the hottest message.
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.member("id", id)
        writer.member("type", "result")
        if let data { writer.member("data", data) }
        writer.endObject()
        return writer.bytes
    }

    /// `{"id":…,"type":"result","data":…}` as ``result(id:data:)`` writes it, or `nil` as soon as
    /// `data`'s JSON text exceeds `maxDataBytes`.
    ///
    /// Arrays (and the objects around them) are written element by element with a size check
    /// after each, so an oversized answer costs at most `maxDataBytes` plus one element of
    /// work and memory, not the whole text.
    public static func result(id: Double, data: JSONValue?, maxDataBytes: Int) -> [UInt8]? {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.member("id", id)
        writer.member("type", "result")
        if let data {
            writer.key("data")
            let limit = writer.bytes.count.addingReportingOverflow(maxDataBytes)
            let total = limit.overflow ? Int.max : limit.partialValue
            guard writeBounded(data, into: &writer, depth: 0, maxTotal: total) else { return nil }
        }
        writer.endObject()
        return writer.bytes
    }

    /// Writes `value`, descending into the outer containers; false once past `maxTotal` bytes.
    private static func writeBounded(_ value: JSONValue, into writer: inout JSONWriter, depth: Int, maxTotal: Int) -> Bool {
        switch value {
        // Results nest records at most four levels down (a transaction's
        // `results[i].data[j]`); deeper values are written whole.
        case .array(let items) where depth < 5:
            writer.beginArray()
            for item in items {
                guard writeBounded(item, into: &writer, depth: depth + 1, maxTotal: maxTotal) else { return false }
            }
            writer.endArray()
        case .object(let object) where depth < 3:
            writer.beginObject()
            for member in object.members {
                writer.key(member.key)
                guard writeBounded(member.value, into: &writer, depth: depth + 1, maxTotal: maxTotal) else { return false }
            }
            writer.endObject()
        default:
            writer.value(value)
        }
        return writer.bytes.count <= maxTotal
    }

    /// `{"id":…,"type":"error","code":…,"message":…,"details":…}`.
    /// - Parameters:
    ///   - id: the request id, or 0 for envelope failures.
    ///   - error: the error to render.
    ///   - exposeDetails: when false, `details` is never written.
    public static func error(id: Double, _ error: ProtocolError, exposeDetails: Bool) -> [UInt8] {
        var object = JSONObject(minimumCapacity: 5)
        object.appendUnchecked(key: "id", value: .number(id))
        object.appendUnchecked(key: "type", value: "error")
        object.appendUnchecked(key: "code", value: .string(error.code.rawValue))
        object.appendUnchecked(key: "message", value: .string(error.message))
        if exposeDetails, let details = error.details { object.appendUnchecked(key: "details", value: details) }
        return JSONSerializer.serialize(.object(object))
    }

    /// `{"id":…,"type":"result","data":…}` with `data` already serialised.
    public static func result(id: Double, encodedData data: [UInt8]) -> [UInt8] {
        writeResult(id: id, encodedData: data) { count, write in
            [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                write(UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
        }
    }

    /// Writes `{"id":…,"type":"result","data":…}` with `data` already serialised, without
    /// assembling it first: `emit` gets the message's length and a function that writes exactly
    /// that many bytes into the buffer it is given (e.g. a connection's outbound buffer).
    public static func writeResult<R>(
        id: Double, encodedData data: [UInt8],
        _ emit: (_ count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) -> R
    ) -> R {
        withResultHead(id: id) { head in
            emit(head.count + data.count + 1) { out in
                out.copyMemory(from: head)
                data.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[head.count...]).copyMemory(from: $0) }
                out[out.count - 1] = UInt8(ascii: "}")
            }
        }
    }

    /// Calls `body` with the bytes of a result message before its data,
    /// `{"id":…,"type":"result","data":`, in a stack buffer valid during the call.
    private static func withResultHead<R>(id: Double, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let open: StaticString = #"{"id":"#
        let middle: StaticString = #","type":"result","data":"#
        let capacity = open.utf8CodeUnitCount + JSONSerializer.maximumNumberLength + middle.utf8CodeUnitCount
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            // Fixed keys as literal bytes: only the id varies.
            let out = buffer.baseAddress!
            var o = 0
            out.update(from: open.utf8Start, count: open.utf8CodeUnitCount)
            o += open.utf8CodeUnitCount
            o += JSONSerializer.write(number: id, to: out + o)
            (out + o).update(from: middle.utf8Start, count: middle.utf8CodeUnitCount)
            o += middle.utf8CodeUnitCount
            return body(UnsafeRawBufferPointer(start: out, count: o))
        }
    }

    /// `{"type":"push","channel":…,"subscriptionId":…,"data":…}`.
    public static func push(channel: String, subscriptionId: String, data: JSONValue?) -> [UInt8] {
        push(channel: channel, subscriptionId: subscriptionId, capacity: 128) { writer in
            if let data { writer.member("data", data) }
        }
    }

    /// `{"type":"push","channel":…,"subscriptionId":…,"data":…}` with `data` already serialised
    /// (omitted when `nil`).
    public static func push(channel: String, subscriptionId: String, encodedData data: [UInt8]?) -> [UInt8] {
        push(channel: channel, subscriptionId: subscriptionId, capacity: 64 + (data?.count ?? 0)) { writer in
            if let data {
                writer.key("data")
                writer.raw(data)
            }
        }
    }

    /// A push message whose `data` member (if any) `writeData` adds.
    private static func push(
        channel: String, subscriptionId: String, capacity: Int, writeData: (inout JSONWriter) -> Void
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: capacity)
        writer.beginObject()
        writer.member("type", "push")
        writer.member("channel", channel)
        writer.member("subscriptionId", subscriptionId)
        writeData(&writer)
        writer.endObject()
        return writer.bytes
    }

    /// `{"type":"welcome","version":"1.0.0","serverTime":…,"requiresAuth":…}`.
    public static func welcome(version: String, serverTime: Int64, requiresAuth: Bool) -> [UInt8] {
        // Written directly (sent on every connect): no dictionary, no value tree.
        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.member("type", "welcome")
        writer.member("version", version)
        writer.key("serverTime")
        writer.number(Int(serverTime))
        writer.key("requiresAuth")
        writer.bool(requiresAuth)
        writer.endObject()
        return writer.bytes
    }

    /// `{"type":"ping","timestamp":…}`.
    public static func ping(timestamp: Int64) -> [UInt8] {
        JSONSerializer.serialize(["type": "ping", "timestamp": .number(Double(timestamp))])
    }

    /// `{"type":"system","event":…, ...extra}`.
    public static func system(event: String, extra: JSONObject = [:]) -> [UInt8] {
        var object = JSONObject(minimumCapacity: 2 + extra.count)
        object.appendUnchecked(key: "type", value: "system")
        object.appendUnchecked(key: "event", value: .string(event))
        for (key, value) in extra { object[key] = value }
        return JSONSerializer.serialize(.object(object))
    }
}
