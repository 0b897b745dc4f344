/// The one error type of PlatformServices: a stable code for programs (and the HTTP edge) and a message for people.
///
/// Compare errors by `code`; the message may change. The server maps codes to HTTP statuses at its edge only.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable, closed set of cases.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A request parameter or body field is missing or malformed.
        case invalidArgument = "invalid_argument"
        /// The thing asked for does not exist (or the caller may not know that it does).
        case notFound = "not_found"
        /// The caller is known but may not do this.
        case forbidden
        /// The caller is not authenticated, or the credentials are wrong.
        case unauthenticated
        /// The thing exists already (a username, a SOP Instance UID with different content...).
        case conflict
        /// Too many attempts: login throttling, access-code guessing.
        case tooManyRequests = "too_many_requests"
        /// The thing existed but is gone for good (an expired share link).
        case gone
        /// An upload or value is larger than allowed.
        case tooLarge = "too_large"
        /// A DICOM object could not be read or does not carry what is needed.
        case invalidDicom = "invalid_dicom"
        /// The account exists but is pending, deactivated or closed.
        case accountNotActive = "account_not_active"
        /// A storage or database failure that is not the caller's fault.
        case storageFailure = "storage_failure"
        /// A remote peer (PACS, RIS) failed or could not be reached.
        case upstreamFailure = "upstream_failure"
    }

    /// The stable code.
    public var code: Code
    /// A human-readable message, safe to show to the caller (never a stack trace or SQL).
    public var message: String
    /// For `.invalidArgument`: the parameter or field at fault.
    public var parameter: String?
    /// For `.accountNotActive`: which state keeps the account out, for callers that word it themselves (the login
    /// page says it in Chinese) instead of reading the English message.
    public var accountState: AccountState?

    /// Why an account may not sign in.
    public enum AccountState: String, Sendable, Hashable, CaseIterable {
        /// A doctor's registration waits for an administrator.
        case pendingApproval = "pending_approval"
        /// An administrator rejected the registration (the message carries the reason).
        case rejected
        /// An administrator deactivated the account; it can be reactivated.
        case deactivated
        /// The account was closed (销户) for good.
        case closed
    }

    /// Creates an error.
    public init(_ code: Code, _ message: String, parameter: String? = nil) {
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    /// An account that may not sign in, and why.
    ///
    /// ```swift
    /// throw PlatformError.accountNotActive(.deactivated, "this account is deactivated; contact your administrator")
    /// ```
    public static func accountNotActive(_ state: AccountState, _ message: String) -> PlatformError {
        var error = PlatformError(.accountNotActive, message)
        error.accountState = state
        return error
    }

    /// A missing or malformed parameter, named.
    public static func invalid(_ parameter: String, _ message: String) -> PlatformError {
        PlatformError(.invalidArgument, message, parameter: parameter)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
