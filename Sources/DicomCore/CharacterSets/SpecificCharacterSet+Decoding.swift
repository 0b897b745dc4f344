extension SpecificCharacterSet {
    /// Decodes a string value's bytes, honouring ISO 2022 escape sequences and the delimiters that reset them for `vr`
    /// (PS3.5 §6.1.2.5.3: `\` between values, `^` and `=` in PN, control characters such as CR/LF/FF/TAB in text).
    ///
    /// VRs that do not use (0008,0005) (`VR.usesSpecificCharacterSet` is false: CS, DA, UI, AE ...) decode in the
    /// default repertoire, as PS3.5 §6.1.2.3 requires. Pure ASCII input without ESC takes a fast path (eight bytes
    /// per step); otherwise the only allocation is the string's own storage (none for results up to 15 UTF-8 bytes).
    public func decode<C: Collection>(_ bytes: C, vr: VR) -> String where C.Element == UInt8 {
        if let string = bytes.withContiguousStorageIfAvailable({ decode(buffer: $0, vr: vr) }) {
            return string
        }
        return Array(bytes).withUnsafeBufferPointer { decode(buffer: $0, vr: vr) }
    }

    func decode(buffer: UnsafeBufferPointer<UInt8>, vr: VR) -> String {
        var form = vr.usesSpecificCharacterSet ? plan.form : .iso2022
        if form == .utf8 || Self.isPlainASCII(buffer) {
            return String(decoding: buffer, as: UTF8.self)
        }
        if terms.isEmpty && vr.usesSpecificCharacterSet && !buffer.contains(0x1B) {
            // No Specific Character Set, yet bytes beyond ASCII: writers that leave (0008,0005) out write UTF-8 or,
            // in the hospitals we serve, GBK. Valid UTF-8 is taken as UTF-8, anything else as GB18030 (a GBK superset).
            if let utf8 = String(validating: buffer, as: UTF8.self) { return utf8 }
            form = .gb18030
        }
        // Worst case is three UTF-8 bytes per input byte: a lone byte replaced by U+FFFD.
        let capacity = buffer.count * 3
        func fill(_ output: UnsafeMutableBufferPointer<UInt8>) -> Int {
            var sink = UTF8Sink(base: output.baseAddress!)
            switch form {
            case .gb18030, .gbk:
                GB18030.decode(buffer, gbkOnly: form == .gbk, into: &sink)
            case .iso2022, .utf8:
                let plan = vr.usesSpecificCharacterSet ? plan : SpecificCharacterSet.default.plan
                ISO2022Decoder(initialG0: plan.initialG0, initialG1: plan.initialG1, vr: vr).decode(buffer, into: &sink)
            }
            return sink.count
        }
        // Short values (most header strings) go through the stack, so a result of up to 15 UTF-8 bytes
        // allocates nothing; long ones are written straight into the string's storage.
        if capacity <= 1024 {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { output in
                String(decoding: UnsafeBufferPointer(rebasing: output[..<fill(output)]), as: UTF8.self)
            }
        }
        return String(unsafeUninitializedCapacity: capacity, initializingUTF8With: fill)
    }

    /// True when every byte is below 0x80 and none is ESC, so every supported set reads the bytes as ASCII.
    /// Checks eight bytes at a time.
    static func isPlainASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let count = buffer.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let esc = word ^ (ones &* 0x1B) // a zero byte where the input has ESC
            if (word | ((esc &- ones) & ~esc)) & highs != 0 { return false }
            i += 8
        }
        while i < count {
            let byte = base[i]
            if byte >= 0x80 || byte == 0x1B { return false }
            i += 1
        }
        return true
    }
}

/// Writes UTF-8 into a buffer sized by the caller; never allocates.
struct UTF8Sink {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0

    @inline(__always)
    mutating func append(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            base[count] = UInt8(truncatingIfNeeded: scalar)
            count &+= 1
        case ..<0x800:
            base[count] = UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6)
            base[count &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            count &+= 2
        case ..<0x10000:
            base[count] = UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12)
            base[count &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
            base[count &+ 2] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            count &+= 3
        default:
            base[count] = UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18)
            base[count &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F)
            base[count &+ 2] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
            base[count &+ 3] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            count &+= 4
        }
    }

    /// U+FFFD REPLACEMENT CHARACTER.
    @inline(__always)
    mutating func appendReplacement() {
        append(0xFFFD)
    }
}

/// Reads ISO 2022 bytes with G0 in GL (0x21-0x7E) and G1 in GR (0xA1-0xFE), PS3.5 §6.1.2.5.
///
/// Escape sequences are honoured for every set we know, declared or not (the sequence itself names the set);
/// unknown ones become one U+FFFD. The state returns to the initial sets after each control character other than
/// ESC and, while G0 is single-byte, after `\` (except in LT, ST, UT, UR) and after `^` and `=` in PN (PS3.5 §6.1.2.5.3).
struct ISO2022Decoder {
    let initialG0: GraphicSet
    let initialG1: GraphicSet?
    let backslashResets: Bool
    let isPersonName: Bool

    init(initialG0: GraphicSet, initialG1: GraphicSet?, vr: VR) {
        self.initialG0 = initialG0
        self.initialG1 = initialG1
        backslashResets = !vr.isSingleValuedText
        isPersonName = vr == .PN
    }

    /// The current designations and the tables they use, fetched once per designation rather than per byte.
    private struct State {
        var g0: GraphicSet
        var g1: GraphicSet?
        var g0Table = CharacterSetTables.Table.empty
        var g1Table = CharacterSetTables.Table.empty
        var g1SingleByteBase = 0

        init(g0: GraphicSet, g1: GraphicSet?) {
            self.g0 = g0
            self.g1 = g1
            designate(g0, g1: false)
            if let g1 { designate(g1, g1: true) }
        }

        mutating func designate(_ set: GraphicSet, g1 inG1: Bool) {
            var table = CharacterSetTables.Table.empty
            switch set {
            case .doubleByte(let double): table = double.table
            case .singleByte(let single) where inG1:
                table = CharacterSetTables.singleByte
                g1SingleByteBase = single.rawValue * 128 - 0x80
            case .katakana where inG1:
                // Shift_JIS kanji inside ISO_IR 13 values: pydicom's shift_jis reads them, so do we.
                table = CharacterSetTables.jisX0208
            default: break
            }
            if inG1 { g1 = set; g1Table = table } else { g0 = set; g0Table = table }
        }
    }

    func decode(_ bytes: UnsafeBufferPointer<UInt8>, into sink: inout UTF8Sink) {
        let initial = State(g0: initialG0, g1: initialG1)
        var state = initial
        let count = bytes.count
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte == 0x1B {
                i = designate(bytes, at: i, state: &state, sink: &sink)
                continue
            }
            if byte < 0x80 {
                if byte <= 0x20 || byte == 0x7F {
                    sink.append(UInt32(byte))
                    if byte < 0x20 { state = initial }
                    i += 1
                    continue
                }
                switch state.g0 {
                case .ascii, .jisRoman, .singleByte:
                    sink.append(UInt32(byte))
                    if (byte == 0x5C && backslashResets) || (isPersonName && (byte == 0x5E || byte == 0x3D)) {
                        state = initial
                    }
                    i += 1
                case .katakana:
                    if byte <= 0x5F { sink.append(0xFF61 + UInt32(byte - 0x21)) } else { sink.appendReplacement() }
                    i += 1
                case .doubleByte:
                    if i + 1 < count, bytes[i + 1] > 0x20, bytes[i + 1] < 0x7F {
                        append(state.g0Table[Int(byte - 0x21) * 94 + Int(bytes[i + 1] - 0x21)], to: &sink)
                        i += 2
                    } else {
                        sink.appendReplacement()
                        i += 1
                    }
                }
                continue
            }
            // GR: byte >= 0x80.
            switch state.g1 {
            case .singleByte?:
                append(state.g1Table[state.g1SingleByteBase + Int(byte)], to: &sink)
                i += 1
            case .doubleByte?:
                if byte > 0xA0, byte < 0xFF, i + 1 < count, bytes[i + 1] > 0xA0, bytes[i + 1] < 0xFF {
                    append(state.g1Table[Int(byte - 0xA1) * 94 + Int(bytes[i + 1] - 0xA1)], to: &sink)
                    i += 2
                } else {
                    sink.appendReplacement()
                    i += 1
                }
            case .katakana?:
                if byte >= 0xA1, byte <= 0xDF {
                    sink.append(0xFF61 + UInt32(byte - 0xA1))
                    i += 1
                } else if i + 1 < count, let code = Self.shiftJISToJIS(byte, bytes[i + 1]) {
                    append(state.g1Table[Int(code >> 8 - 0x21) * 94 + Int(code & 0xFF - 0x21)], to: &sink)
                    i += 2
                } else {
                    sink.appendReplacement()
                    i += 1
                }
            case .ascii?, .jisRoman?:
                let low = byte & 0x7F
                if low > 0x20, low < 0x7F { sink.append(UInt32(low)) } else { sink.appendReplacement() }
                i += 1
            case nil:
                sink.appendReplacement()
                i += 1
            }
        }
    }

    @inline(__always)
    private func append(_ scalar: UInt16, to sink: inout UTF8Sink) {
        if scalar == 0 { sink.appendReplacement() } else { sink.append(UInt32(scalar)) }
    }

    /// Reads the escape sequence at `start`, applies it, and returns the index after it.
    private func designate(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, state: inout State, sink: inout UTF8Sink) -> Int {
        var end = start + 1
        while end < bytes.count, bytes[end] >= 0x20, bytes[end] <= 0x2F { end += 1 }
        let intermediates = end - start - 1
        guard end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x7E, intermediates >= 1, intermediates <= 2,
              let (set, g1) = GraphicSet.designation(
                  intermediate1: bytes[start + 1], intermediate2: intermediates == 2 ? bytes[start + 2] : nil,
                  final: bytes[end])
        else {
            sink.appendReplacement()
            // Swallow an unknown sequence whole, and a cut-off one up to where it stops; keep a byte that cannot end one.
            return end < bytes.count && bytes[end] >= 0x30 && bytes[end] <= 0x7E ? end + 1 : end
        }
        state.designate(set, g1: g1)
        return end + 1
    }

    /// The JIS X 0208 code (0x2121-0x7E7E) of a Shift_JIS double-byte character, if the bytes form one.
    static func shiftJISToJIS(_ lead: UInt8, _ trail: UInt8) -> UInt16? {
        guard (0x81...0x9F).contains(lead) || (0xE0...0xEF).contains(lead),
              trail >= 0x40, trail <= 0xFC, trail != 0x7F else { return nil }
        var row = (lead <= 0x9F ? Int(lead) - 0x71 : Int(lead) - 0xB1) * 2 + 1
        var cell = Int(trail) - (trail > 0x7F ? 1 : 0)
        if cell >= 0x9E {
            row += 1
            cell -= 0x7D
        } else {
            cell -= 0x1F
        }
        return UInt16(row) << 8 | UInt16(cell)
    }
}
