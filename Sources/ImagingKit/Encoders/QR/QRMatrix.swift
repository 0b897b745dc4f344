/// The module grid while a symbol is being built: which modules are dark, and which belong to function patterns
/// (finder, separators, timing, alignment, format and version information) and so are never data or masked.
struct QRMatrix: Sendable {
    let version: Int
    let size: Int
    private(set) var modules: [Bool]
    private var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        size = version * 4 + 17
        modules = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
    }

    subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    private mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    // MARK: Function patterns (§6.3)

    /// Timing patterns, the three finder patterns with their separators, alignment patterns, the reserved format
    /// areas (written for real after masking) and, from version 7, the version information.
    mutating func drawFunctionPatterns() {
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)   // §6.3.5: dark on even coordinates
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinderPattern(centreX: 3, centreY: 3)
        drawFinderPattern(centreX: size - 4, centreY: 3)
        drawFinderPattern(centreX: 3, centreY: size - 4)
        let positions = QRTables.alignmentPositions(version: version)
        let last = positions.count - 1
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() {
                // No alignment pattern where a finder pattern sits.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { setFunction(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormatInformation(bits: 0)   // reserve the areas
        drawVersionInformation()
    }

    /// A 7×7 finder pattern (dark 7×7 ring, light 5×5 ring, dark 3×3 centre) and its one-module light separator.
    private mutating func drawFinderPattern(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centreX + dx, y = centreY + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x, y, ring != 2 && ring != 4)
            }
        }
    }

    /// The 15-bit format information (§7.9): level and mask, BCH(15,5) with generator 0x537, XORed with 0x5412.
    static func formatBits(errorCorrection: QRErrorCorrection, mask: Int) -> Int {
        let data = errorCorrection.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    mutating func drawFormatInformation(errorCorrection: QRErrorCorrection, mask: Int) {
        drawFormatInformation(bits: Self.formatBits(errorCorrection: errorCorrection, mask: mask))
    }

    /// Both copies of the format information (Figure 25): bit 0 is the least significant.
    private mutating func drawFormatInformation(bits: Int) {
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        // Around the top-left finder: down column 8 (skipping the timing row), then left along row 8.
        for i in 0...5 { setFunction(8, i, bit(i)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }
        // The second copy: row 8 under the top-right finder, column 8 beside the bottom-left one.
        for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
        setFunction(8, size - 8, true)   // the dark module (§7.9.1)
    }

    /// The 18-bit version information of versions 7 and up (§7.10): BCH(18,6) with generator 0x1F25, in two 6×3
    /// blocks beside the top-right and bottom-left finders.
    static func versionBits(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    private mutating func drawVersionInformation() {
        guard version >= 7 else { return }
        let bits = Self.versionBits(version: version)
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3, b = i / 3
            setFunction(a, b, dark)
            setFunction(b, a, dark)
        }
    }

    // MARK: Data (§7.7.3)

    /// Places codewords most significant bit first in two-module-wide columns, from the bottom-right corner, going
    /// up and down in turn and stepping over the vertical timing pattern. Remainder bits stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for column in 0..<2 {
                    let x = right - column
                    guard !isFunction[y * size + x], index < totalBits else { continue }
                    modules[y * size + x] = (codewords[index >> 3] >> UInt8(7 - (index & 7))) & 1 == 1
                    index += 1
                }
            }
            right -= 2
        }
    }

    /// Whether mask pattern `mask` inverts the module at row `i`, column `j` (Table 10).
    static func maskInverts(_ mask: Int, i: Int, j: Int) -> Bool {
        switch mask {
        case 0: return (i + j) % 2 == 0
        case 1: return i % 2 == 0
        case 2: return j % 3 == 0
        case 3: return (i + j) % 3 == 0
        case 4: return (i / 2 + j / 3) % 2 == 0
        case 5: return (i * j) % 2 + (i * j) % 3 == 0
        case 6: return ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: return ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }

    /// XORs the mask into every data module (applying it twice undoes it).
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && Self.maskInverts(mask, i: y, j: x) {
                modules[y * size + x].toggle()
            }
        }
    }

    // MARK: Penalty (§7.8.3, Table 11)

    static let penaltyRun = 3, penaltyBlock = 3, penaltyFinderLike = 40, penaltyBalance = 10

    /// The symbol's penalty under the four rules of Table 11, format information included:
    /// 1. runs of 5 + i modules of one colour in a row or column: N1 + i;
    /// 2. each 2×2 block of one colour: N2;
    /// 3. each dark-light-dark-light-dark 1:1:3:1:1 pattern with four light modules before or after it (beyond the
    ///    edge counts as light, as the quiet zone is): N3;
    /// 4. N4 for each whole 5 % step of dark modules away from 50 %.
    func penalty() -> Int {
        var total = 0
        var line = [Bool](repeating: false, count: size)
        for index in 0..<size {
            for i in 0..<size { line[i] = modules[index * size + i] }   // row
            total += linePenalty(line)
            for i in 0..<size { line[i] = modules[i * size + index] }   // column
            total += linePenalty(line)
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = modules[y * size + x]
                if colour == modules[y * size + x + 1], colour == modules[(y + 1) * size + x], colour == modules[(y + 1) * size + x + 1] {
                    total += Self.penaltyBlock
                }
            }
        }
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let all = size * size
        total += abs(dark * 20 - all * 10) / all * Self.penaltyBalance
        return total
    }

    /// Rules 1 and 3 along one row or column.
    private func linePenalty(_ line: [Bool]) -> Int {
        var total = 0
        var run = 1
        for i in 1..<size {
            if line[i] == line[i - 1] {
                run += 1
            } else {
                if run >= 5 { total += Self.penaltyRun + run - 5 }
                run = 1
            }
        }
        if run >= 5 { total += Self.penaltyRun + run - 5 }
        // Beyond the edge is the light quiet zone.
        func lightRun(from start: Int, step: Int) -> Bool {
            var i = start
            for _ in 0..<4 {
                if i >= 0, i < size, line[i] { return false }
                i += step
            }
            return true
        }
        for start in 0...(size - 7) where line[start] && !line[start + 1] && line[start + 2] && line[start + 3] && line[start + 4]
            && !line[start + 5] && line[start + 6] {
            if lightRun(from: start - 1, step: -1) || lightRun(from: start + 7, step: 1) { total += Self.penaltyFinderLike }
        }
        return total
    }
}
