/// One named micro-benchmark: a closure that performs the measured operation once.
///
/// Modules add their cases as a static list in a `Benchmarks+<Module>.swift` file of this
/// target and append that list to ``MicroBenchmark/all``; the runner does the rest.
struct MicroBenchmark: Sendable {
    /// The name printed in the report, `area: operation` by convention.
    let name: String
    /// Performs the operation once. Results must go through ``blackHole(_:)``.
    let operation: @Sendable () -> Void

    init(_ name: String, _ operation: @escaping @Sendable () -> Void) {
        self.name = name
        self.operation = operation
    }
}

/// Keeps a result alive so the optimizer cannot delete the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Times benchmarks with `ContinuousClock`: a warm-up, a calibration that finds a batch
/// lasting about `sampleDuration`, then several batches. The fastest batch gives ns/op: on
/// a shared machine other processes only ever add time, so the minimum is the most
/// repeatable figure (the median is printed beside it).
struct MicroBenchmarkRunner {
    var warmUp: Duration = .milliseconds(100)
    var sampleDuration: Duration = .milliseconds(20)
    var samples = 15

    /// The fastest and the median time per operation, in nanoseconds.
    func nanosecondsPerOperation(_ benchmark: MicroBenchmark) -> (best: Double, median: Double) {
        let clock = ContinuousClock()
        let operation = benchmark.operation
        let warmUpEnd = clock.now.advanced(by: warmUp)
        var iterations = 1
        while clock.now < warmUpEnd {
            for _ in 0..<iterations { operation() }
            iterations = min(iterations * 2, 1 << 20)
        }
        var batch = 1
        while true {
            let elapsed = clock.measure { for _ in 0..<batch { operation() } }
            if elapsed >= sampleDuration || batch >= 1 << 30 { break }
            let ratio = Double(sampleDuration / max(elapsed, .nanoseconds(1)))
            batch = Int(Double(batch) * min(max(ratio * 1.1, 2), 100))
        }
        var perOperation: [Double] = []
        for _ in 0..<samples {
            let elapsed = clock.measure { for _ in 0..<batch { operation() } }
            perOperation.append(Self.nanoseconds(elapsed) / Double(batch))
        }
        perOperation.sort()
        return (perOperation[0], perOperation[perOperation.count / 2])
    }

    /// Runs the operation `count` times untimed (for `perf stat` instruction counts).
    func run(_ benchmark: MicroBenchmark, count: Int) {
        for _ in 0..<count { benchmark.operation() }
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
