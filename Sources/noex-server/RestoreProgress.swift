import NoexServer
import Dispatch

/// Prints a progress line every second while the store is being restored, so a long restore
/// (the port is still closed meanwhile) is visibly busy rather than silent.
final class RestoreProgress {
    private let timer: any DispatchSourceTimer

    init(print: @escaping @Sendable (String) -> Void) {
        let started = DispatchTime.now()
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler {
            let seconds = (DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000_000
            print(StartupSummary.progress(elapsedSeconds: Int(seconds)))
        }
        timer.resume()
    }

    /// Stops the progress lines.
    func stop() { timer.cancel() }
}
