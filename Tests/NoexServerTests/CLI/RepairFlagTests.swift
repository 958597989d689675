import NoexServer
import NoexStore
import NoexWire
import Testing

/// `--repair` reaches the store configuration; a config file cannot turn it on.
@Suite struct RepairFlagTests {
    @Test func repairIsAFlagOnly() throws {
        let options = try CommandLineOptions.parse(["--persistence", "file", "--repair"])
        #expect(options.repair)
        let settings = try ServerSettings.resolve(options: options, file: nil).get()
        #expect(settings.repair)
        #expect(settings.storeConfiguration.repair)
        let fromFile = try ServerSettings.resolve(options: CommandLineOptions(), file: ["repair": true]).get()
        #expect(!fromFile.storeConfiguration.repair)
        #expect(throws: CommandLineOptions.ParseError.self) { try CommandLineOptions.parse(["--repair=yes"]) }
        #expect(CommandLineOptions.usage.contains("--repair"))
    }
}
