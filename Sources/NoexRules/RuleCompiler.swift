import NoexWire

/// Builds a ``CompiledRule`` from a definition that passed ``RuleValidator``.
///
/// Validation guarantees the shapes; the builder is still total (falls back to harmless
/// defaults) so that no input can crash it.
enum RuleCompiler {
    static func compile(_ definition: JSONObject) -> CompiledRule {
        let id = definition["id"]?.stringValue ?? ""
        let trigger = definition["trigger"]?.objectValue ?? [:]
        let triggerSpec: TriggerSpec
        switch trigger["type"]?.stringValue {
        case "fact": triggerSpec = .fact(pattern: trigger["pattern"]?.stringValue ?? "")
        case "timer": triggerSpec = .timer(name: trigger["name"]?.stringValue ?? "")
        case "temporal":
            if let pattern = trigger["pattern"]?.objectValue, let spec = TemporalSpec(pattern) {
                triggerSpec = .temporal(spec)
            } else {
                triggerSpec = .event(topic: "")  // unreachable after validation; matches nothing
            }
        default: triggerSpec = .event(topic: trigger["topic"]?.stringValue ?? "")
        }
        return CompiledRule(
            id: id, priority: definition["priority"]?.numberValue ?? 0, trigger: triggerSpec,
            conditions: conditions(definition["conditions"]),
            actions: actions(definition["actions"]),
            lookups: (definition["lookups"]?.arrayValue ?? []).compactMap(lookup))
    }

    static func conditions(_ value: JSONValue?) -> [ConditionSpec] {
        (value?.arrayValue ?? []).compactMap { item in
            guard let object = item.objectValue, let source = object["source"]?.objectValue,
                let op = object["operator"]?.stringValue.flatMap(ConditionOperator.init(rawValue:))
            else { return nil }
            let spec: ConditionSource
            switch source["type"]?.stringValue {
            case "fact": spec = .fact(pattern: source["pattern"]?.stringValue ?? "")
            case "context": spec = .context(key: source["key"]?.stringValue ?? "")
            case "lookup": spec = .lookup(name: source["name"]?.stringValue ?? "", field: source["field"]?.stringValue)
            default:
                let field = source["field"]?.stringValue ?? ""
                spec = .event(path: field.isEmpty ? [] : field.split(separator: ".", omittingEmptySubsequences: false))
            }
            return ConditionSpec(source: spec, op: op, value: object["value"])
        }
    }

    static func actions(_ value: JSONValue?) -> [ActionSpec] {
        (value?.arrayValue ?? []).compactMap { item in item.objectValue.flatMap(action) }
    }

    static func action(_ a: JSONObject) -> ActionSpec? {
        switch a["type"]?.stringValue {
        case "set_fact": return .setFact(key: a["key"]?.stringValue ?? "", value: a["value"] ?? .null)
        case "delete_fact": return .deleteFact(key: a["key"]?.stringValue ?? "")
        case "emit_event":
            return .emitEvent(topic: a["topic"]?.stringValue ?? "", data: a["data"]?.objectValue ?? [:])
        case "set_timer":
            let timer = a["timer"]?.objectValue ?? [:]
            let onExpire = timer["onExpire"]?.objectValue ?? [:]
            let repeatSpec = timer["repeat"]?.objectValue
            return .setTimer(
                TimerSpec(
                    name: timer["name"]?.stringValue ?? "", duration: timer["duration"] ?? .null,
                    onExpireTopic: onExpire["topic"]?.stringValue ?? "",
                    onExpireData: onExpire["data"]?.objectValue ?? [:],
                    repeatInterval: repeatSpec?["interval"],
                    repeatMaxCount: repeatSpec?["maxCount"]?.integerValue))
        case "cancel_timer": return .cancelTimer(name: a["name"]?.stringValue ?? "")
        case "call_service":
            return .callService(
                service: a["service"]?.stringValue ?? "", method: a["method"]?.stringValue ?? "",
                args: a["args"]?.arrayValue ?? [])
        case "log":
            return .log(
                level: a["level"]?.stringValue.flatMap(RuleLogLevel.init(rawValue:)) ?? .info,
                message: a["message"]?.stringValue ?? "")
        case "conditional":
            return .conditional(
                conditions: conditions(a["conditions"]), then: actions(a["then"]), otherwise: actions(a["else"]))
        case "for_each":
            return .forEach(
                collection: a["collection"] ?? .array([]), variable: a["as"]?.stringValue ?? "item",
                actions: actions(a["actions"]), maxIterations: a["maxIterations"]?.integerValue ?? 1000)
        case "try_catch":
            let handler = a["catch"]?.objectValue
            return .tryCatch(
                body: actions(a["try"]), catchAs: handler?["as"]?.stringValue,
                handler: handler.map { actions($0["actions"]) }, finally: actions(a["finally"]))
        default: return nil
        }
    }

    static func lookup(_ item: JSONValue) -> LookupSpec? {
        guard let o = item.objectValue, let name = o["name"]?.stringValue,
            let service = o["service"]?.stringValue, let method = o["method"]?.stringValue
        else { return nil }
        return LookupSpec(
            name: name, service: service, method: method, args: o["args"]?.arrayValue ?? [],
            skipOnError: o["onError"]?.stringValue == "skip",
            cacheTTL: o["cache"]?["ttl"].flatMap(RuleDuration.milliseconds))
    }
}
