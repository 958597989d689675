import NoexYAML

extension SpecBuilder {
    static let topLevelKeys = [
        "protocol", "namespaces", "commonErrors", "messages", "errors", "validators", "shapes", "channels",
        "systemEvents", "closeCodes", "operations",
    ]

    mutating func buildSpec(_ root: YAMLNode) -> ProtocolSpec? {
        guard let top = mapping(root, "the document") else { return nil }
        let entries = entries(top, "the document", allowed: Self.topLevelKeys)
        for required in Self.topLevelKeys where value(entries, required) == nil {
            error(top.line, "the document is missing the top-level key \"\(required)\"")
        }
        guard let header = value(entries, "protocol").flatMap({ mapping($0, "\"protocol\"") }) else { return nil }
        let headerEntries = self.entries(header, "\"protocol\"", allowed: ["name", "version", "serverVersion", "description"])
        let name = requiredString(headerEntries, "name", "\"protocol\"", line: header.line) ?? ""
        let version = version(value(headerEntries, "version"), "\"version\"", default: "1.0.0")
        if value(headerEntries, "version") == nil { error(header.line, "\"protocol\" is missing \"version\"") }
        let description = string(value(headerEntries, "description"), "\"description\"") ?? ""
        let serverVersion = self.version(value(headerEntries, "serverVersion"), "\"serverVersion\"", default: "")

        var spec = ProtocolSpec(
            name: name, version: version, description: description, namespaces: [], commonErrors: [],
            messages: [], errors: [], validators: [], shapes: [], channels: [], systemEvents: [], closeCodes: [],
            operations: [])
        spec.serverVersion = serverVersion
        if let node = value(entries, "errors") { spec.errors = buildErrors(node, version: version) }
        if let node = value(entries, "namespaces") { spec.namespaces = buildNamespaces(node) }
        if let node = value(entries, "validators") { spec.validators = buildValidators(node) }
        if let node = value(entries, "shapes") { spec.shapes = buildShapes(node) }
        let knownTypes = Self.jsonTypes.union(spec.shapes.map(\.name))
        if let node = value(entries, "messages") { spec.messages = buildMessages(node, version: version, types: knownTypes) }
        if let node = value(entries, "channels") { spec.channels = buildChannels(node, version: version, types: knownTypes) }
        if let node = value(entries, "systemEvents") {
            spec.systemEvents = buildSystemEvents(node, version: version, types: knownTypes)
        }
        if let node = value(entries, "closeCodes") { spec.closeCodes = buildCloseCodes(node, version: version) }
        let declaredCodes = Set(spec.errors.map(\.code))
        if let node = value(entries, "commonErrors") {
            for (code, line) in stringList(node, "\"commonErrors\"") {
                if declaredCodes.contains(code) { spec.commonErrors.append(code) } else {
                    error(line, "\"commonErrors\" names the undeclared error code \"\(code)\"")
                }
            }
        }
        if let node = value(entries, "operations") {
            spec.operations = buildOperations(node, spec: spec, types: knownTypes)
        }
        checkChannelOperations(spec)
        // Shape members may name other shapes; check them once all shapes are known.
        for shape in spec.shapes {
            for field in shape.fields { checkTypeExpression(field.type, line: field.line, types: knownTypes) }
        }
        checkOutputFiles(spec)
        return spec
    }

    /// A channel's `subscribe` operation must answer `subscriptionId` and its `unsubscribe`
    /// operation must take it: the generated client maps server subscription ids through them.
    mutating func checkChannelOperations(_ spec: ProtocolSpec) {
        var claimed: Set<String> = []
        for channel in spec.channels {
            let context = "channel \"\(channel.name)\""
            if (channel.subscribeOperation == nil) != (channel.unsubscribeOperation == nil) {
                error(channel.line, "\(context) must declare both \"subscribe\" and \"unsubscribe\", or neither")
            }
            for (role, name) in [("subscribe", channel.subscribeOperation), ("unsubscribe", channel.unsubscribeOperation)] {
                guard let name else { continue }
                guard let operation = spec.operations.first(where: { $0.name == name }) else {
                    error(channel.line, "\"\(role)\" of \(context) names the undeclared operation \"\(name)\"")
                    continue
                }
                if !claimed.insert(name).inserted {
                    error(channel.line, "operation \"\(name)\" is linked to more than one channel")
                }
                if role == "subscribe", !operation.result.fields.contains(where: { $0.name == "subscriptionId" && !$0.optional }) {
                    error(operation.line, "operation \"\(name)\" subscribes to \(context) but its result has no required \"subscriptionId\"")
                }
                if role == "unsubscribe", !operation.payload.contains(where: { $0.name == "subscriptionId" && !$0.optional && $0.kind == .string }) {
                    error(operation.line, "operation \"\(name)\" unsubscribes from \(context) but its payload has no required string \"subscriptionId\"")
                }
            }
        }
    }

    /// The plugin declares a fixed list of output files, one payload file per namespace.
    mutating func checkOutputFiles(_ spec: ProtocolSpec) {
        for namespace in spec.namespaces where !ProtocolOutputFiles.namespaces.contains(namespace.name) {
            error(
                namespace.line,
                "namespace \"\(namespace.name)\" has no output file; add it to ProtocolOutputFiles.namespaces "
                    + "in Sources/NoexProtocolGenCore/OutputFiles.swift")
        }
        for name in ProtocolOutputFiles.namespaces where !spec.namespaces.contains(where: { $0.name == name }) {
            error(0, "ProtocolOutputFiles.namespaces lists \"\(name)\", which protocol.yaml does not declare")
        }
    }

    mutating func buildErrors(_ node: YAMLNode, version: String) -> [ErrorSpec] {
        guard let map = mapping(node, "\"errors\"") else { return [] }
        var result: [ErrorSpec] = []
        for (key, value) in entries(map, "\"errors\"", duplicateNoun: "error code") {
            let context = "error code \"\(key.value)\""
            if !key.value.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) || key.value.isEmpty {
                error(key.line, "\(context) must be UPPER_SNAKE_CASE")
            }
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["description", "since"])
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            let since = self.version(self.value(fields, "since"), "\"since\" of \(context)", default: version)
            result.append(ErrorSpec(code: key.value, description: description, since: since, line: key.line))
        }
        return result
    }

    mutating func buildNamespaces(_ node: YAMLNode) -> [NamespaceSpec] {
        guard let map = mapping(node, "\"namespaces\"") else { return [] }
        var result: [NamespaceSpec] = []
        for (key, value) in entries(map, "\"namespaces\"", duplicateNoun: "namespace") {
            let context = "namespace \"\(key.value)\""
            if !SwiftNames.isLowerIdentifier(key.value) {
                error(key.line, "\(context) must be a lowerCamelCase identifier")
            }
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["description"])
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            result.append(NamespaceSpec(name: key.value, description: description, line: key.line))
        }
        return result
    }

    mutating func buildValidators(_ node: YAMLNode) -> [ValidatorSpec] {
        guard let map = mapping(node, "\"validators\"") else { return [] }
        var result: [ValidatorSpec] = []
        for (key, value) in entries(map, "\"validators\"", duplicateNoun: "validator") {
            let context = "validator \"\(key.value)\""
            if !SwiftNames.isUpperIdentifier(key.value) { error(key.line, "\(context) must be an UpperCamelCase Swift type name") }
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["description"])
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            result.append(ValidatorSpec(name: key.value, description: description, line: key.line))
        }
        return result
    }

    mutating func buildShapes(_ node: YAMLNode) -> [ShapeSpec] {
        guard let map = mapping(node, "\"shapes\"") else { return [] }
        var result: [ShapeSpec] = []
        for (key, value) in entries(map, "\"shapes\"", duplicateNoun: "shape") {
            let context = "shape \"\(key.value)\""
            if !SwiftNames.isUpperIdentifier(key.value) { error(key.line, "\(context) must be an UpperCamelCase name") }
            if Self.jsonTypes.contains(key.value) { error(key.line, "\(context) shadows a JSON type") }
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["description", "fields"])
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            // Member types are checked after all shapes are known (shapes may refer to each other).
            let members = self.value(fields, "fields").map { shapeFields($0, context, types: nil) } ?? []
            result.append(ShapeSpec(name: key.value, description: description, fields: members, line: key.line))
        }
        return result
    }

    mutating func buildMessages(_ node: YAMLNode, version: String, types: Set<String>) -> [MessageSpec] {
        guard let map = mapping(node, "\"messages\"") else { return [] }
        var result: [MessageSpec] = []
        for (key, value) in entries(map, "\"messages\"", duplicateNoun: "message") {
            let context = "message \"\(key.value)\""
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["direction", "type", "description", "fields", "since"])
            var direction = MessageSpec.Direction.client
            if let text = requiredString(fields, "direction", context, line: key.line) {
                if let parsed = MessageSpec.Direction(rawValue: text) { direction = parsed } else {
                    error(self.value(fields, "direction")?.line ?? key.line, "\"direction\" of \(context) must be client or server")
                }
            }
            let typeValue = string(self.value(fields, "type"), "\"type\" of \(context)")
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            let members = self.value(fields, "fields").map { shapeFields($0, context, types: types) } ?? []
            let since = self.version(self.value(fields, "since"), "\"since\" of \(context)", default: version)
            result.append(
                MessageSpec(
                    name: key.value, direction: direction, typeValue: typeValue, description: description,
                    fields: members, since: since, line: key.line))
        }
        return result
    }

    mutating func buildChannels(_ node: YAMLNode, version: String, types: Set<String>) -> [ChannelSpec] {
        guard let map = mapping(node, "\"channels\"") else { return [] }
        var result: [ChannelSpec] = []
        for (key, value) in entries(map, "\"channels\"", duplicateNoun: "channel") {
            let context = "channel \"\(key.value)\""
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["description", "data", "subscribe", "unsubscribe", "since"])
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            let subscribe = self.value(fields, "subscribe").flatMap { string($0, "\"subscribe\" of \(context)") }
            let unsubscribe = self.value(fields, "unsubscribe").flatMap { string($0, "\"unsubscribe\" of \(context)") }
            var dataType = "any"
            var dataDescription = ""
            if let dataNode = self.value(fields, "data"), let data = shapeField(name: "data", dataNode, context, types: types) {
                dataType = data.type
                dataDescription = data.description
            } else if self.value(fields, "data") == nil {
                error(key.line, "\(context) is missing \"data\"")
            }
            let since = self.version(self.value(fields, "since"), "\"since\" of \(context)", default: version)
            result.append(
                ChannelSpec(
                    name: key.value, description: description, dataType: dataType, dataDescription: dataDescription,
                    subscribeOperation: subscribe, unsubscribeOperation: unsubscribe, since: since, line: key.line))
        }
        return result
    }

    mutating func buildSystemEvents(_ node: YAMLNode, version: String, types: Set<String>) -> [SystemEventSpec] {
        guard let map = mapping(node, "\"systemEvents\"") else { return [] }
        var result: [SystemEventSpec] = []
        for (key, value) in entries(map, "\"systemEvents\"", duplicateNoun: "system event") {
            let context = "system event \"\(key.value)\""
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["description", "fields", "since"])
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            let members = self.value(fields, "fields").map { shapeFields($0, context, types: types) } ?? []
            let since = self.version(self.value(fields, "since"), "\"since\" of \(context)", default: version)
            result.append(
                SystemEventSpec(name: key.value, description: description, fields: members, since: since, line: key.line))
        }
        return result
    }

    mutating func buildCloseCodes(_ node: YAMLNode, version: String) -> [CloseCodeSpec] {
        guard let map = mapping(node, "\"closeCodes\"") else { return [] }
        var result: [CloseCodeSpec] = []
        for (key, value) in entries(map, "\"closeCodes\"", duplicateNoun: "close code") {
            let context = "close code \"\(key.value)\""
            if !SwiftNames.isLowerIdentifier(key.value) { error(key.line, "\(context) must be a lowerCamelCase identifier") }
            guard let body = mapping(value, context) else { continue }
            let fields = entries(body, context, allowed: ["code", "reason", "description", "since"])
            var code = 0
            if let codeNode = self.value(fields, "code") {
                if case .scalar(let s) = codeNode, let n = s.intValue, (1000...4999).contains(n) { code = n } else {
                    error(codeNode.line, "\"code\" of \(context) must be an integer from 1000 to 4999")
                }
            } else {
                error(key.line, "\(context) is missing \"code\"")
            }
            var reason = ""
            if let reasonNode = self.value(fields, "reason") {
                if case .scalar(let s) = reasonNode { reason = s.value } else {
                    error(reasonNode.line, "\"reason\" of \(context) must be a string")
                }
            } else {
                error(key.line, "\(context) is missing \"reason\" (use \"\" for none)")
            }
            if reason.utf8.count > 123 { error(key.line, "\"reason\" of \(context) exceeds the 123 bytes a close frame allows") }
            let description = requiredString(fields, "description", context, line: key.line) ?? ""
            let since = self.version(self.value(fields, "since"), "\"since\" of \(context)", default: version)
            result.append(
                CloseCodeSpec(
                    name: key.value, code: code, reason: reason, description: description, since: since, line: key.line))
        }
        return result
    }

    // MARK: - Shapes (documentation-only members)

    mutating func shapeFields(_ node: YAMLNode, _ context: String, types: Set<String>?) -> [ShapeFieldSpec] {
        guard let map = mapping(node, "\"fields\" of \(context)") else { return [] }
        var result: [ShapeFieldSpec] = []
        for (key, value) in entries(map, "\"fields\" of \(context)", duplicateNoun: "field") {
            if let field = shapeField(name: key.value, value, context, types: types) {
                result.append(field)
            }
        }
        return result
    }

    /// A member written either as its type (`count: integer`) or as `{type, optional, description}`.
    mutating func shapeField(name: String, _ node: YAMLNode, _ context: String, types: Set<String>?) -> ShapeFieldSpec? {
        let fieldContext = "field \"\(name)\" of \(context)"
        var type = "any"
        var optional = false
        var description = ""
        switch node {
        case .scalar(let s):
            type = s.value
        case .mapping(let m):
            let fields = entries(m, fieldContext, allowed: ["type", "optional", "description"])
            type = requiredString(fields, "type", fieldContext, line: node.line) ?? "any"
            optional = bool(value(fields, "optional"), "\"optional\" of \(fieldContext)") ?? false
            description = string(value(fields, "description"), "\"description\" of \(fieldContext)") ?? ""
        case .sequence:
            error(node.line, "\(fieldContext) must be a type name or a mapping")
            return nil
        }
        if let types { checkTypeExpression(type, line: node.line, types: types) }
        return ShapeFieldSpec(name: name, type: type, optional: optional, description: description, line: node.line)
    }

    /// Checks `A | B[] | null`-style expressions against the JSON types and declared shapes.
    mutating func checkTypeExpression(_ expression: String, line: Int, types: Set<String>) {
        for alternative in expression.split(separator: "|") {
            var name = alternative.trimmingSpaces()
            while name.hasSuffix("[]") { name.removeLast(2) }
            if name.isEmpty || !types.contains(name) {
                error(line, "unknown type \"\(name)\" in \"\(expression)\"; expected a JSON type (\(Self.jsonTypes.sorted().joined(separator: ", "))) or a declared shape")
            }
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
