/// The validated contents of `protocol.yaml`: the model every renderer works from.
///
/// Building one (``SpecBuilder``) checks everything that can be checked without generating
/// code, so renderers never meet an inconsistent spec. Every element keeps its line for the
/// `// protocol.yaml:LINE` back-references of the generated code.
public struct ProtocolSpec: Hashable, Sendable {
    /// The protocol's name, e.g. `noex`.
    public var name: String
    /// The protocol version, e.g. `1.0.0`; the default `since` of every element.
    public var version: String
    /// The release of the server this file ships with (e.g. `0.2.0`): the one place that
    /// `--version`, the banner, `server.stats` and the generated reference read it from.
    public var serverVersion: String = ""
    /// What the protocol is, for the reference page.
    public var description: String
    /// Operation namespaces in declaration order.
    public var namespaces: [NamespaceSpec]
    /// Codes any operation may be answered with by the request pipeline.
    public var commonErrors: [String]
    /// Envelope messages in declaration order.
    public var messages: [MessageSpec]
    /// The error code catalogue in declaration order.
    public var errors: [ErrorSpec]
    /// Handwritten array-element validators that fields may name.
    public var validators: [ValidatorSpec]
    /// Named result shapes (documentation only).
    public var shapes: [ShapeSpec]
    /// Push channels.
    public var channels: [ChannelSpec]
    /// System events.
    public var systemEvents: [SystemEventSpec]
    /// WebSocket close codes.
    public var closeCodes: [CloseCodeSpec]
    /// Operations in declaration order.
    public var operations: [OperationSpec]

    /// The operations of one namespace, in declaration order.
    /// - Parameter namespace: the namespace name.
    /// - Returns: its operations.
    public func operations(in namespace: String) -> [OperationSpec] {
        operations.filter { $0.namespace == namespace }
    }
}

/// An operation namespace (`store`, `rules`, ...).
public struct NamespaceSpec: Hashable, Sendable {
    /// The name, the part of operation names before the dot.
    public var name: String
    /// What the namespace covers.
    public var description: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A member of an object shape, of a message or of a system event (documentation only).
public struct ShapeFieldSpec: Hashable, Sendable {
    /// Member name.
    public var name: String
    /// JSON type expression, e.g. `string`, `Record | null`, `Fact[]`.
    public var type: String
    /// Whether the member may be absent.
    public var optional: Bool
    /// What it holds.
    public var description: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A message of the envelope (`request`, `result`, `welcome`, ...).
public struct MessageSpec: Hashable, Sendable {
    /// Who sends it.
    public enum Direction: String, Hashable, Sendable {
        /// Client to server.
        case client
        /// Server to client.
        case server
    }

    /// The message's name.
    public var name: String
    /// Who sends it.
    public var direction: Direction
    /// The value of its `type` member, when it is fixed (`nil` for requests).
    public var typeValue: String?
    /// What it is for.
    public var description: String
    /// Its members.
    public var fields: [ShapeFieldSpec]
    /// Version that introduced it.
    public var since: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// One error code.
public struct ErrorSpec: Hashable, Sendable {
    /// The wire code, e.g. `NOT_FOUND`.
    public var code: String
    /// When it is answered.
    public var description: String
    /// Version that introduced it.
    public var since: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A handwritten validator for the items of an array field.
public struct ValidatorSpec: Hashable, Sendable {
    /// The Swift type name, which must conform to `PayloadArrayElement`.
    public var name: String
    /// What it accepts and which messages it produces.
    public var description: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A named object shape used in result types.
public struct ShapeSpec: Hashable, Sendable {
    /// Shape name, e.g. `Record`.
    public var name: String
    /// What it is.
    public var description: String
    /// Its members.
    public var fields: [ShapeFieldSpec]
    /// Line in protocol.yaml.
    public var line: Int
}

/// A push channel.
public struct ChannelSpec: Hashable, Sendable {
    /// The `channel` value.
    public var name: String
    /// When pushes are sent.
    public var description: String
    /// Type of the push's `data`.
    public var dataType: String
    /// What `data` holds.
    public var dataDescription: String
    /// The operation that opens a subscription on this channel (its result carries
    /// `subscriptionId`), e.g. `store.subscribe`; `nil` when not declared.
    public var subscribeOperation: String?
    /// The operation that ends a subscription of this channel (its payload carries
    /// `subscriptionId`), e.g. `store.unsubscribe`; `nil` when not declared.
    public var unsubscribeOperation: String?
    /// Version that introduced it.
    public var since: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A system event (`{"type":"system","event":...}`).
public struct SystemEventSpec: Hashable, Sendable {
    /// The `event` value.
    public var name: String
    /// When it is sent.
    public var description: String
    /// Its extra members.
    public var fields: [ShapeFieldSpec]
    /// Version that introduced it.
    public var since: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A WebSocket close code with its reason string.
public struct CloseCodeSpec: Hashable, Sendable {
    /// Swift name, e.g. `heartbeatTimeout`.
    public var name: String
    /// The numeric close code.
    public var code: Int
    /// The reason string sent with it (may be empty).
    public var reason: String
    /// When the server closes with it.
    public var description: String
    /// Version that introduced it.
    public var since: String
    /// Line in protocol.yaml.
    public var line: Int
}
