import Testing
@testable import DicomCore

/// Bytes from a hex string such as "1B 24 42".
private func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}

/// One oracle vector: bytes as a file or the standard has them, and the string they mean.
struct CharsetVector: Sendable, CustomTestStringConvertible {
    let source: String
    let terms: [String]
    let vr: VR
    let bytes: [UInt8]
    let text: String
    /// Whether our encoder writes exactly `bytes` back (false where the writer added a redundant escape).
    let roundTrips: Bool

    init(_ source: String, _ terms: [String], _ vr: VR, _ bytes: String, _ text: String, roundTrips: Bool = true) {
        self.source = source
        self.terms = terms
        self.vr = vr
        self.bytes = hex(bytes)
        self.text = text
        self.roundTrips = roundTrips
    }

    var testDescription: String { source }
}

/// The examples of PS3.5 Annexes H, I, J and K, with the bytes the standard prints.
private let standardExamples: [CharsetVector] = [
    CharsetVector("PS3.5 H.3.1 Japanese, ISO 2022 IR 87", ["", "ISO 2022 IR 87"], .PN,
                  "59 61 6D 61 64 61 5E 54 61 72 6F 75 3D 1B 24 42 3B 33 45 44 1B 28 42 5E 1B 24 42 42 40 4F 3A 1B 28 42 3D 1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42",
                  "Yamada^Tarou=山田^太郎=やまだ^たろう"),
    CharsetVector("PS3.5 H.3.2 Japanese, ISO 2022 IR 13 first", ["ISO 2022 IR 13", "ISO 2022 IR 87"], .PN,
                  "D4 CF C0 DE 5E C0 DB B3 3D 1B 24 42 3B 33 45 44 1B 28 4A 5E 1B 24 42 42 40 4F 3A 1B 28 4A 3D 1B 24 42 24 64 24 5E 24 40 1B 28 4A 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 4A",
                  "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
    CharsetVector("PS3.5 I.2 Korean, ISO 2022 IR 149", ["", "ISO 2022 IR 149"], .PN,
                  "48 6F 6E 67 5E 47 69 6C 64 6F 6E 67 3D 1B 24 29 43 FB F3 5E 1B 24 29 43 D1 CE D4 D7 3D 1B 24 29 43 C8 AB 5E 1B 24 29 43 B1 E6 B5 BF",
                  "Hong^Gildong=洪^吉洞=홍^길동"),
    CharsetVector("PS3.5 J.3 Chinese, GB18030", ["GB18030"], .PN,
                  "57 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D CD F5 5E D0 A1 B6 AB 3D",
                  "Wang^XiaoDong=王^小东="),
    CharsetVector("PS3.5 K.2 Chinese, ISO 2022 IR 58", ["", "ISO 2022 IR 58"], .PN,
                  "5A 68 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D 1B 24 29 41 D5 C5 5E 1B 24 29 41 D0 A1 B6 AB 3D 20",
                  "Zhang^XiaoDong=张^小东= "),
    CharsetVector("PS3.5 K.3 Chinese long text, ISO 2022 IR 58", ["", "ISO 2022 IR 58"], .LT,
                  "31 2E 1B 24 29 41 B5 DA D2 BB D0 D0 CE C4 D7 D6 A1 A3 0D 0A 32 2E 1B 24 29 41 B5 DA B6 FE D0 D0 CE C4 D7 D6 A1 A3 0D 0A 33 2E 1B 24 29 41 B5 DA C8 FD D0 D0 CE C4 D7 D6 A1 A3 0D 0A",
                  "1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n"),
]

/// Values from pydicom 3.0.2's test files (pydicom/data/charset_files), raw bytes read with pydicom,
/// text as pydicom decodes them. pydicom's PersonName drops trailing padding and an empty last component;
/// `text` keeps them, since we decode bytes and leave trimming to the parser.
private let pydicomFiles: [CharsetVector] = [
    CharsetVector("chrArab.dcm", ["ISO_IR 127"], .PN, "E2 C8 C7 E6 EA 5E E4 E6 D2 C7 D1 20", "قباني^لنزار "),
    CharsetVector("chrFren.dcm", ["ISO_IR 100"], .PN, "42 75 63 5E 4A E9 72 F4 6D 65", "Buc^Jérôme"),
    CharsetVector("chrFrenMulti.dcm (0010,1001)", ["ISO_IR 100"], .PN,
                  "42 75 63 5E 4A E9 72 F4 6D 65 5C 42 75 63 5E 4A E9 72 F4 6D 65 20", "Buc^Jérôme\\Buc^Jérôme "),
    CharsetVector("chrGerm.dcm", ["ISO_IR 100"], .PN, "C4 6E 65 61 73 5E 52 FC 64 69 67 65 72 20", "Äneas^Rüdiger "),
    CharsetVector("chrGreek.dcm", ["ISO_IR 126"], .PN, "C4 E9 EF ED F5 F3 E9 EF F2 20", "Διονυσιος "),
    CharsetVector("chrH31.dcm", ["", "ISO 2022 IR 87"], .PN,
                  "59 61 6D 61 64 61 5E 54 61 72 6F 75 3D 1B 24 42 3B 33 45 44 1B 28 42 5E 1B 24 42 42 40 4F 3A 1B 28 42 3D 1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42",
                  "Yamada^Tarou=山田^太郎=やまだ^たろう"),
    CharsetVector("chrH32.dcm", ["ISO 2022 IR 13", "ISO 2022 IR 87"], .PN,
                  "D4 CF C0 DE 5E C0 DB B3 3D 1B 24 42 3B 33 45 44 1B 28 4A 5E 1B 24 42 42 40 4F 3A 1B 28 4A 3D 1B 24 42 24 64 24 5E 24 40 1B 28 4A 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 4A",
                  "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
    CharsetVector("chrHbrw.dcm", ["ISO_IR 138"], .PN, "F9 F8 E5 EF 5E E3 E1 E5 F8 E4", "שרון^דבורה"),
    CharsetVector("chrI2.dcm", ["", "ISO 2022 IR 149"], .PN,
                  "48 6F 6E 67 5E 47 69 6C 64 6F 6E 67 3D 1B 24 29 43 FB F3 5E 1B 24 29 43 D1 CE D4 D7 3D 1B 24 29 43 C8 AB 5E 1B 24 29 43 B1 E6 B5 BF",
                  "Hong^Gildong=洪^吉洞=홍^길동"),
    CharsetVector("chrJapMulti.dcm (0010,1001)", ["", "ISO 2022 IR 87"], .PN,
                  "1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42 5C 1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42 20",
                  "やまだ^たろう\\やまだ^たろう "),
    CharsetVector("chrJapMulti.dcm (0010,21B0) LT", ["", "ISO 2022 IR 87"], .LT,
                  "1B 24 42 24 3F 24 6D 24 26 1B 28 42", "たろう"),
    CharsetVector("chrJapMultiExplicitIR6.dcm", ["ISO 2022 IR 6", "ISO 2022 IR 87"], .PN,
                  "1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42 20", "やまだ^たろう "),
    // The writer returned G0 to ASCII although it never left it; we do not write that escape.
    CharsetVector("chrKoreanMulti.dcm", ["", "ISO 2022 IR 149"], .PN,
                  "1B 24 29 43 B1 E8 C8 F1 C1 DF 1B 28 42 20", "김희중 ", roundTrips: false),
    CharsetVector("chrKoreanMulti.dcm (0010,1001)", ["", "ISO 2022 IR 149"], .PN,
                  "1B 24 29 43 B1 E8 C8 F1 C1 DF 1B 28 42 5C 1B 24 29 43 B1 E8 C8 F1 C1 DF 1B 28 42 20",
                  "김희중\\김희중 ", roundTrips: false),
    CharsetVector("chrRuss.dcm", ["ISO_IR 144"], .PN, "BB EE DA 63 65 DC D1 79 70 D3", "Люкceмбypг"),
    CharsetVector("chrX1.dcm", ["ISO_IR 192"], .PN,
                  "57 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D E7 8E 8B 5E E5 B0 8F E6 9D B1 3D 20", "Wang^XiaoDong=王^小東= "),
    CharsetVector("chrX2.dcm", ["GB18030"], .PN,
                  "57 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D CD F5 5E D0 A1 B6 AB 3D", "Wang^XiaoDong=王^小东="),
    CharsetVector("chrSQEncoding.dcm item (0010,0010)", ["ISO 2022 IR 13", "ISO 2022 IR 87"], .PN,
                  "D4 CF C0 DE 5E C0 DB B3 3D 1B 24 42 3B 33 45 44 1B 28 42 5E 1B 24 42 42 40 4F 3A 1B 28 42 3D 1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42",
                  "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", roundTrips: false), // returns with ESC ( B, we with ESC ( J
]

/// One known string per single-byte set; bytes from Python's codec for that set.
private let singleByteSamples: [CharsetVector] = [
    CharsetVector("ISO_IR 100", ["ISO_IR 100"], .LO, "C6 72 F8", "Ærø"),
    CharsetVector("ISO_IR 101", ["ISO_IR 101"], .LO, "A3 F3 64 BC 20 50 F8 ED 6C 69 B9", "Łódź Příliš"),
    CharsetVector("ISO_IR 109", ["ISO_IR 109"], .LO, "A1 F5 BF", "Ħġż"),
    CharsetVector("ISO_IR 110", ["ISO_IR 110"], .LO, "C0 F3 B3 A9", "ĀķŗŠ"),
    CharsetVector("ISO_IR 126", ["ISO_IR 126"], .LO, "C1 E8 DE ED E1", "Αθήνα"),
    CharsetVector("ISO_IR 127", ["ISO_IR 127"], .LO, "D9 D1 C8 EA", "عربي"),
    CharsetVector("ISO_IR 138", ["ISO_IR 138"], .LO, "F9 EC E5 ED", "שלום"),
    CharsetVector("ISO_IR 144", ["ISO_IR 144"], .LO, "BC DE E1 DA D2 D0", "Москва"),
    CharsetVector("ISO_IR 148", ["ISO_IR 148"], .LO, "DD FE F0", "İşğ"),
    CharsetVector("ISO_IR 166", ["ISO_IR 166"], .LO, "CA C7 D1 CA B4 D5", "สวัสดี"),
    CharsetVector("ISO_IR 13", ["ISO_IR 13"], .LO, "D4 CF C0 DE", "ﾔﾏﾀﾞ"),
]

@Suite struct CharacterSetTests {
    // MARK: Oracle vectors

    @Test(arguments: standardExamples + pydicomFiles + singleByteSamples)
    func vectorDecodesToTheOracleText(_ vector: CharsetVector) {
        let cs = SpecificCharacterSet(terms: vector.terms)
        #expect(cs.isKnown)
        #expect(cs.decode(vector.bytes, vr: vector.vr) == vector.text)
    }

    @Test(arguments: (standardExamples + pydicomFiles + singleByteSamples).filter(\.roundTrips))
    func encodingTheDecodedTextGivesTheOriginalBytes(_ vector: CharsetVector) throws {
        let cs = SpecificCharacterSet(terms: vector.terms)
        let text = cs.decode(vector.bytes, vr: vector.vr)
        #expect(try cs.encode(text, vr: vector.vr) == vector.bytes)
    }

    @Test(arguments: standardExamples + pydicomFiles)
    func everyTruncatedPrefixDecodesWithoutTrapping(_ vector: CharsetVector) {
        let cs = SpecificCharacterSet(terms: vector.terms)
        let whole = Array(cs.decode(vector.bytes, vr: vector.vr).unicodeScalars)
        for end in 0...vector.bytes.count {
            // A prefix that stops inside a character or escape ends in U+FFFD; what comes before decodes as in the whole.
            var part = Array(cs.decode(vector.bytes[..<end], vr: vector.vr).unicodeScalars)
            while part.last == "\u{FFFD}" { part.removeLast() }
            #expect(whole.starts(with: part), "prefix of \(end) bytes")
        }
    }

    // MARK: GB18030 and GBK

    @Test func zhangWeiInGB18030GBKAndUTF8() throws {
        let gb = hex("D5 C5 CE B0")
        for term in ["GB18030", "GBK"] {
            let cs = SpecificCharacterSet(terms: [term])
            #expect(cs.decode(gb, vr: .PN) == "张伟")
            #expect(try cs.encode("张伟", vr: .PN) == gb)
        }
        #expect(SpecificCharacterSet.utf8.decode(hex("E5 BC A0 E4 BC 9F"), vr: .PN) == "张伟")
        #expect(try SpecificCharacterSet.utf8.encode("张伟", vr: .PN) == hex("E5 BC A0 E4 BC 9F"))
    }

    /// Expected bytes from Python 3.11's gb18030 codec. U+00E9 has a two-byte form (A8 A6), so it is here as that.
    @Test(arguments: [
        ("\u{20000}", "95 32 82 36"), ("\u{10FFFF}", "E3 32 9A 35"), ("\u{0080}", "81 30 81 30"),
        ("\u{00A5}", "81 30 84 36"), ("\u{1E3F}", "81 35 F4 37"), ("\u{FFFF}", "84 31 A4 39"),
        ("\u{00E9}", "A8 A6"), ("\u{20AC}", "A2 E3"), ("\u{E5E5}", "A3 A0"),
    ])
    func gb18030MatchesPythonCodec(_ text: String, _ bytes: String) throws {
        let cs = SpecificCharacterSet(terms: ["GB18030"])
        #expect(try cs.encode(text, vr: .LO) == hex(bytes))
        #expect(cs.decode(hex(bytes), vr: .LO) == text)
    }

    @Test func everyScalarRoundTripsThroughGB18030() throws {
        let cs = SpecificCharacterSet(terms: ["GB18030"])
        var failures: [UInt32] = []
        for value in UInt32(0x80)...0x10FFFF where !(0xD800...0xDFFF).contains(value) {
            if value > 0x10000 && value % 97 != 0 { continue } // supplementary planes are arithmetic: sample them
            let text = String(Unicode.Scalar(value)!)
            let bytes = try cs.encode(text, vr: .LO)
            if cs.decode(bytes, vr: .LO) != text { failures.append(value) }
        }
        #expect(failures.isEmpty)
    }

    @Test func gbkHasNoFourByteForm() {
        let gbk = SpecificCharacterSet(terms: ["GBK"])
        #expect(throws: DicomError(.unencodableString)) { try gbk.encode("\u{20000}", vr: .PN) }
        #expect(gbk.decode(hex("95 32 82 36"), vr: .PN).unicodeScalars.first == "\u{FFFD}")
    }

    @Test func malformedGB18030BecomesReplacementCharacters() {
        let cs = SpecificCharacterSet(terms: ["GB18030"])
        #expect(cs.decode(hex("80 41 FF 42"), vr: .LO) == "\u{FFFD}A\u{FFFD}B")
        #expect(cs.decode(hex("D5"), vr: .LO) == "\u{FFFD}")
        #expect(cs.decode(hex("81 30 81"), vr: .LO) == "\u{FFFD}0\u{FFFD}")
        #expect(cs.decode(hex("84 31 A5 30"), vr: .LO) == "\u{FFFD}") // past the BMP four-byte block
    }

    /// Every cell of every 94x94 table, behind its escape, decodes to one character that encodes back to the same bytes;
    /// this checks the lazily built reverse maps against the generated forward tables.
    @Test(arguments: [("ISO 2022 IR 87", DoubleByteSet.jisX0208, 6879), ("ISO 2022 IR 159", .jisX0212, 6067),
                      ("ISO 2022 IR 149", .ksX1001, 8225), ("ISO 2022 IR 58", .gb2312, 7445)])
    func everyDoubleByteCellRoundTrips(_ term: String, _ set: DoubleByteSet, _ pythonCount: Int) throws {
        let cs = SpecificCharacterSet(terms: ["", term])
        var escape: [UInt8] = []
        GraphicSet.doubleByte(set).appendDesignation(to: &escape)
        let high: UInt8 = GraphicSet.doubleByte(set).isG1 ? 0x80 : 0
        var mapped = 0
        for row in UInt8(0x21)...0x7E {
            for cell in UInt8(0x21)...0x7E {
                let bytes = escape + [row | high, cell | high] + (high == 0 ? [0x1B, 0x28, 0x42] : [])
                let text = cs.decode(bytes, vr: .LO)
                if text == "\u{FFFD}" { continue }
                mapped += 1
                // JIS X 0212 0x2237 is Python's U+007E TILDE, which we write as ASCII.
                if text.unicodeScalars.allSatisfy(\.isASCII) { continue }
                #expect(try cs.encode(text, vr: .LO) == bytes)
            }
        }
        #expect(mapped == pythonCount) // cells Python's codec decodes
    }

    @Test(arguments: SingleByteSet.allCases)
    func everySingleByteCodeRoundTrips(_ set: SingleByteSet) throws {
        let term = "ISO_IR " + ["100", "101", "109", "110", "144", "127", "126", "138", "148", "166"][set.rawValue]
        let cs = SpecificCharacterSet(terms: [term])
        for byte in UInt8(0xA0)...0xFF {
            let text = cs.decode([byte], vr: .LO)
            if text == "\u{FFFD}" { continue }
            #expect(try cs.encode(text, vr: .LO) == [byte])
        }
    }

    // MARK: ISO 2022 code extensions

    @Test func delimitersReturnToTheFirstSet() {
        let cs = SpecificCharacterSet(terms: ["ISO 2022 IR 100", "ISO 2022 IR 144"])
        // ESC - L puts Cyrillic in G1; in PN, `^` returns G1 to Latin-1, in LT it does not.
        let bytes = hex("1B 2D 4C BB 5E BB")
        #expect(cs.decode(bytes, vr: .PN) == "Л^»")
        #expect(cs.decode(bytes, vr: .LT) == "Л^Л")
        // `\` separates values except in the single-valued text VRs; CR/LF end a line everywhere.
        #expect(cs.decode(hex("1B 2D 4C BB 5C BB"), vr: .LO) == "Л\\»")
        #expect(cs.decode(hex("1B 2D 4C BB 5C BB"), vr: .LT) == "Л\\Л")
        #expect(cs.decode(hex("1B 2D 4C BB 0D 0A BB"), vr: .LT) == "Л\r\n»")
    }

    @Test func latinAndCyrillicEncodeAsPydicomDoes() throws {
        let cs = SpecificCharacterSet(terms: ["ISO 2022 IR 100", "ISO 2022 IR 144"])
        let pydicom = hex("4D FC 6C 6C 65 72 5E 1B 2D 4C BB EE DA E1")
        #expect(try cs.encode("Müller^Люкс", vr: .PN) == pydicom)
        #expect(cs.decode(pydicom, vr: .PN) == "Müller^Люкс")
        // pydicom designates Latin-1 again at the start; the redundant escape still decodes.
        #expect(cs.decode(hex("1B 2D 41 4D FC 6C 6C 65 72 20 1B 2D 4C BB EE DA E1"), vr: .PN) == "Müller Люкс")
    }

    @Test func jisX0212CharacterUsesItsOwnEscape() throws {
        let cs = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87", "ISO 2022 IR 159"])
        let pydicom = hex("1B 24 28 44 30 21 1B 28 42 5E 59 61 6D 61 64 61")
        #expect(try cs.encode("丂^Yamada", vr: .PN) == pydicom)
        #expect(cs.decode(pydicom, vr: .PN) == "丂^Yamada")
    }

    @Test func japaneseTextReturnsToASCIIBeforeEachLineEnd() throws {
        let cs = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        let pydicom = hex("1B 24 42 42 68 30 6C 39 54 1B 28 42 0D 0A 1B 24 42 42 68 46 73 39 54 1B 28 42")
        #expect(try cs.encode("第一行\r\n第二行", vr: .LT) == pydicom)
        #expect(cs.decode(pydicom, vr: .LT) == "第一行\r\n第二行")
    }

    @Test func shiftJISInsideISOIR13DecodesAsPydicomDoes() {
        let cs = SpecificCharacterSet(terms: ["ISO_IR 13"])
        #expect(cs.decode(hex("8E 52 93 63 5E 91 BE 98 59"), vr: .PN) == "山田^太郎")
    }

    @Test func unknownEscapeSequenceBecomesOneReplacementCharacter() {
        let cs = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        #expect(cs.decode(hex("41 1B 24 29 5A 42"), vr: .LO) == "A\u{FFFD}B")
        #expect(cs.decode(hex("41 1B"), vr: .LO) == "A\u{FFFD}")
        #expect(cs.decode(hex("41 1B 24"), vr: .LO) == "A\u{FFFD}")
        #expect(cs.decode(hex("41 1B 0D 42"), vr: .LO) == "A\u{FFFD}\r" + "B")
    }

    @Test func characterOutsideEveryDeclaredSetIsUnencodable() {
        let jp = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        #expect(throws: DicomError(.unencodableString)) { try jp.encode("홍", vr: .PN) }
        #expect(throws: DicomError(.unencodableString)) { try SpecificCharacterSet.default.encode("é", vr: .PN) }
        #expect(throws: DicomError(.unencodableString)) { try SpecificCharacterSet(terms: ["ISO_IR 100"]).encode("Л", vr: .PN) }
        #expect(throws: DicomError(.unencodableString)) { try jp.encode("A\u{1B}$B", vr: .LO) }
    }

    // MARK: Terms

    @Test(arguments: ["ISO_IR 100", "ISO_IR_100", "ISO-IR 100", "ISO IR 100", "iso_ir 100", " ISO_IR 100 "])
    func misspelledTermsAreRecognised(_ term: String) {
        let cs = SpecificCharacterSet(terms: [term])
        #expect(cs.isKnown)
        #expect(cs.decode(hex("4A E9"), vr: .PN) == "Jé")
    }

    @Test func utf8TermsIncludingMisspellingsDecodeUTF8() {
        for term in ["ISO_IR 192", "ISO IR 192", "ISO-IR 192"] {
            #expect(SpecificCharacterSet(terms: [term]).decode(hex("C3 A9"), vr: .PN) == "é")
        }
    }

    @Test func unknownTermDecodesAsDefaultWithoutCrashing() throws {
        let cs = SpecificCharacterSet(terms: ["ISO_IR 999"])
        #expect(!cs.isKnown)
        #expect(cs.decode(hex("41 E9 42"), vr: .PN) == "A\u{FFFD}B")
        #expect(try cs.encode("AB", vr: .PN) == hex("41 42"))
        #expect(throws: DicomError(.unencodableString)) { try cs.encode("é", vr: .PN) }
    }

    @Test func standAloneSetIgnoresCodeExtensions() {
        let cs = SpecificCharacterSet(terms: ["ISO_IR 192", "ISO 2022 IR 87"])
        #expect(cs.decode(hex("E5 B1 B1"), vr: .PN) == "山")
    }

    @Test func parsingSplitsOnBackslash() {
        #expect(SpecificCharacterSet(parsing: "\\ISO 2022 IR 87").terms == ["", "ISO 2022 IR 87"])
        #expect(SpecificCharacterSet(parsing: "ISO_IR 100 ").terms == ["ISO_IR 100"])
        #expect(SpecificCharacterSet(parsing: "").terms == [])
        #expect(SpecificCharacterSet(parsing: "\\ISO 2022 IR 87").usesCodeExtensions)
        #expect(!SpecificCharacterSet(parsing: "ISO_IR 100").usesCodeExtensions)
    }

    @Test func vrsOutsideSpecificCharacterSetUseTheDefaultRepertoire() {
        let cs = SpecificCharacterSet(terms: ["ISO_IR 100"])
        #expect(cs.decode(hex("41 E9"), vr: .CS) == "A\u{FFFD}")
        #expect(throws: DicomError(.unencodableString)) { try cs.encode("é", vr: .CS) }
    }

    // MARK: Fast path

    @Test func plainASCIICheckFindsHighBytesAndEscapeAtEveryPosition() {
        let ascii = [UInt8](repeating: 0x41, count: 37)
        #expect(SpecificCharacterSet.isPlainASCII(ascii.withUnsafeBufferPointer { $0 }))
        for position in ascii.indices {
            for byte: UInt8 in [0x80, 0xFF, 0x1B] {
                var bytes = ascii
                bytes[position] = byte
                #expect(!bytes.withUnsafeBufferPointer { SpecificCharacterSet.isPlainASCII($0) })
            }
        }
    }

    @Test func longValuesDecodeStraightIntoStringStorage() throws {
        // Over 341 bytes the decoder writes into the string's storage instead of a stack buffer.
        let latin = SpecificCharacterSet(terms: ["ISO_IR 100"])
        let text = String(repeating: "Jérôme ", count: 100)
        let bytes = try latin.encode(text, vr: .LT)
        #expect(bytes.count == 700)
        #expect(latin.decode(bytes, vr: .LT) == text)
        let japanese = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        let lines = String(repeating: "山田 太郎\r\n", count: 100)
        #expect(japanese.decode(try japanese.encode(lines, vr: .UT), vr: .UT) == lines)
    }

    @Test func nonContiguousCollectionsDecode() {
        let bytes = hex("4A E9 72 F4 6D 65")
        let cs = SpecificCharacterSet(terms: ["ISO_IR 100"])
        #expect(cs.decode(bytes.lazy.map { $0 }, vr: .PN) == "Jérôme")
        #expect(cs.decode(bytes[1...], vr: .PN) == "érôme")
    }
}
