import Foundation
public import NoexWire

/// Reads the files the command line names: the `--config` file (spec-server §6 keys) and the
/// `--rules` file. Both are JSON, or YAML when the name ends in `.yaml`/`.yml`.
///
/// YAML parsing is injected so the server library does not link libyaml; the `noex-server`
/// executable passes the `NoexYAML` parser.
public enum ConfigFile {
    /// Converts YAML text into a JSON value.
    public typealias YAMLParser = @Sendable (_ text: String) throws -> JSONValue

    /// A file that could not be used.
    public struct LoadError: Error, Hashable, Sendable {
        /// Why, printed after `Error loading config file: `.
        public var message: String

        /// Creates an error.
        public init(message: String) { self.message = message }
    }

    /// Loads a config file whose top level must be an object.
    /// - Parameters:
    ///   - path: resolved from the working directory.
    ///   - yamlParser: used for `.yaml`/`.yml` files; without it such files are refused.
    /// - Throws: `LoadError` when the file is unreadable, malformed, or not an object.
    public static func load(path: String, yamlParser: YAMLParser? = nil) throws(LoadError) -> JSONObject {
        guard case .object(let object) = try loadDocument(path: path, yamlParser: yamlParser) else {
            throw LoadError(message: "\(path) must contain an object at the top level")
        }
        return object
    }

    /// Loads any JSON or YAML document.
    /// - Parameters:
    ///   - path: resolved from the working directory.
    ///   - yamlParser: used for `.yaml`/`.yml` files; without it such files are refused.
    /// - Throws: `LoadError` when the file is unreadable or malformed.
    public static func loadDocument(path: String, yamlParser: YAMLParser? = nil) throws(LoadError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(message: "ENOENT: no such file or directory, open '\(path)'")
        }
        let lowered = path.lowercased()
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
            guard let yamlParser else { throw LoadError(message: "YAML files are not supported here: \(path)") }
            do {
                return try yamlParser(String(decoding: data, as: UTF8.self))
            } catch {
                throw LoadError(message: "Invalid YAML in \(path): \(error)")
            }
        }
        do {
            return try JSONParser.parse([UInt8](data))
        } catch {
            throw LoadError(message: "Invalid JSON in \(path): \(error)")
        }
    }
}
