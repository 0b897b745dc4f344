import Foundation
import Synchronization

/// The platform's notion of "now", in whole seconds since 1970. Tests may shift it (share expiry, token lifetimes).
public enum Clock {
    private static let offset = Atomic<Int64>(0)

    /// Seconds since 1970, plus any offset a test set.
    public static func epochSeconds() -> Int64 {
        Int64(Date().timeIntervalSince1970) + offset.load(ordering: .relaxed)
    }

    /// Moves the clock by `seconds` (tests and the demo's `--clock-offset` only).
    public static func advance(by seconds: Int64) {
        offset.add(seconds, ordering: .relaxed)
    }
}
