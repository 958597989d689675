// noex-microbench: ns/op of hot-path operations, one line per case.
//
// Usage: swift run -c release noex-microbench [--quick] [--count N] [name-filter ...]
//   --quick    shorter warm-up and fewer samples
//   --count N  run each selected case N times untimed, for `perf stat -e instructions`
// Run in release mode; debug figures are meaningless. Compare figures from one run only.

/// Every registered case; a module adds its list here.
extension MicroBenchmark {
    static let all: [MicroBenchmark] = wire + server
}

var runner = MicroBenchmarkRunner()
var filters: [String] = []
var fixedCount: Int? = nil
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--quick":
        runner.warmUp = .milliseconds(20)
        runner.sampleDuration = .milliseconds(5)
        runner.samples = 5
    case "--count":
        fixedCount = arguments.popFirst().flatMap { Int($0) }
    default:
        filters.append(argument)
    }
}

func formatted(_ nanoseconds: Double) -> String {
    let tenths = Int(nanoseconds * 10 + 0.5)
    let text = "\(tenths / 10).\(tenths % 10)"
    return String(repeating: " ", count: max(0, 8 - text.count)) + text
}

let selected = MicroBenchmark.all.filter { benchmark in
    filters.isEmpty || filters.contains { benchmark.name.contains($0) }
}
let width = selected.map(\.name.count).max() ?? 0
for benchmark in selected {
    if let fixedCount {
        runner.run(benchmark, count: fixedCount)
        continue
    }
    let (best, median) = runner.nanosecondsPerOperation(benchmark)
    let padding = String(repeating: " ", count: max(0, width - benchmark.name.count))
    print("\(benchmark.name)\(padding) \(formatted(best)) ns/op (median \(formatted(median)))")
}
