import Foundation
public import NoexWire

/// Reads the `--config` file: a JSON object with the keys of spec-server §6.
public enum ConfigFile {
    /// A config file that could not be used.
    public struct LoadError: Error, Hashable, Sendable {
        /// Why, printed after `Error loading config file: `.
        public var message: String
    }

    /// Loads and parses a config file.
    /// - Parameter path: resolved from the working directory.
    /// - Returns: the file's top-level object.
    /// - Throws: `LoadError` when the file is unreadable, not JSON, or not an object.
    public static func load(path: String) throws(LoadError) -> JSONObject {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(message: "ENOENT: no such file or directory, open '\(path)'")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse([UInt8](data))
        } catch {
            throw LoadError(message: "Invalid JSON in \(path): \(error)")
        }
        guard case .object(let object) = value else {
            throw LoadError(message: "\(path) must contain a JSON object")
        }
        return object
    }
}
