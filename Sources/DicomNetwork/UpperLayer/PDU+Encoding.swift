extension PDU {
    /// The PDU's bytes (PS3.8 §9.3): header with the big-endian length, then the body.
    public func encoded() -> [UInt8] {
        var w = PDUWriter()
        w.u8(type)
        w.u8(0)
        let lengthAt = w.bytes.count
        w.u32(0)
        switch self {
        case .associateRQ(let rq):
            PDU.writeAssociateHeader(&w, rq.protocolVersion, rq.calledAE, rq.callingAE)
            w.item(0x10) { $0.ascii(rq.applicationContext) }
            for pc in rq.presentationContexts {
                w.item(0x20) { w in
                    w.u8(pc.id); w.zeros(3)
                    w.item(0x30) { $0.ascii(pc.abstractSyntax) }
                    for ts in pc.transferSyntaxes { w.item(0x40) { $0.ascii(ts) } }
                }
            }
            PDU.writeUserInformation(&w, rq.userInformation)
        case .associateAC(let ac):
            PDU.writeAssociateHeader(&w, ac.protocolVersion, ac.calledAE, ac.callingAE)
            w.item(0x10) { $0.ascii(ac.applicationContext) }
            for pc in ac.presentationContexts {
                w.item(0x21) { w in
                    w.u8(pc.id); w.u8(0); w.u8(pc.result.rawValue); w.u8(0)
                    w.item(0x40) { $0.ascii(pc.transferSyntax) }
                }
            }
            PDU.writeUserInformation(&w, ac.userInformation)
        case .associateRJ(let rj):
            w.u8(0); w.u8(rj.result); w.u8(rj.source); w.u8(rj.reason)
        case .dataTF(let pdvs):
            for pdv in pdvs {
                w.u32(UInt32(pdv.data.count + 2))
                w.u8(pdv.contextID)
                w.u8((pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0))
                w.bytes.append(contentsOf: pdv.data)
            }
        case .releaseRQ, .releaseRP:
            w.zeros(4)
        case .abort(let reason):
            w.zeros(2); w.u8(reason.source); w.u8(reason.reason)
        }
        w.patch32(at: lengthAt, UInt32(w.bytes.count - PDU.headerLength))
        return w.bytes
    }

    private static func writeAssociateHeader(_ w: inout PDUWriter, _ version: UInt16, _ called: String, _ calling: String) {
        w.u16(version)
        w.zeros(2)
        w.aeTitle(called)
        w.aeTitle(calling)
        w.zeros(32)
    }

    private static func writeUserInformation(_ w: inout PDUWriter, _ info: UserInformation) {
        w.item(0x50) { w in
            w.item(0x51) { $0.u32(info.maximumLength) }
            w.item(0x52) { $0.ascii(info.implementationClassUID) }
            if let window = info.asynchronousOperationsWindow { w.item(0x53) { $0.u16(window.invoked); $0.u16(window.performed) } }
            for role in info.roleSelections {
                w.item(0x54) { w in
                    w.u16(UInt16(role.sopClassUID.utf8.count)); w.ascii(role.sopClassUID)
                    w.u8(role.scu ? 1 : 0); w.u8(role.scp ? 1 : 0)
                }
            }
            if let name = info.implementationVersionName { w.item(0x55) { $0.ascii(name) } }
            for ext in info.extendedNegotiations {
                w.item(0x56) { w in
                    w.u16(UInt16(ext.sopClassUID.utf8.count)); w.ascii(ext.sopClassUID)
                    w.bytes.append(contentsOf: ext.applicationInformation)
                }
            }
            if let id = info.userIdentity {
                w.item(0x58) { w in
                    w.u8(id.type); w.u8(id.positiveResponseRequested ? 1 : 0)
                    w.u16(UInt16(id.primaryField.count)); w.bytes.append(contentsOf: id.primaryField)
                    w.u16(UInt16(id.secondaryField.count)); w.bytes.append(contentsOf: id.secondaryField)
                }
            }
            if let response = info.userIdentityResponse {
                w.item(0x59) { w in w.u16(UInt16(response.count)); w.bytes.append(contentsOf: response) }
            }
        }
    }
}

/// Big-endian writer for PDUs and their items.
struct PDUWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(truncatingIfNeeded: v)) }
    mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }
    mutating func ascii(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// AE titles are 16 bytes, space padded (PS3.8 Table 9-11).
    mutating func aeTitle(_ s: String) {
        let b = Array(s.utf8.prefix(16))
        bytes.append(contentsOf: b)
        bytes.append(contentsOf: repeatElement(0x20, count: 16 - b.count))
    }

    mutating func patch32(at i: Int, _ v: UInt32) {
        bytes[i] = UInt8(v >> 24); bytes[i + 1] = UInt8(truncatingIfNeeded: v >> 16)
        bytes[i + 2] = UInt8(truncatingIfNeeded: v >> 8); bytes[i + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// An item: type, reserved, 16-bit length patched after `body` writes the value.
    mutating func item(_ type: UInt8, _ body: (inout PDUWriter) -> Void) {
        u8(type); u8(0)
        let at = bytes.count
        u16(0)
        body(&self)
        let n = bytes.count - at - 2
        bytes[at] = UInt8(truncatingIfNeeded: n >> 8); bytes[at + 1] = UInt8(truncatingIfNeeded: n)
    }
}
