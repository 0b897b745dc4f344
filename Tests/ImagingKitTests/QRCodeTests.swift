import Foundation
import Testing
@testable import ImagingKit

/// Our QR Code encoder against the standard's own numbers (ISO/IEC 18004:2015) and an independent decoder
/// (`zbarimg` from Debian's zbar-tools): every symbol we make must read back to exactly the text we put in.
@Suite struct QRCodeTests {
    // MARK: Vectors from the standard

    /// Annex I.2: "01234567" at level M, version 1, mask 010, module for module (the figure's symbol).
    static let annexI2 = [
        "111111100101101111111", "100000100111101000001", "101110101000001011101", "101110101100001011101",
        "101110101011101011101", "100000101000101000001", "111111101010101111111", "000000001001100000000",
        "101111100100101111100", "000101011010100101100", "001000110101010011111", "000010000100000111100",
        "000111111001010010000", "000000001011111001100", "111111100110101100000", "100000101011111000101",
        "101110101000100101100", "101110101100100100000", "101110101011010010100", "100000100000000110110",
        "111111101111010010100",
    ]

    @Test func annexExample01234567AtLevelMMatchesTheStandardModuleForModule() throws {
        let code = try QRCode(encoding: "01234567", errorCorrection: .medium, mask: 2)
        #expect(code.version == 1 && code.size == 21)
        #expect(Self.rows(code) == Self.annexI2)
    }

    @Test func theMaskEvaluationChoosesTheStandardsMaskForTheAnnexExample() throws {
        let code = try QRCode(encoding: "01234567", errorCorrection: .medium)
        #expect(code.mask == 2)
        #expect(Self.rows(code) == Self.annexI2)
    }

    /// Symbols made by an independent encoder (zint, with its own mask evaluation), for the same text and level:
    /// ours must choose the same version and mask and place every module the same.
    @Test func symbolsMatchAnIndependentEncoderModuleForModule() throws {
        let digits = "12345678901234567890123456789012345678901"   // 41 digits: the most 1-L holds
        let oneL = [
            "111111101001001111111", "100000101100101000001", "101110101011101011101", "101110101011001011101",
            "101110100001001011101", "100000101001101000001", "111111101010101111111", "000000000110100000000",
            "110011100010000101111", "010101001011010101100", "100100110110011100101", "011100001001001101011",
            "011110111010011010001", "000000001000001100111", "111111100110110100110", "100000101110000011001",
            "101110101111000101110", "101110100101010101111", "101110100100001110000", "100000101000101001010",
            "111111101010110000111",
        ]
        let twoM = [
            "1111111011001110101111111", "1000001001000000001000001", "1011101011001111101011101", "1011101001100000101011101",
            "1011101001101011001011101", "1000001010111110101000001", "1111111010101010101111111", "0000000001111100000000000",
            "1010001100000101000100101", "0111010101111001011000001", "0010011101000111110010011", "1001010100011011001100011",
            "1000101101100111010110101", "0001010000100111101011011", "1111101100010001011000110", "0000100001000101011010011",
            "1101001101011100111111101", "0000000011001001100010000", "1111111010101110101010001", "1000001000111011100010001",
            "1011101000100111111110110", "1011101001100110010101000", "1011101011110001000100111", "1000001000000100111010110",
            "1111111010011100001100111",
        ]
        let low = try QRCode(encoding: digits, errorCorrection: .low)
        #expect(low.version == 1 && low.mask == 4 && Self.rows(low) == oneL)
        let medium = try QRCode(encoding: digits, errorCorrection: .medium)
        #expect(medium.version == 2 && medium.mask == 1 && Self.rows(medium) == twoM)
    }

    @Test func annexExampleCodewordsMatchTheStandard() throws {
        // Annex I.2/I.3: the data bit stream and the ten error-correction codewords of 1-M.
        let segment = try QRSegment.numeric("01234567")
        #expect(segment.data.count == 27)   // 10 + 10 + 7 bits
        var stream = QRBitBuffer()
        stream.append(segment.mode.indicator, count: 4)
        stream.append(UInt32(segment.characterCount), count: 10)
        stream.append(segment.data)
        stream.append(0, count: 4)
        stream.append(0, count: (8 - stream.count % 8) % 8)
        var data = stream.bytes()
        while data.count < 16 { data.append(data.count % 2 == 0 ? 0xEC : 0x11) }
        #expect(data == [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17])
        let codewords = QRCode.interleavedCodewords(data, version: 1, errorCorrection: .medium)
        #expect(Array(codewords.suffix(10)) == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test func formatInformationMatchesAnnexCForEveryLevelAndMask() {
        // Annex C, Table C.1: the 32 masked format information sequences, L0…L7, M0…M7, Q0…Q7, H0…H7.
        let table: [QRErrorCorrection: [String]] = [
            .low: ["111011111000100", "111001011110011", "111110110101010", "111100010011101",
                   "110011000101111", "110001100011000", "110110001000001", "110100101110110"],
            .medium: ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                      "100010111111001", "100000011001110", "100111110010111", "100101010100000"],
            .quartile: ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
                        "010010010110100", "010000110000011", "010111011011010", "010101111101101"],
            .high: ["001011010001001", "001001110111110", "001110011100111", "001100111010000",
                    "000011101100010", "000001001010101", "000110100001100", "000100000111011"],
        ]
        for (level, expected) in table {
            for mask in 0..<8 {
                let bits = QRMatrix.formatBits(errorCorrection: level, mask: mask)
                let binary = String(bits, radix: 2)
                #expect(String(repeating: "0", count: 15 - binary.count) + binary == expected[mask], "\(level) mask \(mask)")
            }
        }
    }

    @Test func versionInformationMatchesAnnexD() {
        // Annex D, Table D.1 (selected rows).
        let expected: [Int: Int] = [7: 0x07C94, 8: 0x085BC, 9: 0x09A99, 10: 0x0A4D3, 21: 0x15683, 32: 0x209D5, 40: 0x28C69]
        for (version, bits) in expected { #expect(QRMatrix.versionBits(version: version) == bits, "version \(version)") }
    }

    @Test func alignmentPatternPositionsMatchAnnexE() {
        let expected: [Int: [Int]] = [
            1: [], 2: [6, 18], 6: [6, 34], 7: [6, 22, 38], 10: [6, 28, 50], 14: [6, 26, 46, 66], 15: [6, 26, 48, 70],
            16: [6, 26, 50, 74], 22: [6, 26, 50, 74, 98], 32: [6, 34, 60, 86, 112, 138], 36: [6, 24, 50, 76, 102, 128, 154],
            40: [6, 30, 58, 86, 114, 142, 170],
        ]
        for (version, positions) in expected { #expect(QRTables.alignmentPositions(version: version) == positions, "version \(version)") }
    }

    @Test func dataCapacitiesMatchTable7() {
        let expected: [Int: [Int]] = [1: [19, 16, 13, 9], 2: [34, 28, 22, 16], 5: [108, 86, 62, 46], 7: [156, 124, 88, 66],
                                      10: [274, 216, 154, 122], 20: [861, 669, 485, 385], 40: [2956, 2334, 1666, 1276]]
        for (version, counts) in expected {
            for (level, count) in zip(QRErrorCorrection.allCases, counts) {
                #expect(QRTables.dataCodewords(version: version, errorCorrection: level) == count, "\(version)-\(level.rawValue)")
            }
        }
        // Every version's codewords, data and error correction, fill the symbol exactly (Table 9 is consistent).
        for version in 1...40 {
            let total = QRTables.rawDataModules(version: version) / 8
            for level in QRErrorCorrection.allCases {
                let blocks = QRTables.blockCount[level.tableIndex][version], ecc = QRTables.eccCodewordsPerBlock[level.tableIndex][version]
                #expect(QRTables.dataCodewords(version: version, errorCorrection: level) + blocks * ecc == total)
            }
        }
    }

    @Test func characterCapacitiesAreExactAtTheLimitsOfTable7() throws {
        // 40-L: 7089 digits, 4296 alphanumerics, 2953 bytes; 40-H: 3057, 1852, 1273; 1-H: 17 digits; 10-M: 213 bytes.
        let cases: [(String, QRErrorCorrection, Int, ClosedRange<Int>)] = [
            ("1", .low, 7089, 1...40), ("A", .low, 4296, 1...40), ("a", .low, 2953, 1...40),
            ("1", .high, 3057, 1...40), ("A", .high, 1852, 1...40), ("a", .high, 1273, 1...40),
            ("1", .high, 17, 1...1), ("a", .medium, 213, 1...10),
        ]
        for (unit, level, count, versions) in cases {
            let code = try QRCode(encoding: String(repeating: unit, count: count), errorCorrection: level, versions: versions)
            #expect(code.version == versions.upperBound)
            #expect(throws: ImagingError.self) {
                try QRCode(encoding: String(repeating: unit, count: count + 1), errorCorrection: level, versions: versions)
            }
        }
    }

    @Test func segmentsPickTheMostCompactMode() throws {
        #expect(QRSegment.segments(for: "0123456789").map(\.mode) == [.numeric])
        #expect(QRSegment.segments(for: "HTTPS://EXAMPLE.ORG/P/42").map(\.mode) == [.alphanumeric])
        #expect(QRSegment.segments(for: "https://example.org/p/42").map(\.mode) == [.byte])
        #expect(QRSegment.segments(for: "张三").first?.characterCount == 6)
        #expect(QRSegment.segments(for: "").isEmpty)
        #expect(throws: ImagingError.self) { try QRSegment.numeric("12a") }
        #expect(throws: ImagingError.self) { try QRSegment.alphanumeric("lower") }
        #expect(throws: ImagingError.self) { try QRCode(encoding: "x", mask: 8) }
        #expect(throws: ImagingError.self) { try QRCode(encoding: "x", versions: 0...3) }
    }

    @Test func reedSolomonCodewordsMakeTheCodewordPolynomialDivisible() {
        // A codeword (data followed by its remainder) evaluates to zero at every root αⁱ of the generator.
        let data: [UInt8] = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for degree in [7, 10, 18, 30] {
            let codeword = data + QRReedSolomon(degree: degree).remainder(data[...])
            var root: UInt8 = 1
            for _ in 0..<degree {
                var value: UInt8 = 0
                for c in codeword { value = QRReedSolomon.multiply(value, root) ^ c }
                #expect(value == 0, "degree \(degree)")
                root = QRReedSolomon.multiply(root, 2)
            }
        }
    }

    // MARK: Read back by zbarimg

    /// A URL of `length` characters in the shape of our patient links.
    static func url(length: Int) -> String {
        let base = "https://films.example.org/p/"
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var text = String(base.prefix(length))
        var i = 0
        while text.count < length { text.append(alphabet[(i * 7 + 3) % alphabet.count]); i += 1 }
        return text
    }

    static let lengths = [1, 2, 3, 7, 14, 17, 20, 26, 32, 42, 53, 64, 77, 84, 96, 106, 122, 134, 154, 180, 213, 230, 271, 321, 400, 512]

    @Test(arguments: QRErrorCorrection.allCases)
    func urlsOfManyLengthsDecodeWithZbarToTheExactText(_ level: QRErrorCorrection) async throws {
        for length in Self.lengths {
            let text = Self.url(length: length)
            let code = try QRCode(encoding: text, errorCorrection: level)
            let decoded = try #require(try await ZBar.decode(try code.png(scale: 4)), "zbarimg read nothing from \(length) chars at \(level.rawValue) (version \(code.version))")
            #expect(decoded == text, "\(length) chars at \(level.rawValue), version \(code.version), mask \(code.mask)")
        }
    }

    @Test(arguments: QRErrorCorrection.allCases)
    func everyVersionFilledToCapacityDecodesWithZbar(_ level: QRErrorCorrection) async throws {
        // The longest byte payload of each version: full symbols, version information from 7, the block layouts.
        // Versions 1–20 at every level; 21–40 (large and slow in a debug build) each at one level in turn, so every
        // level still meets five of them.
        let index = QRErrorCorrection.allCases.firstIndex(of: level)!
        for version in 1...40 where version <= 20 || version % 4 == index {
            let capacity = (QRTables.dataCodewords(version: version, errorCorrection: level) * 8 - 4 - (version <= 9 ? 8 : 16)) / 8
            let text = Self.url(length: capacity)
            let code = try QRCode(encoding: text, errorCorrection: level, versions: version...version)
            #expect(code.version == version)
            // Two pixels a module read as well as more for the large versions, at a fifth of zbar's time.
            let decoded = try await ZBar.decode(try code.png(scale: version > 14 ? 2 : 3))
            #expect(decoded == text, "version \(version)-\(level.rawValue), mask \(code.mask)")
        }
    }

    @Test func everyMaskDecodesWithZbar() async throws {
        for mask in 0..<8 {
            for (text, level) in [("01234567", QRErrorCorrection.medium), ("HELLO WORLD 42", .quartile), ("https://x.org/s/tok", .high)] {
                let code = try QRCode(encoding: text, errorCorrection: level, mask: mask)
                #expect(code.mask == mask)
                #expect(try await ZBar.decode(try code.png(scale: 6)) == text, "mask \(mask): \(text)")
            }
        }
    }

    @Test func numericAlphanumericAndUTF8PayloadsDecodeWithZbar() async throws {
        let payloads = [
            "0", "31415926535897932384626433832795028841971693993751", String(repeating: "9876543210", count: 30),
            "HTTPS://FILMS.EXAMPLE.ORG/P/ABC-123", "A $%*+-./:", String(repeating: "QR CODE ", count: 40),
            "张三的检查 CT 胸部平扫", "検査 🩻 résumé",
        ]
        for text in payloads {
            for level in QRErrorCorrection.allCases {
                let code = try QRCode(encoding: text, errorCorrection: level)
                #expect(try await ZBar.decode(try code.png(scale: 4)) == text, "\(text.prefix(20))… at \(level.rawValue)")
            }
        }
        let withECI = try QRCode(encoding: "影像报告 https://x.org", errorCorrection: .medium, eci: true)
        #expect(try await ZBar.decode(try withECI.png()) == "影像报告 https://x.org")
    }

    @Test func randomPayloadsUpToCapacityDecodeWithZbar() async throws {
        var random = SplitMix(seed: 0x5152_436F_6465)
        let charsets: [[Character]] = [
            Array("0123456789"), Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"),
            (0x20...0x7E).map { Character(UnicodeScalar(UInt8($0))) },
        ]
        for round in 0..<48 {
            let level = QRErrorCorrection.allCases[round % 4]
            let charset = charsets[Int(random.next() % 3)]
            let version = 1 + Int(random.next() % 25)
            // Byte capacity is the smallest per character; pick up to the version's capacity in this mode.
            let capacityBits = QRTables.dataCodewords(version: version, errorCorrection: level) * 8 - 4 - 16
            let perCharacter = charset.count == 10 ? 10.0 / 3 : (charset.count == 45 ? 5.5 : 8)
            let maxLength = max(1, Int(Double(capacityBits) / perCharacter))
            let length = 1 + Int(random.next() % UInt64(maxLength))
            let text = String((0..<length).map { _ in charset[Int(random.next() % UInt64(charset.count))] })
            let mask: Int? = round % 3 == 0 ? Int(random.next() % 8) : nil
            let code = try QRCode(encoding: text, errorCorrection: level, mask: mask)
            #expect(try await ZBar.decode(try code.png(scale: 3)) == text, "round \(round): \(length) chars, \(code.version)-\(level.rawValue) mask \(code.mask)")
        }
    }

    // MARK: Pictures

    @Test func pngHasTheQuietZoneAndScale() throws {
        let code = try QRCode(encoding: "01234567")
        let image = try code.rendered(scale: 3, quietZone: 4)
        #expect(image.width == (21 + 8) * 3 && image.height == image.width)
        // The quiet zone is light; the top-left finder's corner module is dark over 3×3 pixels, its inner ring light.
        #expect((0..<12).allSatisfy { image[$0, 5] == 255 && image[5, $0] == 255 })
        #expect(image[12, 12] == 0 && image[14, 14] == 0 && image[15, 15] == 255)
        let png = try code.png(scale: 3)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(throws: ImagingError.self) { try code.png(scale: 0) }
    }

    @Test func svgPathDrawsExactlyTheDarkModules() throws {
        let code = try QRCode(encoding: "https://films.example.org/p/abc", errorCorrection: .quartile)
        let svg = code.svg(moduleSize: 5, quietZone: 4)
        #expect(svg.contains("viewBox=\"0 0 \(code.size + 8) \(code.size + 8)\""))
        // Parse the path back: each "Mx yhNv1h-Nz" is a run of N dark modules.
        let path = try #require(svg.range(of: "d=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } })
        var dark = Set<Int>()
        for run in path.split(separator: "z") {
            let numbers = run.split(whereSeparator: { "Mhv -".contains($0) }).compactMap { Int($0) }
            #expect(numbers.count == 5 && numbers[3] == 1 && numbers[4] == numbers[2])
            for dx in 0..<numbers[2] { dark.insert((numbers[1] - 4) * code.size + numbers[0] - 4 + dx) }
        }
        #expect(dark == Set(code.modules.indices.filter { code.modules[$0] }))
        #expect(!code.svg(dark: "red\"/><script>").contains("script"))
    }

    static func rows(_ code: QRCode) -> [String] {
        (0..<code.size).map { y in String((0..<code.size).map { code[$0, y] ? "1" : "0" }) }
    }
}

/// `zbarimg --raw` over a PNG: the independent decoder the QR tests answer to.
enum ZBar {
    /// The decoded text, or nil when zbarimg found no symbol. A missing zbarimg fails the test, naming the package.
    /// The process runs on a dispatch thread: waiting for it must not hold one of the few threads Swift concurrency
    /// shares with every other test (network tests time out when they are all blocked).
    static func decode(_ png: [UInt8]) async throws -> String? {
        guard let tool = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("zbarimg is not installed: apt-get install zbar-tools (Scripts/install-test-deps.sh installs it)")
            return nil
        }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(tool, png) })
            }
        }
    }

    private static func run(_ tool: String, _ png: [UInt8]) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).png")
        try Data(png).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        // Through the shell, which sends zbarimg's chatter on standard error to /dev/null.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" --raw -q -Sdisable -Sqrcode.enable \"$1\" 2>/dev/null", tool, file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, var text = String(data: data, encoding: .utf8) else { return nil }
        if text.hasSuffix("\n") { text.removeLast() }   // zbarimg ends each symbol with a newline
        return text
    }
}

/// A small deterministic generator so "random" payloads are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
