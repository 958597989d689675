import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT. Only the first signal counts; later ones are ignored so a
/// shutdown in progress is not interrupted.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingOldest(1))
        self.stream = stream
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// Returns once the first signal has arrived.
    func wait() async {
        for await _ in stream { return }
    }
}
