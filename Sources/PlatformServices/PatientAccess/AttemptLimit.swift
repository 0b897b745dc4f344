/// How many failures a throttled action allows before a pause: `failures` within `window` seconds lock the key for
/// `lockout` seconds. Kept in the database (`attempt_throttle`), so every server node and a restart see the same count.
public struct AttemptLimit: Sendable, Hashable {
    public var failures: Int
    public var window: Int64
    public var lockout: Int64

    public init(failures: Int, window: Int64, lockout: Int64) {
        self.failures = failures
        self.window = window
        self.lockout = lockout
    }

    /// Second-factor checks on one patient link: 5 wrong answers in 15 minutes lock it for 15 minutes.
    public static let patientVerification = AttemptLimit(failures: 5, window: 900, lockout: 900)
    /// Manual retrieval from one client address: 10 misses in 15 minutes, then 15 minutes' pause.
    public static let patientRetrieval = AttemptLimit(failures: 10, window: 900, lockout: 900)
    /// Access codes of one share: 5 wrong codes in 15 minutes, then 15 minutes' pause (and see `Share.maximumCodeFailures`).
    public static let shareAccessCode = AttemptLimit(failures: 5, window: 900, lockout: 900)
    /// Access codes from one client address across shares: 20 wrong codes in 15 minutes, then an hour's pause.
    public static let shareAccessCodeClient = AttemptLimit(failures: 20, window: 900, lockout: 3600)
}
