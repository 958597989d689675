// The libFuzzer entry points of `noex-fuzz`: one executable holding every fuzz target, the
// target chosen by the `NOEX_FUZZ_TARGET` environment variable (docs/fuzzing.md).
#if canImport(Glibc)
import Glibc
#endif

/// One fuzz target: a name and the function that runs one input.
struct FuzzTarget: Sendable {
    /// The value of `NOEX_FUZZ_TARGET` that selects it.
    let name: String
    /// What it checks, for `NOEX_FUZZ_TARGET=list`.
    let summary: String
    /// Runs one input; a crash, a failed `fuzzCheck` or an ASan report is a finding.
    let run: @Sendable (UnsafeRawBufferPointer) -> Void
}

/// Every target, in the order `Fuzz/run.sh` runs them.
let fuzzTargets: [FuzzTarget] = [
    jsonTarget, websocketTarget, httpTarget, configTarget, rulesFileTarget, payloadsTarget, filterTarget,
    rulesTarget, proceduresTarget, serverTarget,
]

/// The target selected by `NOEX_FUZZ_TARGET`.
let selectedTarget: FuzzTarget? = {
    let name = getenv("NOEX_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    return fuzzTargets.first { $0.name == name }
}()

/// libFuzzer calls this once before the first input: `NOEX_FUZZ_TARGET=list` prints the
/// targets and exits 0, a missing or unknown name prints them and exits 2.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutableRawPointer) -> CInt {
    guard selectedTarget == nil else { return 0 }
    var message = ""
    for target in fuzzTargets { message += "  \(target.name): \(target.summary)\n" }
    if let name = getenv("NOEX_FUZZ_TARGET"), String(cString: name) == "list" {
        print(message, terminator: "")
        exit(0)
    }
    printError("noex-fuzz: NOEX_FUZZ_TARGET must name a target:\n" + message)
    exit(2)
}

/// libFuzzer calls this once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selectedTarget?.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// Fails the run (libFuzzer saves the input as a crash) when an invariant does not hold.
/// - Parameters:
///   - condition: the invariant.
///   - message: what went wrong, printed before the trap.
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        printError("noex-fuzz: invariant failed: \(message())\n")
        abort()
    }
}

/// Writes to standard error, unbuffered.
func printError(_ message: String) {
    var message = message
    message.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links every executable with `main` renamed to `<module>_main` (so tests can link
/// it); the module has no `main` of its own (`-parse-as-library`), so this satisfies the
/// renaming. libFuzzer's `main` takes precedence at link time; should it ever not, this starts
/// the same driver.
@_cdecl("noex_fuzz_main")
func noexFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv, fuzz)
}
