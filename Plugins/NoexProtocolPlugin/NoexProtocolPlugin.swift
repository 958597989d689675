import Foundation
import PackagePlugin

/// Runs `noex-protocol-gen` on the package's `protocol.yaml` on every build.
///
/// Applied to `NoexProtocol` it generates the module's sources; applied to
/// `NoexProtocolConformanceTests` it generates the conformance tests; applied to `NoexClient`
/// it generates the typed client methods. The output file list is
/// fixed (`ProtocolOutputFiles`, shared with the generator through a symlink), so the command
/// is a `.buildCommand` whose inputs are the spec and the tool: it reruns exactly when either
/// changes, and the tool rewrites only files whose bytes change.
@main
struct NoexProtocolPlugin: BuildToolPlugin {
    struct UnsupportedTarget: Error, CustomStringConvertible {
        let name: String
        var description: String {
            "NoexProtocolPlugin applies to NoexProtocol, NoexClient and NoexProtocolConformanceTests, not to \(name)"
        }
    }

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let kind: String
        let files: [String]
        switch target.name {
        case "NoexProtocol":
            kind = "sources"
            files = ProtocolOutputFiles.sources
        case "NoexClient":
            kind = "client"
            files = ProtocolOutputFiles.client
        case "NoexProtocolConformanceTests":
            kind = "tests"
            files = ProtocolOutputFiles.conformanceTests
        default:
            throw UnsupportedTarget(name: target.name)
        }
        let spec = context.package.directoryURL.appending(path: "protocol.yaml")
        let tool = try context.tool(named: "noex-protocol-gen")
        let output = context.pluginWorkDirectoryURL.appending(path: kind)
        return [
            .buildCommand(
                displayName: "Generating \(target.name) from protocol.yaml",
                executable: tool.url,
                arguments: [
                    "generate",
                    "--spec", spec.path(percentEncoded: false),
                    "--kind", kind,
                    "--output", output.path(percentEncoded: false),
                ],
                inputFiles: [spec, tool.url],
                outputFiles: files.map { output.appending(path: $0) })
        ]
    }
}
