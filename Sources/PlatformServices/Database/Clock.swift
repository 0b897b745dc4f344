import Foundation
import Synchronization

/// The platform's notion of "now", in whole seconds since 1970. Tests shift it to see expiry (tokens, shares):
/// `Clock.$taskOffset.withValue(3600) { … }` for one task tree, `advance(by:)` for the whole process (a demo run
/// under an end-to-end test).
public enum Clock {
    private static let offset = Atomic<Int64>(0)

    /// An offset for the current task and its children only.
    @TaskLocal public static var taskOffset: Int64 = 0

    /// Seconds since 1970, plus any offsets.
    public static func epochSeconds() -> Int64 {
        Int64(Date().timeIntervalSince1970) + offset.load(ordering: .relaxed) + taskOffset
    }

    /// Moves the process's clock by `seconds`.
    public static func advance(by seconds: Int64) {
        offset.add(seconds, ordering: .relaxed)
    }
}
