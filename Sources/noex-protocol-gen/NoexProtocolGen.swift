import Foundation
import NoexProtocolGenCore

/// `noex-protocol-gen`: a thin command line over `NoexProtocolGenCore`.
///
///     noex-protocol-gen generate --spec protocol.yaml --output DIR --kind sources|tests|docs|client
///     noex-protocol-gen client  [--root DIR] [--output DIR]  # rewrites Generated/NoexClient
///     noex-protocol-gen check   [--root DIR]   # fails with a diff when Generated/ or docs/ is stale
///     noex-protocol-gen update  [--root DIR]   # rewrites Generated/ and docs/protocol.md
///     noex-protocol-gen validate [--spec protocol.yaml]
@main
struct NoexProtocolGen {
    static let usage = """
        usage: noex-protocol-gen generate --spec <protocol.yaml> --output <dir> --kind <sources|tests|docs|client>
               noex-protocol-gen client [--root <package dir>] [--output <dir>]
               noex-protocol-gen check [--root <package dir>]
               noex-protocol-gen update [--root <package dir>]
               noex-protocol-gen validate [--spec <protocol.yaml>]
        """

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else { fail(usage) }
        let command = arguments.removeFirst()
        var options: [String: String] = [:]
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            guard flag.hasPrefix("--"), !arguments.isEmpty else { fail("unexpected argument \"\(flag)\"\n\(usage)") }
            options[String(flag.dropFirst(2))] = arguments.removeFirst()
        }
        let root = URL(fileURLWithPath: options["root"] ?? FileManager.default.currentDirectoryPath)
        let specPath = options["spec"] ?? root.appendingPathComponent("protocol.yaml").path
        switch command {
        case "generate":
            guard let output = options["output"], let kindName = options["kind"], let kind = Generator.Output(rawValue: kindName)
            else { fail(usage) }
            let spec = loadSpec(specPath)
            do {
                try Generator.write(Generator.render(kind, spec: spec), to: URL(fileURLWithPath: output))
            } catch {
                fail("noex-protocol-gen: cannot write \(output): \(error)")
            }
        case "check":
            let spec = loadSpec(specPath)
            var reports: [String] = []
            for output in Generator.Output.allCases {
                let directory = Generator.committedDirectory(output)
                reports += Generator.staleness(
                    of: Generator.render(output, spec: spec), in: root.appendingPathComponent(directory), label: directory)
            }
            if !reports.isEmpty {
                fail(reports.joined(separator: "\n\n") + "\n\nerror: generated files are stale; run `swift run noex-protocol-gen update`")
            }
            print("Generated/ (NoexProtocol, NoexClient, conformance tests) and docs/protocol.md match protocol.yaml")
        case "update":
            let spec = loadSpec(specPath)
            for output in Generator.Output.allCases {
                let directory = Generator.committedDirectory(output)
                do {
                    let written = try Generator.write(
                        Generator.render(output, spec: spec), to: root.appendingPathComponent(directory))
                    for name in written { print("wrote \(directory)/\(name)") }
                } catch {
                    fail("noex-protocol-gen: cannot write \(directory): \(error)")
                }
            }
        case "client":
            // The typed client stubs alone (the build regenerates them too, through the plugin
            // applied to NoexClient); by default into the committed Generated/NoexClient.
            let spec = loadSpec(specPath)
            let directory = options["output"] ?? root.appendingPathComponent(Generator.committedDirectory(.client)).path
            do {
                let written = try Generator.write(Generator.render(.client, spec: spec), to: URL(fileURLWithPath: directory))
                for name in written { print("wrote \(directory)/\(name)") }
                if written.isEmpty { print("\(directory) is up to date") }
            } catch {
                fail("noex-protocol-gen: cannot write \(directory): \(error)")
            }
        case "validate":
            let spec = loadSpec(specPath)
            print("\(specPath): \(spec.operations.count) operations, \(spec.errors.count) error codes")
        default:
            fail(usage)
        }
    }

    /// Reads and validates the spec, printing `file:line: error:` diagnostics on failure.
    static func loadSpec(_ path: String) -> ProtocolSpec {
        guard let data = FileManager.default.contents(atPath: path) else { fail("\(path): error: cannot read the file") }
        do {
            return try Generator.spec(fromYAML: String(decoding: data, as: UTF8.self), file: path)
        } catch {
            fail(error.description)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(1)
    }
}
