internal import CBuildInfo
public import NoexProtocol
public import NoexWire

/// What this binary is: the release (declared once, as `protocol.serverVersion` in
/// `protocol.yaml`), the commit it was built from and the build date. `--version`, the
/// banner and `server.stats` all read it from here.
public enum ServerBuild {
    /// The noex-server release, e.g. `0.2.0`.
    public static let version = ProtocolInfo.serverVersion

    /// The commit the binary was built from (`scripts/release.sh` sets it), or `nil` for a
    /// development build.
    public static let commit: String? = nonEmpty(noex_build_commit())

    /// The UTC build date (`YYYY-MM-DD`), or `nil` for a development build.
    public static let date: String? = nonEmpty(noex_build_date())

    /// One line: `noex-server v0.2.0 (commit 1a2b3c4, built 2026-12-04)`, or
    /// `noex-server v0.2.0 (development build)` when the build did not record them.
    public static var versionLine: String {
        var facts: [String] = []
        if let commit { facts.append("commit \(commit)") }
        if let date { facts.append("built \(date)") }
        return "noex-server v\(version) (\(facts.isEmpty ? "development build" : facts.joined(separator: ", ")))"
    }

    /// The `server` member of `server.stats`: `{version, commit, buildDate, protocolVersion}`.
    public static var wire: JSONObject {
        [
            "version": .string(version),
            "commit": commit.map(JSONValue.string) ?? .null,
            "buildDate": date.map(JSONValue.string) ?? .null,
            "protocolVersion": .string(ProtocolInfo.version),
        ]
    }

    private static func nonEmpty(_ text: UnsafePointer<CChar>) -> String? {
        let value = String(cString: text)
        return value.isEmpty ? nil : value
    }
}
