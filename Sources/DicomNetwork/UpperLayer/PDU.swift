/// A Protocol Data Unit of the DICOM Upper Layer (PS3.8 §9.3).
///
/// PDUs are plain values: ``PDU/init(parsing:maximumLength:)`` turns bytes into one with typed errors and
/// ``PDU/encoded()`` turns one back into bytes, so the parser can be tested and fuzzed without a socket.
public enum PDU: Sendable, Equatable {
    /// A-ASSOCIATE-RQ (type 01).
    case associateRQ(AssociateRequest)
    /// A-ASSOCIATE-AC (type 02).
    case associateAC(AssociateAccept)
    /// A-ASSOCIATE-RJ (type 03).
    case associateRJ(AssociateReject)
    /// P-DATA-TF (type 04): one or more presentation data values.
    case dataTF([PDV])
    /// A-RELEASE-RQ (type 05).
    case releaseRQ
    /// A-RELEASE-RP (type 06).
    case releaseRP
    /// A-ABORT (type 07).
    case abort(AbortReason)

    /// The PDU type byte.
    public var type: UInt8 {
        switch self {
        case .associateRQ: 0x01
        case .associateAC: 0x02
        case .associateRJ: 0x03
        case .dataTF: 0x04
        case .releaseRQ: 0x05
        case .releaseRP: 0x06
        case .abort: 0x07
        }
    }
}

/// The A-ASSOCIATE-RQ parameters (PS3.8 §9.3.2).
public struct AssociateRequest: Sendable, Equatable {
    /// Called AE title (up to 16 characters, trailing spaces dropped).
    public var calledAE: String
    /// Calling AE title.
    public var callingAE: String
    /// Application Context Name; always the DICOM one in practice.
    public var applicationContext: String
    /// Proposed presentation contexts, with odd ids 1...255.
    public var presentationContexts: [PresentationContextProposal]
    /// User Information item.
    public var userInformation: UserInformation
    /// Protocol version bit field (only bit 0 is defined).
    public var protocolVersion: UInt16

    /// Makes a request.
    public init(calledAE: String, callingAE: String, applicationContext: String = DicomNetwork.applicationContextName,
                presentationContexts: [PresentationContextProposal], userInformation: UserInformation = UserInformation(), protocolVersion: UInt16 = 1) {
        self.calledAE = calledAE
        self.callingAE = callingAE
        self.applicationContext = applicationContext
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
        self.protocolVersion = protocolVersion
    }
}

/// The A-ASSOCIATE-AC parameters (PS3.8 §9.3.3).
public struct AssociateAccept: Sendable, Equatable {
    /// Called AE title, as the requestor sent it.
    public var calledAE: String
    /// Calling AE title, as the requestor sent it.
    public var callingAE: String
    /// Application Context Name.
    public var applicationContext: String
    /// One result per proposed presentation context.
    public var presentationContexts: [PresentationContextResult]
    /// User Information item.
    public var userInformation: UserInformation
    /// Protocol version bit field.
    public var protocolVersion: UInt16

    /// Makes an accept.
    public init(calledAE: String, callingAE: String, applicationContext: String = DicomNetwork.applicationContextName,
                presentationContexts: [PresentationContextResult], userInformation: UserInformation = UserInformation(), protocolVersion: UInt16 = 1) {
        self.calledAE = calledAE
        self.callingAE = callingAE
        self.applicationContext = applicationContext
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
        self.protocolVersion = protocolVersion
    }
}

/// A proposed presentation context: an abstract syntax and the transfer syntaxes the requestor can use for it (PS3.8 §9.3.2.2).
public struct PresentationContextProposal: Sendable, Equatable {
    /// Odd id, 1...255.
    public var id: UInt8
    /// The abstract syntax (SOP Class UID).
    public var abstractSyntax: String
    /// Transfer syntax UIDs in the requestor's order of preference.
    public var transferSyntaxes: [String]

    /// Makes a proposal.
    public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
        self.id = id
        self.abstractSyntax = abstractSyntax
        self.transferSyntaxes = transferSyntaxes
    }
}

/// The acceptor's answer for one presentation context (PS3.8 §9.3.3.2).
public struct PresentationContextResult: Sendable, Equatable {
    /// Result/Reason values of PS3.8 Table 9-18.
    public enum Result: UInt8, Sendable {
        case acceptance = 0
        case userRejection = 1
        case noReason = 2
        case abstractSyntaxNotSupported = 3
        case transferSyntaxesNotSupported = 4
    }
    /// The id of the proposal answered.
    public var id: UInt8
    /// Accepted or why not.
    public var result: Result
    /// The chosen transfer syntax UID (meaningful only when accepted).
    public var transferSyntax: String

    /// Makes a result.
    public init(id: UInt8, result: Result, transferSyntax: String) {
        self.id = id
        self.result = result
        self.transferSyntax = transferSyntax
    }
}

/// The User Information item and its sub-items (PS3.8 §9.3.2.3, PS3.7 Annex D.3.3).
public struct UserInformation: Sendable, Equatable {
    /// Maximum Length Received: the largest P-DATA-TF variable field the sender accepts; 0 means no limit (PS3.8 §D.1).
    public var maximumLength: UInt32
    /// Implementation Class UID.
    public var implementationClassUID: String
    /// Implementation Version Name, if any.
    public var implementationVersionName: String?
    /// Asynchronous Operations Window: invoked and performed (PS3.7 §D.3.3.3).
    public var asynchronousOperationsWindow: (invoked: UInt16, performed: UInt16)?
    /// SCP/SCU Role Selection items (PS3.7 §D.3.3.4).
    public var roleSelections: [RoleSelection]
    /// SOP Class Extended Negotiation items (PS3.7 §D.3.3.5): SOP class and its application information.
    public var extendedNegotiations: [ExtendedNegotiation]
    /// User Identity Negotiation request (PS3.7 §D.3.3.7), in an A-ASSOCIATE-RQ.
    public var userIdentity: UserIdentity?
    /// User Identity server response, in an A-ASSOCIATE-AC.
    public var userIdentityResponse: [UInt8]?

    /// Makes the item.
    public init(maximumLength: UInt32 = 16384, implementationClassUID: String = DicomNetwork.implementationClassUID,
                implementationVersionName: String? = DicomNetwork.implementationVersionName,
                asynchronousOperationsWindow: (invoked: UInt16, performed: UInt16)? = nil, roleSelections: [RoleSelection] = [],
                extendedNegotiations: [ExtendedNegotiation] = [], userIdentity: UserIdentity? = nil, userIdentityResponse: [UInt8]? = nil) {
        self.maximumLength = maximumLength
        self.implementationClassUID = implementationClassUID
        self.implementationVersionName = implementationVersionName
        self.asynchronousOperationsWindow = asynchronousOperationsWindow
        self.roleSelections = roleSelections
        self.extendedNegotiations = extendedNegotiations
        self.userIdentity = userIdentity
        self.userIdentityResponse = userIdentityResponse
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.maximumLength == b.maximumLength && a.implementationClassUID == b.implementationClassUID
            && a.implementationVersionName == b.implementationVersionName
            && a.asynchronousOperationsWindow?.invoked == b.asynchronousOperationsWindow?.invoked
            && a.asynchronousOperationsWindow?.performed == b.asynchronousOperationsWindow?.performed
            && a.roleSelections == b.roleSelections && a.extendedNegotiations == b.extendedNegotiations
            && a.userIdentity == b.userIdentity && a.userIdentityResponse == b.userIdentityResponse
    }
}

/// SCP/SCU Role Selection for one SOP class (PS3.7 §D.3.3.4): C-GET needs the requestor to act as Storage SCP.
public struct RoleSelection: Sendable, Equatable {
    /// The SOP class.
    public var sopClassUID: String
    /// The requestor may act (RQ) / is accepted (AC) as SCU.
    public var scu: Bool
    /// The requestor may act (RQ) / is accepted (AC) as SCP.
    public var scp: Bool

    /// Makes an item.
    public init(sopClassUID: String, scu: Bool, scp: Bool) {
        self.sopClassUID = sopClassUID
        self.scu = scu
        self.scp = scp
    }
}

/// SOP Class Extended Negotiation (PS3.7 §D.3.3.5).
public struct ExtendedNegotiation: Sendable, Equatable {
    /// The SOP class.
    public var sopClassUID: String
    /// Service-class application information, opaque here.
    public var applicationInformation: [UInt8]

    /// Makes an item.
    public init(sopClassUID: String, applicationInformation: [UInt8]) {
        self.sopClassUID = sopClassUID
        self.applicationInformation = applicationInformation
    }
}

/// User Identity Negotiation request (PS3.7 §D.3.3.7).
public struct UserIdentity: Sendable, Equatable {
    /// User-Identity-Type: 1 username, 2 username and passcode, 3 Kerberos, 4 SAML, 5 JWT.
    public var type: UInt8
    /// The requestor asks for a positive server response.
    public var positiveResponseRequested: Bool
    /// Primary field (the username for types 1 and 2).
    public var primaryField: [UInt8]
    /// Secondary field (the passcode for type 2).
    public var secondaryField: [UInt8]

    /// Makes a request item.
    public init(type: UInt8, positiveResponseRequested: Bool = false, primaryField: [UInt8], secondaryField: [UInt8] = []) {
        self.type = type
        self.positiveResponseRequested = positiveResponseRequested
        self.primaryField = primaryField
        self.secondaryField = secondaryField
    }

    /// Username and passcode (type 2).
    public static func usernamePassword(_ username: String, _ password: String, positiveResponseRequested: Bool = false) -> UserIdentity {
        UserIdentity(type: 2, positiveResponseRequested: positiveResponseRequested, primaryField: Array(username.utf8), secondaryField: Array(password.utf8))
    }

    /// The username, for types 1 and 2.
    public var username: String? { type == 1 || type == 2 ? String(decoding: primaryField, as: UTF8.self) : nil }
    /// The passcode, for type 2.
    public var password: String? { type == 2 ? String(decoding: secondaryField, as: UTF8.self) : nil }
}

/// The A-ASSOCIATE-RJ parameters (PS3.8 §9.3.4, Table 9-21).
public struct AssociateReject: Sendable, Equatable, Error {
    /// 1 rejected-permanent, 2 rejected-transient.
    public var result: UInt8
    /// 1 service user, 2 service provider (ACSE), 3 service provider (presentation).
    public var source: UInt8
    /// The reason, meaning depends on the source.
    public var reason: UInt8

    /// Makes a reject.
    public init(result: UInt8, source: UInt8, reason: UInt8) {
        self.result = result
        self.source = source
        self.reason = reason
    }

    /// Rejected permanently by the service user: no reason given.
    public static let noReason = AssociateReject(result: 1, source: 1, reason: 1)
    /// Rejected permanently: application context name not supported.
    public static let applicationContextNotSupported = AssociateReject(result: 1, source: 1, reason: 2)
    /// Rejected permanently: calling AE title not recognized.
    public static let callingAENotRecognized = AssociateReject(result: 1, source: 1, reason: 3)
    /// Rejected permanently: called AE title not recognized.
    public static let calledAENotRecognized = AssociateReject(result: 1, source: 1, reason: 7)
    /// Rejected permanently by the ACSE provider: protocol version not supported.
    public static let protocolVersionNotSupported = AssociateReject(result: 1, source: 2, reason: 2)
    /// Rejected transiently by the presentation provider: local limit exceeded (too many associations).
    public static let localLimitExceeded = AssociateReject(result: 2, source: 3, reason: 2)
    /// Rejected transiently by the presentation provider: temporary congestion.
    public static let temporaryCongestion = AssociateReject(result: 2, source: 3, reason: 1)
}

/// The A-ABORT source and reason (PS3.8 §9.3.8, Table 9-26).
public struct AbortReason: Sendable, Equatable {
    /// 0 service user, 2 service provider.
    public var source: UInt8
    /// For provider aborts: 0 not specified, 1 unrecognized PDU, 2 unexpected PDU, 4 unrecognized PDU parameter,
    /// 5 unexpected PDU parameter, 6 invalid PDU parameter value.
    public var reason: UInt8

    /// Makes a reason.
    public init(source: UInt8, reason: UInt8) {
        self.source = source
        self.reason = reason
    }

    /// Aborted by the service user.
    public static let serviceUser = AbortReason(source: 0, reason: 0)
    /// Provider abort: unrecognized PDU.
    public static let unrecognizedPDU = AbortReason(source: 2, reason: 1)
    /// Provider abort: unexpected PDU.
    public static let unexpectedPDU = AbortReason(source: 2, reason: 2)
    /// Provider abort: invalid PDU parameter value.
    public static let invalidParameter = AbortReason(source: 2, reason: 6)
    /// Provider abort, reason not specified (timeouts, limits).
    public static let notSpecified = AbortReason(source: 2, reason: 0)
}

/// A Presentation Data Value: one fragment of a DIMSE command or data set (PS3.8 §9.3.5.1, Annex E).
public struct PDV: Sendable, Equatable {
    /// The presentation context the fragment belongs to.
    public var contextID: UInt8
    /// Bit 0 of the message control header: a command fragment (else a data set fragment).
    public var isCommand: Bool
    /// Bit 1: the last fragment of its command or data set.
    public var isLast: Bool
    /// The fragment bytes.
    public var data: ArraySlice<UInt8>

    /// Makes a PDV.
    public init(contextID: UInt8, isCommand: Bool, isLast: Bool, data: ArraySlice<UInt8>) {
        self.contextID = contextID
        self.isCommand = isCommand
        self.isLast = isLast
        self.data = data
    }
}
