/// The security settings administrators can change: password rules, lockout, lifetimes.
public struct SecurityPolicy: Sendable, Hashable, Codable {
    /// Minimum password length.
    public var passwordMinLength: Int = 8
    /// How many of the classes lower case, upper case, digits and symbols a password must use.
    public var passwordMinClasses: Int = 2
    /// Failed logins in a row before a temporary lockout.
    public var lockoutThreshold: Int = 5
    /// Lockout duration in seconds.
    public var lockoutSeconds: Int = 900
    /// Access token lifetime in seconds.
    public var accessTokenSeconds: Int = 900
    /// Refresh token lifetime in seconds (sliding: each rotation starts a new one).
    public var refreshTokenSeconds: Int = 14 * 86_400
    /// Longest share a patient may create, in seconds.
    public var shareMaximumSeconds: Int = 30 * 86_400

    public init() {}

    /// Checks a new password against the rules; the error names the rule broken.
    public func validate(password: String, parameter: String = "password") throws(PlatformError) {
        guard password.count >= passwordMinLength else {
            throw PlatformError.invalid(parameter, "password must be at least \(passwordMinLength) characters")
        }
        guard password.count <= 128 else { throw PlatformError.invalid(parameter, "password must be at most 128 characters") }
        var classes = 0
        if password.contains(where: \.isLowercase) { classes += 1 }
        if password.contains(where: \.isUppercase) { classes += 1 }
        if password.contains(where: \.isNumber) { classes += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { classes += 1 }
        guard classes >= passwordMinClasses else {
            throw PlatformError.invalid(parameter, "password must mix at least \(passwordMinClasses) of: lower case, upper case, digits, symbols")
        }
    }
}
