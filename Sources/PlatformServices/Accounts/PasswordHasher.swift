import HummingbirdBcrypt

/// Hashes and checks passwords with bcrypt. Hashing is slow on purpose; it runs off the caller's executor.
public struct PasswordHasher: Sendable {
    /// bcrypt cost (log2 rounds). 12 in production; tests may lower it.
    public var cost: UInt8

    /// Creates a hasher.
    public init(cost: UInt8 = 11) { self.cost = cost }

    /// A bcrypt hash of `password`.
    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await Task.detached { Bcrypt.hash(password, cost: cost) }.value
    }

    /// Whether `password` matches `hash`. An empty or malformed hash never matches.
    public func verify(_ password: String, hash: String) async -> Bool {
        guard hash.hasPrefix("$2") else { return false }
        return await Task.detached { Bcrypt.verify(password, hash: hash) }.value
    }
}
