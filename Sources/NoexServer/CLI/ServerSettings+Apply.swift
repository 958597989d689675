import Foundation
import NoexAuth
public import NoexStore

extension ServerSettings {
    /// Copies the settings the server itself uses into a configuration.
    public func apply(to configuration: inout ServerConfiguration) {
        configuration.name = name
        configuration.host = host
        configuration.port = port
        configuration.exposeErrorDetails = exposeErrorDetails
        configuration.allowedOrigins = allowedOrigins
        configuration.maxConnectionsPerIp = maxConnectionsPerIp
        configuration.maxConnections = maxConnections
        configuration.handshakeTimeoutMs = handshakeTimeoutMs
        configuration.rateLimit = rateLimit
        configuration.heartbeat = heartbeat
        configuration.backpressure = backpressure
        configuration.connectionLimits = connectionLimits
        configuration.storeEventForwarding = forwardStoreEvents ? StoreEventForwarding() : nil
        configuration.maxResultBytes = maxResultBytes
        configuration.maxTransactionOperations = maxTransactionOperations
        if auth, let adminSecret, !adminSecret.isEmpty {
            configuration.identity = identityLimits.configuration(adminSecret: adminSecret)
        }
        if audit { configuration.audit = AuditConfiguration(filePath: auditFile.map(Self.absolute)) }
    }

    /// A path resolved against the working directory.
    static func absolute(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        return path.hasPrefix("/") ? path : URL(fileURLWithPath: cwd).appendingPathComponent(path).standardizedFileURL.path
    }

    /// The store configuration for the chosen persistence, with paths made absolute.
    public var storeConfiguration: StoreConfiguration {
        var configuration = StoreConfiguration()
        configuration.name = name
        configuration.repair = repair
        configuration.limits = storeLimits
        switch persistence {
        case .memory: configuration.persistence = .memory
        case .file: configuration.persistence = .file(directory: Self.absolute(dataDir))
        case .sqlite: configuration.persistence = .sqlite(path: Self.absolute(db))
        }
        return configuration
    }
}
