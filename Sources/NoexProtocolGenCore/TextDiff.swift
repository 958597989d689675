/// A small line diff (longest common subsequence) that prints unified-style hunks, so a stale
/// committed file shows what changed instead of just "differs".
enum TextDiff {
    /// A unified-style diff of two texts, at most `limit` changed lines.
    static func unified(old: String, new: String, oldName: String, newName: String, context: Int = 2, limit: Int = 200) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Trim the common prefix and suffix first: generated files usually differ in a few places.
        var start = 0
        while start < a.count, start < b.count, a[start] == b[start] { start += 1 }
        var endA = a.count
        var endB = b.count
        while endA > start, endB > start, a[endA - 1] == b[endB - 1] {
            endA -= 1
            endB -= 1
        }
        let midA = Array(a[start..<endA])
        let midB = Array(b[start..<endB])
        var ops: [(Character, String)] = []
        if midA.count * midB.count > 4_000_000 {
            ops = midA.map { ("-", $0) } + midB.map { ("+", $0) }
        } else {
            ops = lcsOps(midA, midB)
        }
        var out = ["--- \(oldName)", "+++ \(newName)", "@@ -\(start + 1) +\(start + 1) @@"]
        for line in a[max(0, start - context)..<start] { out.append(" " + line) }
        var changes = 0
        for (op, line) in ops {
            if op != " " { changes += 1 }
            if changes > limit {
                out.append("... (diff truncated)")
                break
            }
            out.append(String(op) + line)
        }
        for line in a[endA..<min(a.count, endA + context)] { out.append(" " + line) }
        return out.joined(separator: "\n")
    }

    private static func lcsOps(_ a: [String], _ b: [String]) -> [(Character, String)] {
        let n = a.count
        let m = b.count
        var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var ops: [(Character, String)] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                ops.append((" ", a[i]))
                i += 1
                j += 1
            } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
                // Deletions before insertions, as unified diffs print them.
                ops.append(("-", a[i]))
                i += 1
            } else {
                ops.append(("+", b[j]))
                j += 1
            }
        }
        return ops
    }
}
