extension SpecificCharacterSet {
    /// Encodes a string for `vr`, choosing escape sequences where the set uses code extensions.
    ///
    /// With ISO 2022 sets each character goes to the set already designated if it has it, else to the first declared
    /// set that has it, behind that set's escape sequence (PS3.3 Tables C.12-3/4). Before every delimiter
    /// (`\` between values, `^` and `=` in PN, control characters) and at the end, G0 returns to the initial set,
    /// and after it the decoder resets G1 too, so each name component starts afresh, as in PS3.5 Annexes H, I and K
    /// and as pydicom writes it. VRs that do not use (0008,0005) accept only ASCII (PS3.5 §6.1.2.3).
    ///
    /// - Throws: `DicomError` with code `.unencodableString` when a character is in none of the declared sets.
    public func encode(_ string: String, vr: VR) throws(DicomError) -> [UInt8] {
        let form = vr.usesSpecificCharacterSet ? plan.form : .iso2022
        switch form {
        case .utf8:
            return Array(string.utf8)
        case .gb18030, .gbk:
            if string.utf8.allSatisfy({ $0 < 0x80 }) { return Array(string.utf8) }
            var out: [UInt8] = []
            out.reserveCapacity(string.utf8.count)
            for scalar in string.unicodeScalars where !GB18030.encode(scalar.value, gbkOnly: form == .gbk, into: &out) {
                throw unencodable(scalar, in: string)
            }
            return out
        case .iso2022:
            if string.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) { return Array(string.utf8) }
            let plan = vr.usesSpecificCharacterSet ? plan : SpecificCharacterSet.default.plan
            return try encodeISO2022(string, plan: plan, vr: vr)
        }
    }

    private func encodeISO2022(_ string: String, plan: Plan, vr: VR) throws(DicomError) -> [UInt8] {
        let backslashResets = !vr.isSingleValuedText
        let isPersonName = vr == .PN
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 16)
        var g0 = plan.initialG0
        var g1 = plan.initialG1
        for scalar in string.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                // ESC in the text would forge a designation.
                if value == 0x1B { throw unencodable(scalar, in: string) }
                // ASCII, space and controls all need a single-byte G0, as Python's iso2022_jp writes them.
                if g0 != plan.initialG0 && g0 != .ascii {
                    plan.initialG0.appendDesignation(to: &out)
                    g0 = plan.initialG0
                }
                out.append(UInt8(value))
                if value < 0x20 || (value == 0x5C && backslashResets) || (isPersonName && (value == 0x5E || value == 0x3D)) {
                    g0 = plan.initialG0
                    g1 = plan.initialG1
                }
                continue
            }
            if case .doubleByte = g0, g0.encode(value, inG1: false, into: &out) { continue }
            if let current = g1, current.encode(value, inG1: true, into: &out) { continue }
            var encoded = false
            for set in plan.extensions where set != g0 && set != g1 {
                let mark = out.count
                set.appendDesignation(to: &out)
                if set.encode(value, inG1: set.isG1, into: &out) {
                    if set.isG1 { g1 = set } else { g0 = set }
                    encoded = true
                    break
                }
                out.removeSubrange(mark...)
            }
            if !encoded { throw unencodable(scalar, in: string) }
        }
        if g0 != plan.initialG0 && g0 != .ascii {
            plan.initialG0.appendDesignation(to: &out)
        }
        return out
    }

    private func unencodable(_ scalar: Unicode.Scalar, in string: String) -> DicomError {
        let code = "U+" + String(scalar.value, radix: 16, uppercase: true)
        return DicomError(.unencodableString, "\(code) in \"\(string)\" is not in Specific Character Set \(terms)")
    }
}
