internal import Foundation

/// Where adapters report what they did on their own at start (a dropped torn tail, a repair).
public enum PersistenceNotice {
    /// Writes the line to standard error at once (unbuffered), so it is seen even if the
    /// process stops right after.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
