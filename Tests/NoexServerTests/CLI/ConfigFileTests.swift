import Foundation
import NoexServer
import NoexWire
import NoexYAML
import Testing

@Suite struct ConfigFileTests {
    private let yaml: ConfigFile.YAMLParser = { try YAMLParser.parse($0).jsonValue() }

    private func write(_ text: String, extension ext: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("noex-config-\(UUID().uuidString).\(ext)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func jsonAndYamlGiveTheSameSettings() throws {
        let json = try write(#"{"port": 9100, "rateLimit": {"maxRequests": 5, "windowMs": 100}, "allowedOrigins": ["a"]}"#, extension: "json")
        let yamlPath = try write("port: 9100\nrateLimit:\n  maxRequests: 5\n  windowMs: 100\nallowedOrigins: [a]\n", extension: "yaml")
        defer { try? FileManager.default.removeItem(atPath: json); try? FileManager.default.removeItem(atPath: yamlPath) }
        let fromJSON = try ConfigFile.load(path: json, yamlParser: yaml)
        let fromYAML = try ConfigFile.load(path: yamlPath, yamlParser: yaml)
        #expect(fromJSON == fromYAML)
        let settings = try ServerSettings.resolve(options: CommandLineOptions(), file: fromYAML).get()
        #expect(settings.port == 9100)
        #expect(settings.rateLimit == RateLimitConfiguration(maxRequests: 5, windowMs: 100))
    }

    @Test func unusableFilesAreReported() throws {
        #expect(throws: ConfigFile.LoadError(message: "ENOENT: no such file or directory, open '/nonexistent.json'")) {
            try ConfigFile.load(path: "/nonexistent.json")
        }
        let badJSON = try write("{port:", extension: "json")
        let array = try write("[1]", extension: "json")
        let yamlFile = try write("port: 1\n", extension: "yml")
        defer { for path in [badJSON, array, yamlFile] { try? FileManager.default.removeItem(atPath: path) } }
        #expect { try ConfigFile.load(path: badJSON) } throws: { error in
            (error as? ConfigFile.LoadError)?.message.hasPrefix("Invalid JSON in ") == true
        }
        #expect(throws: ConfigFile.LoadError(message: "\(array) must contain an object at the top level")) {
            try ConfigFile.load(path: array)
        }
        #expect(throws: ConfigFile.LoadError(message: "YAML files are not supported here: \(yamlFile)")) {
            try ConfigFile.load(path: yamlFile)
        }
        #expect(try ConfigFile.load(path: yamlFile, yamlParser: yaml) == ["port": 1])
    }
}
