/// Checks on the text fields of an A-ASSOCIATE-RQ that the byte-level parser lets through.
///
/// The parser keeps AE titles and UIDs as the peer sent them; these rules decide whether they are acceptable before
/// anything is matched against allow-lists, logged or written into files.
extension AssociateRequest {
    /// Why the request must be rejected, with the A-ASSOCIATE-RJ to answer, or nil when every field is well formed.
    ///
    /// AE titles (PS3.5 §6.2, VR AE): 1 to 16 characters of the default repertoire without control characters or
    /// backslash. UIDs (PS3.5 §9.1): digits and periods, at most 64 characters. The Implementation Version Name
    /// (PS3.7 §D.3.3.2) follows the AE rules.
    public var validationProblem: (reject: AssociateReject, reason: String)? {
        if let problem = AssociateRequest.aeTitleProblem(callingAE) { return (.callingAENotRecognized, "calling AE title \(problem)") }
        if let problem = AssociateRequest.aeTitleProblem(calledAE) { return (.calledAENotRecognized, "called AE title \(problem)") }
        if let problem = AssociateRequest.uidProblem(applicationContext) { return (.applicationContextNotSupported, "application context name \(problem)") }
        for pc in presentationContexts {
            if let problem = AssociateRequest.uidProblem(pc.abstractSyntax) { return (.noReason, "abstract syntax of context \(pc.id) \(problem)") }
            for ts in pc.transferSyntaxes {
                if let problem = AssociateRequest.uidProblem(ts) { return (.noReason, "a transfer syntax of context \(pc.id) \(problem)") }
            }
        }
        let info = userInformation
        if !info.implementationClassUID.isEmpty, let problem = AssociateRequest.uidProblem(info.implementationClassUID) {
            return (.noReason, "implementation class UID \(problem)")
        }
        if let name = info.implementationVersionName, !name.isEmpty, let problem = AssociateRequest.aeTitleProblem(name) {
            return (.noReason, "implementation version name \(problem)")
        }
        for role in info.roleSelections {
            if let problem = AssociateRequest.uidProblem(role.sopClassUID) { return (.noReason, "role selection SOP class \(problem)") }
        }
        for negotiation in info.extendedNegotiations {
            if let problem = AssociateRequest.uidProblem(negotiation.sopClassUID) { return (.noReason, "extended negotiation SOP class \(problem)") }
        }
        return nil
    }

    /// What is wrong with an AE title, or nil.
    static func aeTitleProblem(_ title: String) -> String? {
        guard !title.isEmpty else { return "is empty" }
        guard title.utf8.count <= 16 else { return "is longer than 16 characters" }
        for byte in title.utf8 where byte < 0x20 || byte > 0x7E || byte == 0x5C {
            return "holds byte 0x\(String(byte, radix: 16, uppercase: true)) (control, non-ASCII or backslash)"
        }
        return nil
    }

    /// What is wrong with a UID, or nil.
    static func uidProblem(_ uid: String) -> String? {
        guard !uid.isEmpty else { return "is empty" }
        guard uid.utf8.count <= 64 else { return "is longer than 64 characters" }
        for byte in uid.utf8 where !(byte == 0x2E || (0x30...0x39).contains(byte)) {
            return "holds byte 0x\(String(byte, radix: 16, uppercase: true)) (a UID has only digits and periods)"
        }
        return nil
    }
}
