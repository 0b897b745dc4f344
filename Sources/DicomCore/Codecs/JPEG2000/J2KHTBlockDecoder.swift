/// Tier-1 decoding of one HT code-block (ITU-T T.814 | ISO/IEC 15444-15, clause 7): the HT cleanup pass (MEL,
/// CxtVLC with U-VLC, MagSgn over quads taken in pairs), then the HT SigProp and MagRef refinement passes.
///
/// The codeword segments come from tier-2: the first holds the cleanup pass (length Lcup), the second, if any, the
/// refinement passes (length Lref). The cleanup segment ends with its suffix of Scup bytes (MEL forwards from its
/// start, VLC backwards from its end); the bytes before the suffix are the MagSgn stream. SigProp reads the
/// refinement segment forwards, MagRef backwards.
///
/// Magnitudes are kept as `(2μ + 1) << (p - 1)` with the sign in bit 31, where the cleanup pass decodes down to
/// bit-plane `p - 2` (p = M_b + 1 - P, P the zero bit-planes of the packet header), which leaves two fractional bits:
/// the reconstruction point of the cleanup pass and that of a refinement pass. The output is in the convention of
/// `J2KBlockDecoder`: signed magnitudes with one fractional bit, or without it (`halve`).
///
/// Every stream is read through a cursor that returns padding past its end, every quad's significance is checked
/// against the block's size and every exponent bound against the zero bit-planes (U_q ≤ P + 2), so hostile data gives a typed
/// error or a wrong image, never an out-of-bounds access or a loop that does not end.
struct J2KHTBlockDecoder {
    /// CxtVLC decoding tables, indexed by `c_q << 7 | the next 7 VLC bits`: rho in bits 0–3, u_off in bit 4, e_k in
    /// bits 5–8, e_1 in bits 9–12, codeword length in bits 13–15.
    static let initialTable = table(J2KHTTables.initialRows)
    static let nonInitialTable = table(J2KHTTables.nonInitialRows)

    /// Expands the rows of a CxtVLC table into a lookup over every 7-bit continuation of each codeword.
    static func table(_ rows: [UInt32]) -> [UInt16] {
        var t = [UInt16](repeating: 0, count: 8 << 7)
        for row in rows {
            let context = Int(row >> 28), rho = row >> 24 & 0xF, uOff = row >> 20 & 1, ek = row >> 16 & 0xF
            let e1 = row >> 12 & 0xF, codeword = Int(row >> 4 & 0xFF), length = Int(row & 0xF)
            let entry = UInt16(rho | uOff << 4 | ek << 5 | e1 << 9 | UInt32(length) << 13)
            var bits = codeword
            while bits < 128 { t[context << 7 | bits] = entry; bits += 1 << length }
        }
        return t
    }

    /// MEL exponents per state of the MEL adaptive run-length coder (T.814 clause 7).
    static let melExponents: [Int] = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5]
    /// `melExponents`, state k in bits 4k…4k+3: no array access (and its bounds check) per MEL run.
    static let packedMELExponents: UInt64 = 0x5_4332_2211_1000

    private var samples: [UInt32] = []
    private var newlySignificant: [UInt8] = []
    private var exponents: [Int32] = []

    /// Decodes `block` (HT code-block of a band with `magnitudeBits` = M_b) into `output` (row stride `stride`).
    mutating func decode(_ block: J2KCodeBlock, magnitudeBits: Int, style: Int, into output: UnsafeMutablePointer<Int32>,
                         stride: Int, halve: Bool = false) throws(DicomError) {
        let w = block.x1 - block.x0, h = block.y1 - block.y0
        guard w > 0, h > 0 else { return }
        guard block.passes > 0, let cleanupLength = block.segmentLengths.first, cleanupLength > 0 else {
            for y in 0..<h { (output + y * stride).update(repeating: 0, count: w) }
            return
        }
        guard block.segmentPasses.count <= 2 else {
            throw DicomError(.invalidPixelData, "HT code-block with \(block.passes) coding passes (more than one HT set) is not supported")
        }
        let mb = magnitudeBits, zero = block.zeroBitplanes
        // Magnitudes below 2^M_b reach (2μ + 1) << (p - 1) < 2^(M_b + 2), which must leave bit 31 for the sign.
        guard mb <= 28 else { throw DicomError(.invalidPixelData, "HT code-block with \(mb) magnitude bit-planes is not supported") }
        guard zero <= mb else { throw DicomError(.invalidPixelData, "HT code-block with \(zero) zero bit-planes of \(mb)") }
        let refineLength = block.segmentLengths.count > 1 ? block.segmentLengths[1] : 0
        guard cleanupLength >= 2, refineLength >= 0, cleanupLength + refineLength <= block.byteCount else {
            throw DicomError(.invalidPixelData, "HT code-block segment lengths \(cleanupLength)+\(refineLength) of \(block.byteCount) bytes")
        }
        var passes = min(block.passes, 3)
        if refineLength == 0 || zero == mb { passes = 1 }
        let p = mb + 1 - zero

        var samples = self.samples, newlySignificant = self.newlySignificant, exponents = self.exponents
        self.samples = []; self.newlySignificant = []; self.exponents = []
        defer { self.samples = samples; self.newlySignificant = newlySignificant; self.exponents = exponents }
        if samples.count < w * h { samples = [UInt32](repeating: 0, count: w * h) }
        if exponents.count < 2 * (w + 4) { exponents = [Int32](repeating: 0, count: 2 * (w + 4)) }
        if passes > 1 && newlySignificant.count < w * h { newlySignificant = [UInt8](repeating: 0, count: w * h) }

        try block.data.withUnsafeBufferPointer { db throws(DicomError) in
            try samples.withUnsafeMutableBufferPointer { sb throws(DicomError) in
                try exponents.withUnsafeMutableBufferPointer { eb throws(DicomError) in
                    let data = db.baseAddress!, s = sb.baseAddress!
                    s.update(repeating: 0, count: w * h)
                    try J2KHTBlockDecoder.cleanup(data, length: cleanupLength, width: w, height: h, p: p, zeroBitplanes: zero,
                                                  samples: s, exponents: eb.baseAddress!)
                    if passes > 1 {
                        newlySignificant.withUnsafeMutableBufferPointer { nb in
                            let fresh = nb.baseAddress!
                            fresh.update(repeating: 0, count: w * h)
                            J2KHTBlockDecoder.significancePropagation(data + cleanupLength, length: refineLength, width: w, height: h,
                                                                      p: p, causal: style & J2KBlockStyle.verticalCausal != 0,
                                                                      samples: s, fresh: fresh)
                            if passes > 2 {
                                J2KHTBlockDecoder.magnitudeRefinement(data + cleanupLength, length: refineLength, width: w, height: h,
                                                                      p: p, samples: s, fresh: fresh)
                            }
                        }
                    }
                }
            }
        }
        let shift = UInt32(halve ? 2 : 1)
        samples.withUnsafeBufferPointer { sb in
            for y in 0..<h {
                let row = sb.baseAddress! + y * w, out = output + y * stride
                for x in 0..<w {
                    let v = row[x]
                    let m = Int32(bitPattern: (v & 0x7FFF_FFFF) >> shift)
                    out[x] = v & 0x8000_0000 != 0 ? -m : m
                }
            }
        }
    }

    /// The HT cleanup pass: quads of 2x2 samples in line-pairs, two quads at a time.
    static func cleanup(_ data: UnsafePointer<UInt8>, length lcup: Int, width w: Int, height h: Int, p: Int, zeroBitplanes: Int,
                        samples: UnsafeMutablePointer<UInt32>, exponents: UnsafeMutablePointer<Int32>) throws(DicomError) {
        let scup = Int(data[lcup - 1]) << 4 | Int(data[lcup - 2] & 0xF)
        guard scup >= 2, scup <= lcup, scup <= 4079 else {
            throw DicomError(.invalidPixelData, "HT cleanup segment suffix length \(scup) of \(lcup) bytes")
        }
        var mel = HTMELDecoder(data, start: lcup - scup, end: lcup - 1)
        var vlc = HTReverseBits(vlcOf: data, length: lcup, suffix: scup)
        var magSgn = HTForwardBits(data, start: 0, end: lcup - scup, pad: 0xFF)
        // |c| < 2^M_b and the cleanup plane is M_b - 1 - P, so μ < 2^(P + 1) and v = 2(μ - 1) + sign has at most
        // P + 2 bits.
        let maxU = zeroBitplanes + 2
        let quadsAcross = (w + 1) / 2, quadRows = (h + 1) / 2
        // Exponents E of the last row of the line-pair above (`above`, column c at c + 1) and of the line-pair being
        // decoded (`below`), with a zero border on both sides.
        var above = exponents, below = exponents + (w + 4)
        above.update(repeating: 0, count: w + 4)
        below.update(repeating: 0, count: w + 4)
        let shift = UInt32(p - 1)
        try initialTable.withUnsafeBufferPointer { t0 throws(DicomError) in
        try nonInitialTable.withUnsafeBufferPointer { t1 throws(DicomError) in
            for qr in 0..<quadRows {
                let initial = qr == 0
                let table = initial ? t0.baseAddress! : t1.baseAddress!
                let y0 = 2 * qr, hasBottom = y0 + 1 < h
                swap(&above, &below)
                below.update(repeating: 0, count: w + 4)
                var context = 0
                var g = 0
                while g < quadsAcross {
                    var entries: (UInt16, UInt16) = (0, 0)
                    let pair = g + 1 < quadsAcross ? 2 : 1
                    for i in 0..<pair {
                        let q = g + i
                        var c = context
                        if !initial {
                            let x = 2 * q + 1  // column 2q in the bordered row
                            c |= (above[x - 1] | above[x]) != 0 ? 1 : 0
                            c |= (above[x + 1] | above[x + 2]) != 0 ? 4 : 0
                        }
                        var entry: UInt16 = 0
                        if c != 0 || mel.decode() == 1 {
                            entry = table[c << 7 | Int(vlc.peek() & 0x7F)]
                            vlc.skip(Int(entry >> 13))
                        }
                        let rho = Int(entry & 0xF)
                        if initial {
                            context = (rho & 1 | rho >> 1 & 1) | (rho >> 2 & 1) << 1 | (rho >> 3 & 1) << 2
                        } else {
                            context = (rho >> 2 | rho >> 3) & 1 == 1 ? 2 : 0
                        }
                        if i == 0 { entries.0 = entry } else { entries.1 = entry }
                    }
                    // U-VLC: prefixes of both quads, then suffixes, then extensions.
                    let uOff0 = Int(entries.0 >> 4 & 1), uOff1 = Int(entries.1 >> 4 & 1)
                    var u0 = 0, u1 = 0
                    if initial && uOff0 == 1 && uOff1 == 1 {
                        if mel.decode() == 1 {
                            let a = vlc.uPrefix(), b = vlc.uPrefix()
                            u0 = 2 + a + vlc.uSuffix(a); u1 = 2 + b + vlc.uSuffix(b)
                            u0 += vlc.uExtension(u0 - 2); u1 += vlc.uExtension(u1 - 2)
                        } else {
                            let a = vlc.uPrefix()
                            if a > 2 {
                                u1 = Int(vlc.take(1)) + 1
                                u0 = a + vlc.uSuffix(a)
                                u0 += vlc.uExtension(u0)
                            } else {
                                let b = vlc.uPrefix()
                                u0 = a + vlc.uSuffix(a); u1 = b + vlc.uSuffix(b)
                                u0 += vlc.uExtension(u0); u1 += vlc.uExtension(u1)
                            }
                        }
                    } else {
                        let a = uOff0 == 1 ? vlc.uPrefix() : 0, b = uOff1 == 1 ? vlc.uPrefix() : 0
                        if uOff0 == 1 { u0 = a + vlc.uSuffix(a) }
                        if uOff1 == 1 { u1 = b + vlc.uSuffix(b) }
                        if uOff0 == 1 { u0 += vlc.uExtension(u0) }
                        if uOff1 == 1 { u1 += vlc.uExtension(u1) }
                    }
                    // MagSgn of each quad's significant samples, in the order 0 (top left), 1, 2, 3 (bottom right).
                    for i in 0..<pair {
                        let q = g + i, entry = i == 0 ? entries.0 : entries.1
                        let rho = Int(entry & 0xF)
                        guard rho != 0 else { continue }
                        let x0 = 2 * q
                        if (!hasBottom && rho & 0xA != 0) || (x0 + 1 >= w && rho & 0xC != 0) {
                            throw DicomError(.invalidPixelData, "HT quad significant outside the code-block")
                        }
                        var kappa = 1
                        if !initial && rho & (rho - 1) != 0 {
                            let x = x0 + 1
                            let e = Int(max(max(above[x - 1], above[x]), max(above[x + 1], above[x + 2])))
                            kappa = max(e - 1, 1)
                        }
                        let uq = (i == 0 ? u0 : u1) + kappa
                        guard uq <= maxU else {
                            throw DicomError(.invalidPixelData, "HT quad exponent bound \(uq) above \(maxU)")
                        }
                        let ek = Int(entry >> 5 & 0xF), e1 = Int(entry >> 9 & 0xF)
                        for n in 0..<4 where rho >> n & 1 == 1 {
                            let m = uq - (ek >> n & 1)
                            var v = magSgn.take(m)
                            v |= UInt32(e1 >> n & 1) &<< UInt32(m)
                            let sign = v & 1
                            v |= 1
                            let x = x0 + n >> 1, y = y0 + n & 1
                            samples[y * w + x] = sign &<< 31 | (v &+ 2) &<< shift
                            if n & 1 == 1 {
                                below[x + 1] = Int32(32 &- v.leadingZeroBitCount)
                            }
                        }
                    }
                    g += 2
                }
            }
        } }
    }

    /// The HT SigProp pass: an insignificant sample with a significant neighbour reads one bit, and after each group
    /// of four columns the signs of the samples that became significant in it (see `sigPropScan`).
    static func significancePropagation(_ data: UnsafePointer<UInt8>, length: Int, width w: Int, height h: Int, p: Int, causal: Bool,
                                        samples: UnsafeMutablePointer<UInt32>, fresh: UnsafeMutablePointer<UInt8>) {
        var bits = HTForwardBits(data, start: 0, end: length, pad: 0)
        let value = UInt32(3) << UInt32(p - 2)
        sigPropScan(width: w, height: h, causal: causal, fresh: fresh,
                    cleanupSignificant: { samples[$0] != 0 && fresh[$0] == 0 },
                    significance: { i in
                        guard bits.take(1) == 1 else { return false }
                        samples[i] = value  // sign set below
                        return true
                    },
                    sign: { samples[$0] |= bits.take(1) << 31 })
    }

    /// The scan of the HT SigProp pass, shared with `J2KHTBlockEncoder`: stripes of four rows, in each group of four
    /// columns column by column, `significance(i)` for every sample not significant after the cleanup pass that has a
    /// significant neighbour (true when it becomes significant, marked 1 in `fresh`), then `sign(i)` for each sample
    /// that became significant in the group (marked 2). Samples made significant earlier in the pass count as
    /// neighbours; those of the stripe below only with their cleanup significance (and not at all in vertically
    /// causal mode).
    @inline(__always)
    static func sigPropScan(width w: Int, height h: Int, causal: Bool, fresh: UnsafeMutablePointer<UInt8>,
                            cleanupSignificant: (Int) -> Bool, significance: (Int) -> Bool, sign: (Int) -> Void) {
        func significant(_ x: Int, _ y: Int, stripeEnd: Int) -> Bool {
            guard x >= 0, x < w, y >= 0, y < h else { return false }
            if cleanupSignificant(y * w + x) { return !(causal && y >= stripeEnd) }
            return y < stripeEnd && fresh[y * w + x] != 0
        }
        var y0 = 0
        while y0 < h {
            let y1 = min(y0 + 4, h)
            var x0 = 0
            while x0 < w {
                let x1 = min(x0 + 4, w)
                for x in x0..<x1 {
                    for y in y0..<y1 where !cleanupSignificant(y * w + x) && fresh[y * w + x] == 0 {
                        var member = false
                        for dy in -1...1 where !member {
                            for dx in -1...1 where (dx != 0 || dy != 0) && significant(x + dx, y + dy, stripeEnd: y1) {
                                member = true
                                break
                            }
                        }
                        if member && significance(y * w + x) { fresh[y * w + x] = 1 }
                    }
                }
                for x in x0..<x1 {
                    for y in y0..<y1 where fresh[y * w + x] == 1 {
                        sign(y * w + x)
                        fresh[y * w + x] = 2
                    }
                }
                x0 = x1
            }
            y0 = y1
        }
    }

    /// The HT MagRef pass: one bit per sample significant after the cleanup pass, in stripe order, read
    /// backwards from the end of the refinement segment.
    static func magnitudeRefinement(_ data: UnsafePointer<UInt8>, length: Int, width w: Int, height h: Int, p: Int,
                                    samples: UnsafeMutablePointer<UInt32>, fresh: UnsafeMutablePointer<UInt8>) {
        var bits = HTReverseBits(data, from: length - 1, downTo: 0)
        let clear = UInt32(1) << UInt32(p - 1), half = UInt32(1) << UInt32(p - 2)
        var y0 = 0
        while y0 < h {
            let y1 = min(y0 + 4, h)
            for x in 0..<w {
                for y in y0..<y1 where samples[y * w + x] != 0 && fresh[y * w + x] == 0 {
                    let bit = bits.take(1)
                    samples[y * w + x] = (samples[y * w + x] ^ ((1 - bit) &* clear)) | half
                }
            }
            y0 = y1
        }
    }
}

/// A forward bit-stream of an HT code-block (MagSgn, SigProp): bits taken from the least significant end of each
/// byte; a byte after 0xFF carries 7 bits (its most significant bit is a stuffed 0). Past `end` it reads `pad`.
struct HTForwardBits {
    let data: UnsafePointer<UInt8>
    var position: Int
    let end: Int
    let pad: UInt8
    var buffer: UInt64 = 0
    var count = 0
    var afterFF = false

    init(_ data: UnsafePointer<UInt8>, start: Int, end: Int, pad: UInt8) {
        self.data = data; position = start; self.end = end; self.pad = pad
        fill()
    }

    /// Tops the buffer up to more than 56 bits; out of line, as it runs once every few samples.
    @inline(never) mutating func fill() {
        while count <= 56 {
            var b = position < end ? data[position] : pad
            if position < end { position += 1 }
            if afterFF { b &= 0x7F; buffer |= UInt64(b) << UInt64(count); count += 7 } else { buffer |= UInt64(b) << UInt64(count); count += 8 }
            afterFF = b == 0xFF
        }
    }

    /// The next `n` bits (0 ≤ n ≤ 32), first bit lowest.
    @inline(__always) mutating func take(_ n: Int) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: buffer & ((UInt64(1) &<< UInt64(n)) &- 1))
        buffer &>>= UInt64(n); count &-= n
        if count < 32 { fill() }
        return v
    }
}

/// A backward bit-stream of an HT code-block (VLC, MagRef): bytes from the end towards the start, bits from the least
/// significant end; a byte whose low 7 bits are all 1 after a byte above 0x8F carries 7 bits. Before `start` it
/// reads zeros.
struct HTReverseBits {
    let data: UnsafePointer<UInt8>
    var position: Int
    let start: Int
    var buffer: UInt64 = 0
    var count = 0
    var unstuff = true

    /// MagRef: bytes `from` down to `downTo`.
    init(_ data: UnsafePointer<UInt8>, from: Int, downTo: Int) {
        self.data = data; position = from; start = downTo
        fill()
    }

    /// VLC of a cleanup segment of `length` bytes with a suffix of `suffix` bytes: it starts in the upper nibble of
    /// the second-last byte (the last byte and the lower nibble hold Scup).
    init(vlcOf data: UnsafePointer<UInt8>, length: Int, suffix: Int) {
        self.data = data; position = length - 3; start = length - suffix
        let d = data[length - 2]
        let nibble = UInt64(d >> 4)
        if nibble & 7 == 7 { buffer = nibble & 7; count = 3 } else { buffer = nibble; count = 4 }
        unstuff = d | 0xF > 0x8F
        fill()
    }

    /// Tops the buffer up to more than 56 bits; out of line, as it runs once every few codewords.
    @inline(never) mutating func fill() {
        while count <= 56 {
            let b = position >= start ? data[position] : 0
            if position >= start { position -= 1 }
            if unstuff && b & 0x7F == 0x7F { buffer |= UInt64(b & 0x7F) << UInt64(count); count += 7 } else { buffer |= UInt64(b) << UInt64(count); count += 8 }
            unstuff = b > 0x8F
        }
    }

    @inline(__always) func peek() -> UInt64 { buffer }

    @inline(__always) mutating func skip(_ n: Int) {
        buffer &>>= UInt64(n); count &-= n
        if count < 32 { fill() }
    }

    /// The next `n` bits (0 ≤ n ≤ 32), first bit lowest.
    @inline(__always) mutating func take(_ n: Int) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: buffer & ((UInt64(1) &<< UInt64(n)) &- 1))
        skip(n)
        return v
    }

    /// A U-VLC prefix: "1" → 1, "01" → 2, "001" → 3, "000" → 5.
    @inline(__always) mutating func uPrefix() -> Int {
        let b = buffer & 7
        if b & 1 != 0 { skip(1); return 1 }
        if b & 2 != 0 { skip(2); return 2 }
        skip(3)
        return b & 4 != 0 ? 3 : 5
    }

    /// The suffix that follows prefix value `prefix`: none, 1 bit or 5 bits.
    @inline(__always) mutating func uSuffix(_ prefix: Int) -> Int {
        switch prefix {
        case 3: return Int(take(1))
        case 5: return Int(take(5))
        default: return 0
        }
    }

    /// The 4-bit extension of a U-VLC value whose prefix and suffix make `u` (present when u ≥ 33), times 4.
    @inline(__always) mutating func uExtension(_ u: Int) -> Int {
        u >= 33 ? 4 * Int(take(4)) : 0
    }
}

/// The MEL decoder of an HT cleanup segment: an adaptive run-length code of the zero / one events,
/// its bits read from the most significant end of each byte, a byte after 0xFF carrying 7 bits. Past its end it
/// reads 1 bits (runs of zeros); its last byte shares its lower nibble with Scup, read as ones.
struct HTMELDecoder {
    let data: UnsafePointer<UInt8>
    var position: Int
    let end: Int
    var current: UInt32 = 0
    var bitsLeft = 0
    var afterFF = false
    var state = 0
    var zeros = 0
    var one = false

    init(_ data: UnsafePointer<UInt8>, start: Int, end: Int) {
        self.data = data; position = start; self.end = end
    }

    @inline(__always) mutating func bit() -> Int {
        if bitsLeft == 0 {
            var b: UInt8 = position < end ? data[position] : 0xFF
            if position == end - 1 { b |= 0x0F }
            if position < end { position += 1 }
            if afterFF { current = UInt32(b & 0x7F); bitsLeft = 7 } else { current = UInt32(b); bitsLeft = 8 }
            afterFF = b == 0xFF
        }
        bitsLeft -= 1
        return Int(current >> UInt32(bitsLeft) & 1)
    }

    /// The next event: 0 or 1.
    mutating func decode() -> Int {
        while true {
            if zeros > 0 { zeros -= 1; return 0 }
            if one { one = false; return 1 }
            let e = Int(truncatingIfNeeded: J2KHTBlockDecoder.packedMELExponents &>> UInt64(4 &* state)) & 0xF
            if bit() == 1 {
                zeros = 1 << e
                state = min(state + 1, 12)
            } else {
                var run = 0
                for _ in 0..<e { run = run << 1 | bit() }
                zeros = run
                one = true
                state = max(state - 1, 0)
            }
        }
    }
}
