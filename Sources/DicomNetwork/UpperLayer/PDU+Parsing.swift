extension PDU {
    /// The PDU header is six bytes: type, reserved, 32-bit big-endian length (PS3.8 §9.3.1).
    public static let headerLength = 6

    /// The default largest PDU body a parser accepts when none is negotiated.
    public static let defaultMaximumLength: UInt32 = 1 << 20

    /// What the first bytes of a stream say about the next PDU: its total length, or that more bytes are needed.
    ///
    /// Throws `.unknownPDUType` for a type outside 01...07 and `.oversizedPDU` when the declared length exceeds
    /// `maximumLength`, before the body is read: a hostile length never makes the receiver buffer it.
    public static func frameLength(of bytes: some Collection<UInt8>, maximumLength: UInt32) throws(DicomNetworkError) -> Int? {
        guard bytes.count >= headerLength else { return nil }
        var i = bytes.startIndex
        let type = bytes[i]
        guard (0x01...0x07).contains(type) else { throw DicomNetworkError(.unknownPDUType, "PDU type 0x\(String(type, radix: 16))") }
        i = bytes.index(i, offsetBy: 2)
        var length: UInt32 = 0
        for _ in 0..<4 { length = length << 8 | UInt32(bytes[i]); i = bytes.index(after: i) }
        guard length <= maximumLength else { throw DicomNetworkError(.oversizedPDU, "PDU type \(type) declares \(length) bytes, limit \(maximumLength)") }
        return headerLength + Int(length)
    }

    /// Parses exactly one PDU occupying all of `bytes`.
    ///
    /// A pure function for fuzzing: every failure is a ``DicomNetworkError`` — `.truncatedPDU` when the bytes end early,
    /// `.malformedPDU` for trailing bytes or inconsistent item lengths, `.oversizedPDU` and `.unknownPDUType` from the header.
    public init(parsing bytes: ArraySlice<UInt8>, maximumLength: UInt32 = PDU.defaultMaximumLength) throws(DicomNetworkError) {
        guard let total = try PDU.frameLength(of: bytes, maximumLength: maximumLength) else {
            throw DicomNetworkError(.truncatedPDU, "\(bytes.count) bytes are shorter than a PDU header")
        }
        guard bytes.count >= total else { throw DicomNetworkError(.truncatedPDU, "PDU needs \(total) bytes, have \(bytes.count)") }
        guard bytes.count == total else { throw DicomNetworkError(.malformedPDU, "\(bytes.count - total) bytes after the PDU") }
        let type = bytes[bytes.startIndex]
        var body = PDUReader(bytes[(bytes.startIndex + PDU.headerLength)...])
        switch type {
        case 0x01: self = .associateRQ(try PDU.parseAssociateRQ(&body))
        case 0x02: self = .associateAC(try PDU.parseAssociateAC(&body))
        case 0x03:
            try body.need(4, "A-ASSOCIATE-RJ")
            try body.skip(1)
            let result = try body.u8(), source = try body.u8(), reason = try body.u8()
            self = .associateRJ(AssociateReject(result: result, source: source, reason: reason))
        case 0x04:
            var pdvs: [PDV] = []
            guard !body.isAtEnd else { throw DicomNetworkError(.malformedPDU, "P-DATA-TF without a PDV") }
            while !body.isAtEnd {
                let length = Int(try body.u32())
                guard length >= 2 else { throw DicomNetworkError(.malformedPDU, "PDV length \(length) is shorter than its header") }
                var item = PDUReader(try body.take(length))
                let context = try item.u8(), header = try item.u8()
                guard context & 1 == 1 else { throw DicomNetworkError(.malformedPDU, "PDV presentation context id \(context) is even") }
                guard header & 0xFC == 0 else { throw DicomNetworkError(.malformedPDU, "PDV message control header 0x\(String(header, radix: 16))") }
                pdvs.append(PDV(contextID: context, isCommand: header & 1 == 1, isLast: header & 2 == 2, data: item.rest))
            }
            self = .dataTF(pdvs)
        case 0x05, 0x06:
            try body.need(4, "A-RELEASE")
            try body.skip(4)
            self = type == 0x05 ? .releaseRQ : .releaseRP
        default:
            try body.need(4, "A-ABORT")
            try body.skip(2)
            let source = try body.u8(), reason = try body.u8()
            self = .abort(AbortReason(source: source, reason: reason))
        }
        guard body.isAtEnd else { throw DicomNetworkError(.malformedPDU, "\(body.remaining) unexpected bytes at the end of PDU type \(type)") }
    }

    /// Parses one PDU from `bytes`. Convenience for arrays.
    public init(parsing bytes: [UInt8], maximumLength: UInt32 = PDU.defaultMaximumLength) throws(DicomNetworkError) {
        try self.init(parsing: bytes[...], maximumLength: maximumLength)
    }

    /// The fixed part shared by A-ASSOCIATE-RQ and -AC: version, AE titles, reserved bytes (PS3.8 Table 9-11).
    private static func parseAssociateHeader(_ r: inout PDUReader) throws(DicomNetworkError) -> (UInt16, String, String) {
        try r.need(68, "A-ASSOCIATE header")
        let version = try r.u16()
        try r.skip(2)
        let called = try r.string(16), calling = try r.string(16)
        try r.skip(32)
        return (version, called, calling)
    }

    private static func parseAssociateRQ(_ r: inout PDUReader) throws(DicomNetworkError) -> AssociateRequest {
        let (version, called, calling) = try parseAssociateHeader(&r)
        var request = AssociateRequest(calledAE: called, callingAE: calling, applicationContext: "", presentationContexts: [], protocolVersion: version)
        var sawUserInfo = false
        while !r.isAtEnd {
            let (type, value) = try r.item()
            var v = PDUReader(value)
            switch type {
            case 0x10: request.applicationContext = v.uid()
            case 0x20:
                let id = try v.u8()
                try v.skip(3)
                var proposal = PresentationContextProposal(id: id, abstractSyntax: "", transferSyntaxes: [])
                var sawAbstract = false
                while !v.isAtEnd {
                    let (sub, subValue) = try v.item()
                    var s = PDUReader(subValue)
                    if sub == 0x30 { proposal.abstractSyntax = s.uid(); sawAbstract = true }
                    else if sub == 0x40 { proposal.transferSyntaxes.append(s.uid()) }
                    else { throw DicomNetworkError(.malformedPDU, "item 0x\(String(sub, radix: 16)) in a presentation context") }
                }
                guard sawAbstract, !proposal.transferSyntaxes.isEmpty else {
                    throw DicomNetworkError(.malformedPDU, "presentation context \(id) lacks an abstract or transfer syntax")
                }
                request.presentationContexts.append(proposal)
            case 0x50:
                request.userInformation = try parseUserInformation(&v)
                sawUserInfo = true
            default: throw DicomNetworkError(.malformedPDU, "item type 0x\(String(type, radix: 16)) in A-ASSOCIATE-RQ")
            }
        }
        guard !request.applicationContext.isEmpty, sawUserInfo else {
            throw DicomNetworkError(.malformedPDU, "A-ASSOCIATE-RQ lacks the application context or user information")
        }
        return request
    }

    private static func parseAssociateAC(_ r: inout PDUReader) throws(DicomNetworkError) -> AssociateAccept {
        let (version, called, calling) = try parseAssociateHeader(&r)
        var accept = AssociateAccept(calledAE: called, callingAE: calling, applicationContext: "", presentationContexts: [], protocolVersion: version)
        while !r.isAtEnd {
            let (type, value) = try r.item()
            var v = PDUReader(value)
            switch type {
            case 0x10: accept.applicationContext = v.uid()
            case 0x21:
                let id = try v.u8()
                try v.skip(1)
                let raw = try v.u8()
                try v.skip(1)
                guard let result = PresentationContextResult.Result(rawValue: raw) else {
                    throw DicomNetworkError(.malformedPDU, "presentation context result \(raw)")
                }
                var syntax = ""
                while !v.isAtEnd {
                    let (sub, subValue) = try v.item()
                    var s = PDUReader(subValue)
                    if sub == 0x40 { syntax = s.uid() } else { throw DicomNetworkError(.malformedPDU, "item 0x\(String(sub, radix: 16)) in a presentation context result") }
                }
                accept.presentationContexts.append(PresentationContextResult(id: id, result: result, transferSyntax: syntax))
            case 0x50: accept.userInformation = try parseUserInformation(&v)
            default: throw DicomNetworkError(.malformedPDU, "item type 0x\(String(type, radix: 16)) in A-ASSOCIATE-AC")
            }
        }
        return accept
    }

    private static func parseUserInformation(_ r: inout PDUReader) throws(DicomNetworkError) -> UserInformation {
        var info = UserInformation(maximumLength: 0, implementationClassUID: "", implementationVersionName: nil)
        while !r.isAtEnd {
            let (type, value) = try r.item()
            var v = PDUReader(value)
            switch type {
            case 0x51: info.maximumLength = try v.u32()
            case 0x52: info.implementationClassUID = v.uid()
            case 0x53:
                let invoked = try v.u16(), performed = try v.u16()
                info.asynchronousOperationsWindow = (invoked, performed)
            case 0x54:
                let uid = try v.lengthPrefixedString()
                let scu = try v.u8(), scp = try v.u8()
                info.roleSelections.append(RoleSelection(sopClassUID: uid, scu: scu == 1, scp: scp == 1))
            case 0x55: info.implementationVersionName = v.uid()
            case 0x56:
                let uid = try v.lengthPrefixedString()
                info.extendedNegotiations.append(ExtendedNegotiation(sopClassUID: uid, applicationInformation: Array(v.rest)))
                v = PDUReader([][...])
            case 0x58:
                let kind = try v.u8(), positive = try v.u8()
                let primary = try v.take(Int(try v.u16()))
                let secondary = try v.take(Int(try v.u16()))
                info.userIdentity = UserIdentity(type: kind, positiveResponseRequested: positive == 1, primaryField: Array(primary), secondaryField: Array(secondary))
            case 0x59: info.userIdentityResponse = Array(try v.take(Int(try v.u16())))
            default:
                // Unknown sub-items (SOP Class Common Extended Negotiation, future items) are skipped, as PS3.7 §D.3.3 allows.
                v = PDUReader([][...])
            }
            guard v.isAtEnd else { throw DicomNetworkError(.malformedPDU, "user information sub-item 0x\(String(type, radix: 16)) has \(v.remaining) extra bytes") }
        }
        return info
    }
}

/// A cursor over PDU bytes: reads move forward only on success, and each failure is `.truncatedPDU`.
struct PDUReader {
    private(set) var rest: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    var isAtEnd: Bool { rest.isEmpty }
    var remaining: Int { rest.count }

    func need(_ n: Int, _ what: String) throws(DicomNetworkError) {
        guard rest.count >= n else { throw DicomNetworkError(.truncatedPDU, "\(what) needs \(n) bytes, have \(rest.count)") }
    }

    mutating func skip(_ n: Int) throws(DicomNetworkError) { _ = try take(n) }

    mutating func take(_ n: Int) throws(DicomNetworkError) -> ArraySlice<UInt8> {
        guard n >= 0, rest.count >= n else { throw DicomNetworkError(.truncatedPDU, "an item needs \(n) bytes, have \(rest.count)") }
        let start = rest.startIndex
        defer { rest = rest[(start + n)...] }
        return rest[start..<(start + n)]
    }

    mutating func u8() throws(DicomNetworkError) -> UInt8 { try take(1).first! }

    mutating func u16() throws(DicomNetworkError) -> UInt16 {
        let b = try take(2)
        return UInt16(b[b.startIndex]) << 8 | UInt16(b[b.startIndex + 1])
    }

    mutating func u32() throws(DicomNetworkError) -> UInt32 {
        let b = try take(4)
        var v: UInt32 = 0
        for x in b { v = v << 8 | UInt32(x) }
        return v
    }

    /// An item: type, reserved byte, 16-bit length, value (PS3.8 §9.3.2.1 and on).
    mutating func item() throws(DicomNetworkError) -> (UInt8, ArraySlice<UInt8>) {
        let type = try u8()
        try skip(1)
        let length = Int(try u16())
        return (type, try take(length))
    }

    /// A 16-bit-length-prefixed string (role selection, extended negotiation).
    mutating func lengthPrefixedString() throws(DicomNetworkError) -> String {
        let n = Int(try u16())
        return PDUReader.trimmed(try take(n))
    }

    /// The rest as a UID or name, with trailing NUL padding and spaces removed.
    mutating func uid() -> String {
        defer { rest = rest[rest.endIndex...] }
        return PDUReader.trimmed(rest)
    }

    /// A fixed-width AE title field, spaces trimmed both ends (PS3.8 Table 9-11 calls leading spaces insignificant).
    mutating func string(_ n: Int) throws(DicomNetworkError) -> String {
        let s = PDUReader.trimmed(try take(n))
        return s.trimmingCharacters(inSpaces: true)
    }

    static func trimmed(_ b: ArraySlice<UInt8>) -> String {
        var end = b.endIndex
        while end > b.startIndex, b[end - 1] == 0 || b[end - 1] == 0x20 { end -= 1 }
        return String(decoding: b[b.startIndex..<end], as: UTF8.self)
    }
}

extension String {
    func trimmingCharacters(inSpaces: Bool) -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
