import NoexServer
import Dispatch

/// Prints a progress line every second (every 5 s after the first 10) while the store is
/// being restored, so a long restore (the port is still closed meanwhile) is visibly busy
/// rather than silent.
final class RestoreProgress {
    private let timer: any DispatchSourceTimer

    init(print: @escaping @Sendable (String) -> Void) {
        let started = DispatchTime.now()
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler {
            let seconds = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000_000)
            // Every second at first, then every 5 s so a very long restore stays readable.
            if seconds <= 10 || seconds % 5 == 0 { print(StartupSummary.progress(elapsedSeconds: seconds)) }
        }
        timer.resume()
    }

    /// Stops the progress lines.
    func stop() { timer.cancel() }
}
