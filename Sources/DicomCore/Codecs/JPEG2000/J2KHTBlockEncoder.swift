/// Tier-1 encoding of one HT code-block (ITU-T T.814 | ISO/IEC 15444-15, clause 7): the mirror of
/// `J2KHTBlockDecoder`. It writes one HT set: the cleanup pass at bit-plane `cleanupPlane` (MEL, CxtVLC with U-VLC
/// and MagSgn, in the three-segment layout with the Scup suffix), and, when asked, the SigProp and MagRef passes of
/// bit-plane `cleanupPlane - 1` in a second codeword segment.
///
/// With refinement passes one HT set is lossless only if every sample that first becomes significant in the lower
/// bit-plane has a significant neighbour (SigProp codes nothing else); `encode` checks that and otherwise codes
/// the block with a cleanup pass at bit-plane 0 alone, so the result is always lossless when `cleanupPlane` ≤ 1.
struct J2KHTBlockEncoder {
    /// One coded block.
    struct Block {
        /// The cleanup segment followed by the refinement segment.
        var bytes: [UInt8] = []
        /// Lcup and Lref (0 without refinement passes).
        var cleanupLength = 0, refinementLength = 0
        /// 0 (nothing significant), 1 (cleanup) or 3 (cleanup, SigProp, MagRef).
        var passes = 0
        /// The bit-plane of the cleanup pass.
        var cleanupPlane = 0
        /// Samples that became significant in the SigProp pass, and samples the MagRef pass refined.
        var sigPropSignificant = 0, magRefRefined = 0
    }

    /// CxtVLC encoding table, indexed by `c_q << 9 | rho << 5 | u_off << 4 | m`, where bit n of m says whether bit
    /// U_q - 1 of sample n's v_n is 1: codeword in bits 0–7, length in bits 8–11, e_k in bits 12–15, e_1 in 16–19;
    /// 0 where no codeword fits.
    static let initialTable = table(J2KHTTables.initialRows)
    static let nonInitialTable = table(J2KHTTables.nonInitialRows)

    /// Derives the encoder's table from the decoder's rows: for each context, significance pattern, u_off and pattern
    /// of most significant bits, the shortest codeword whose EMB pattern (e_k, e_1) is true of those bits, so the
    /// decoder's implied bit (e_1 at position U_q - 1 where e_k is set) equals the encoder's.
    static func table(_ rows: [UInt32]) -> [UInt32] {
        var t = [UInt32](repeating: 0, count: 8 << 9)
        for row in rows {
            let context = Int(row >> 28), rho = Int(row >> 24 & 0xF), uOff = Int(row >> 20 & 1), ek = Int(row >> 16 & 0xF)
            let e1 = Int(row >> 12 & 0xF), codeword = row >> 4 & 0xFF, length = row & 0xF
            for m in 0..<16 where m & ~rho == 0 && m & ek == e1 {
                let i = context << 9 | rho << 5 | uOff << 4 | m
                if t[i] == 0 || t[i] >> 8 & 0xF > length {
                    t[i] = codeword | length << 8 | UInt32(ek) << 12 | UInt32(e1) << 16
                }
            }
        }
        return t
    }

    private var samples: [UInt32] = []

    /// Codes `width` x `height` coefficients at `input` (row stride `stride`) of a band with `magnitudeBits` = M_b.
    /// The result's zero bit-planes are `magnitudeBits - 1 - cleanupPlane`.
    mutating func encode(_ input: UnsafePointer<Int32>, width w: Int, height h: Int, stride: Int, magnitudeBits mb: Int,
                         refine: Bool) throws(DicomError) -> Block {
        var maxMagnitude: UInt32 = 0
        if samples.count < w * h { samples = [UInt32](repeating: 0, count: w * h) }
        for y in 0..<h {
            for x in 0..<w {
                let v = input[y * stride + x]
                maxMagnitude = max(maxMagnitude, v.magnitude)
                samples[y * w + x] = v.magnitude | (v < 0 ? 0x8000_0000 : 0)
            }
        }
        guard maxMagnitude > 0 else { return Block() }
        guard mb >= 1, mb <= 30, maxMagnitude >> UInt32(mb) == 0 else {
            throw DicomError(.invalidPixelData, "HT code-block magnitude \(maxMagnitude) does not fit \(mb) bit-planes")
        }
        return try samples.withUnsafeBufferPointer { sb throws(DicomError) in
            let s = sb.baseAddress!
            if refine && mb >= 2, let block = try J2KHTBlockEncoder.encodeSet(s, width: w, height: h, plane: 1, magnitudeBits: mb) {
                return block
            }
            return try J2KHTBlockEncoder.encodeSet(s, width: w, height: h, plane: 0, magnitudeBits: mb)!
        }
    }

    /// One HT set with its cleanup pass at `plane` (0: cleanup only; 1: with SigProp and MagRef for bit-plane 0);
    /// nil when plane 1 cannot reach a sample.
    static func encodeSet(_ s: UnsafePointer<UInt32>, width w: Int, height h: Int, plane: Int,
                          magnitudeBits mb: Int) throws(DicomError) -> Block? {
        var significant = [UInt8](repeating: 0, count: w * h)
        for i in 0..<(w * h) where (s[i] & 0x7FFF_FFFF) >> UInt32(plane) != 0 { significant[i] = 1 }
        var block = Block()
        var refinement: [UInt8] = []
        if plane == 1 {
            guard let r = refinementPasses(s, width: w, height: h, significant: significant, block: &block) else { return nil }
            refinement = r
        }
        let cleanup = try cleanupPass(s, width: w, height: h, plane: plane, zeroBitplanes: mb - 1 - plane)
        block.bytes = cleanup + refinement
        block.cleanupLength = cleanup.count
        block.refinementLength = refinement.count
        block.passes = plane == 1 ? 3 : 1
        block.cleanupPlane = plane
        return block
    }

    /// The HT cleanup pass over quads of 2x2 samples in line-pairs, two quads at a time, as
    /// `J2KHTBlockDecoder.cleanup` reads it.
    static func cleanupPass(_ s: UnsafePointer<UInt32>, width w: Int, height h: Int, plane: Int,
                            zeroBitplanes: Int) throws(DicomError) -> [UInt8] {
        var mel = J2KBitWriter(), melState = 0, melRun = 0
        var vlc = HTReverseWriter(vlc: ())
        var magSgn = HTForwardWriter()
        func melEvent(_ bit: Int) {
            let e = Int(truncatingIfNeeded: J2KHTBlockDecoder.packedMELExponents &>> UInt64(4 * melState)) & 0xF
            if bit == 0 {
                melRun += 1
                if melRun == 1 << e { mel.bit(1); melRun = 0; melState = min(melState + 1, 12) }
            } else {
                mel.bit(0)
                mel.bits(melRun, e)
                melRun = 0
                melState = max(melState - 1, 0)
            }
        }
        let quadsAcross = (w + 1) / 2, quadRows = (h + 1) / 2
        var above = [Int32](repeating: 0, count: w + 4), below = above
        let maxU = zeroBitplanes + 2
        // v_n of the samples of the two quads being coded.
        var values = [UInt32](repeating: 0, count: 8)
        for qr in 0..<quadRows {
            let initial = qr == 0, table = initial ? initialTable : nonInitialTable
            let y0 = 2 * qr
            swap(&above, &below)
            for i in below.indices { below[i] = 0 }
            var context = 0
            var g = 0
            while g < quadsAcross {
                let pair = g + 1 < quadsAcross ? 2 : 1
                var rhos = (0, 0), us = (0, 0), eks = (0, 0), bounds = (0, 0)
                for i in 0..<8 { values[i] = 0 }
                for i in 0..<pair {
                    let q = g + i, x0 = 2 * q
                    var rho = 0, emax: UInt32 = 0
                    for n in 0..<4 {
                        let x = x0 + n >> 1, y = y0 + n & 1
                        guard x < w, y < h else { continue }
                        let mu = (s[y * w + x] & 0x7FFF_FFFF) >> UInt32(plane)
                        guard mu != 0 else { continue }
                        let v = 2 * (mu - 1) + s[y * w + x] >> 31
                        values[4 * i + n] = v
                        rho |= 1 << n
                        emax = max(emax, UInt32(32 - (v | 1).leadingZeroBitCount))
                    }
                    var c = context
                    if !initial {
                        let x = x0 + 1
                        c |= (above[x - 1] | above[x]) != 0 ? 1 : 0
                        c |= (above[x + 1] | above[x + 2]) != 0 ? 4 : 0
                    }
                    var kappa = 1
                    if !initial && rho & (rho - 1) != 0 {
                        let x = x0 + 1
                        kappa = max(Int(max(max(above[x - 1], above[x]), max(above[x + 1], above[x + 2]))) - 1, 1)
                    }
                    let uq = max(Int(emax), kappa)
                    guard uq <= maxU else {
                        throw DicomError(.invalidPixelData, "HT quad exponent \(uq) above \(maxU)")
                    }
                    let u = uq - kappa, uOff = u > 0 ? 1 : 0
                    var ek = 0
                    if c == 0 { melEvent(rho != 0 ? 1 : 0) }
                    if c != 0 || rho != 0 {
                        var m = 0
                        for n in 0..<4 where rho >> n & 1 == 1 && values[4 * i + n] >> UInt32(uq - 1) & 1 == 1 { m |= 1 << n }
                        let entry = table[c << 9 | rho << 5 | uOff << 4 | m]
                        guard entry != 0 else {
                            throw DicomError(.invalidPixelData, "HT CxtVLC has no codeword for context \(c), rho \(rho)")
                        }
                        vlc.bits(entry & 0xFF, Int(entry >> 8 & 0xF))
                        ek = Int(entry >> 12 & 0xF)
                    }
                    if initial {
                        context = (rho & 1 | rho >> 1 & 1) | (rho >> 2 & 1) << 1 | (rho >> 3 & 1) << 2
                    } else {
                        context = (rho >> 2 | rho >> 3) & 1 == 1 ? 2 : 0
                    }
                    if i == 0 { rhos.0 = rho; us.0 = u; eks.0 = ek; bounds.0 = uq } else { rhos.1 = rho; us.1 = u; eks.1 = ek; bounds.1 = uq }
                }
                // U-VLC: prefixes of both quads, then suffixes, then extensions; in the initial line-pair a MEL
                // event says whether both u exceed 2.
                let u0 = us.0, u1 = us.1
                if initial && u0 > 0 && u1 > 0 {
                    if u0 > 2 && u1 > 2 {
                        melEvent(1)
                        vlc.uPrefix(u0 - 2); vlc.uPrefix(u1 - 2)
                        vlc.uSuffix(u0 - 2); vlc.uSuffix(u1 - 2)
                        vlc.uExtension(u0 - 2); vlc.uExtension(u1 - 2)
                    } else {
                        melEvent(0)
                        vlc.uPrefix(u0)
                        if u0 > 2 {
                            vlc.bits(UInt32(u1 - 1), 1)
                            vlc.uSuffix(u0); vlc.uExtension(u0)
                        } else {
                            vlc.uPrefix(u1)
                            vlc.uSuffix(u0); vlc.uSuffix(u1)
                            vlc.uExtension(u0); vlc.uExtension(u1)
                        }
                    }
                } else {
                    if u0 > 0 { vlc.uPrefix(u0) }
                    if u1 > 0 { vlc.uPrefix(u1) }
                    if u0 > 0 { vlc.uSuffix(u0) }
                    if u1 > 0 { vlc.uSuffix(u1) }
                    if u0 > 0 { vlc.uExtension(u0) }
                    if u1 > 0 { vlc.uExtension(u1) }
                }
                // MagSgn: U_q - e_k bits of each significant sample's v_n, and the exponents the next line-pair uses.
                for i in 0..<pair {
                    let q = g + i, rho = i == 0 ? rhos.0 : rhos.1, ek = i == 0 ? eks.0 : eks.1, uq = i == 0 ? bounds.0 : bounds.1
                    for n in 0..<4 where rho >> n & 1 == 1 {
                        let v = values[4 * i + n]
                        magSgn.bits(v, uq - (ek >> n & 1))
                        if n & 1 == 1 { below[2 * q + n >> 1 + 1] = Int32(32 - (v | 1).leadingZeroBitCount) }
                    }
                }
                g += 2
            }
        }
        if melRun > 0 { mel.bit(1) }
        var out = magSgn.finish(padding: 1)
        // MagSgn may not end in 0xFF (the decoder reads 0xFF past its end anyway): such a byte would make a marker
        // code with a MEL byte above 0x8F.
        if out.last == 0xFF { out.removeLast() }
        let melBytes = mel.finish()
        var vlcBytes = vlc.finish()
        let scup = melBytes.count + vlcBytes.count + 1
        guard scup <= 4079 else { throw DicomError(.invalidPixelData, "HT cleanup suffix of \(scup) bytes") }
        vlcBytes[vlcBytes.count - 1] = vlcBytes[vlcBytes.count - 1] & 0xF0 | UInt8(scup & 0xF)
        out += melBytes
        out += vlcBytes
        out.append(UInt8(scup >> 4))
        return out
    }

    /// The SigProp and MagRef passes of bit-plane 0 after a cleanup pass at bit-plane 1, as
    /// `J2KHTBlockDecoder.significancePropagation` and `magnitudeRefinement` read them: SigProp forwards, MagRef
    /// backwards from the end of the segment. Nil when a sample that is 1 in bit-plane 0 has no significant neighbour.
    static func refinementPasses(_ s: UnsafePointer<UInt32>, width w: Int, height h: Int, significant: [UInt8],
                                 block: inout Block) -> [UInt8]? {
        var sigProp = HTForwardWriter(), magRef = HTReverseWriter()
        var fresh = [UInt8](repeating: 0, count: w * h)
        var reachable = true
        significant.withUnsafeBufferPointer { sig in
            fresh.withUnsafeMutableBufferPointer { f in
                J2KHTBlockDecoder.sigPropScan(width: w, height: h, causal: false, fresh: f.baseAddress!,
                                              cleanupSignificant: { sig[$0] != 0 },
                                              significance: { i in
                                                  let bit = s[i] & 1
                                                  sigProp.bits(bit, 1)
                                                  block.sigPropSignificant += Int(bit)
                                                  return bit == 1
                                              },
                                              sign: { sigProp.bits(s[$0] >> 31, 1) })
            }
        }
        // What SigProp did not reach must be 0 in bit-plane 0.
        for i in 0..<(w * h) where significant[i] == 0 && fresh[i] == 0 && s[i] & 1 == 1 { reachable = false; break }
        guard reachable else { return nil }
        var y0 = 0
        while y0 < h {
            let y1 = min(y0 + 4, h)
            for x in 0..<w {
                for y in y0..<y1 where significant[y * w + x] != 0 {
                    magRef.bits(s[y * w + x] & 1, 1)
                    block.magRefRefined += 1
                }
            }
            y0 = y1
        }
        var out = sigProp.finish(padding: 0)
        // A SigProp byte 0xFF next to a MagRef byte above 0x8F would make a marker code.
        if out.last == 0xFF { out.append(0) }
        return out + magRef.finish()
    }
}

/// A forward bit-stream writer of an HT code-block (MagSgn, SigProp), the mirror of `HTForwardBits`: bits into the
/// least significant end of each byte; a byte after 0xFF carries 7 bits.
struct HTForwardWriter {
    private(set) var bytes: [UInt8] = []
    private var current: UInt32 = 0
    private var count = 0
    private var capacity = 8

    /// Appends the low `n` bits of `v` (0 ≤ n ≤ 32), lowest first.
    mutating func bits(_ v: UInt32, _ n: Int) {
        var v = v, n = n
        while n > 0 {
            let k = min(n, capacity - count)
            current |= (v & ((1 << UInt32(k)) - 1)) << UInt32(count)
            count += k; n -= k; v = k == 32 ? 0 : v >> UInt32(k)
            if count == capacity {
                bytes.append(UInt8(current))
                capacity = current == 0xFF ? 7 : 8
                current = 0; count = 0
            }
        }
    }

    /// The bytes, the last one filled up with `padding` bits (0 or 1).
    mutating func finish(padding: UInt32) -> [UInt8] {
        if count > 0 {
            if padding == 1 { current |= ((1 << UInt32(capacity - count)) - 1) << UInt32(count) }
            bytes.append(UInt8(current))
            count = 0
        }
        return bytes
    }
}

/// A backward bit-stream writer of an HT code-block (VLC, MagRef), the mirror of `HTReverseBits`: bits into the
/// least significant end of each byte, the bytes stored from the end of the stream towards its start; after a
/// byte above 0x8F, a byte whose low 7 bits would all be 1 carries those 7 bits with a 0 above them.
struct HTReverseWriter {
    private var bytes: [UInt8] = []
    private var current: UInt32 = 0
    private var count = 0
    private var afterLarge = true

    /// MagRef: starts as if after a byte above 0x8F, as `HTReverseBits(_:from:downTo:)` reads it.
    init() {}

    /// VLC: starts in the upper nibble of its first byte, the lower nibble left for Scup (taken as 0xF here, and by
    /// the decoder, for the stuffing rule).
    init(vlc: Void) { current = 0xF; count = 4 }

    /// Appends the low `n` bits of `v`, lowest first.
    mutating func bits(_ v: UInt32, _ n: Int) {
        for i in 0..<n {
            current |= (v >> UInt32(i) & 1) << UInt32(count)
            count += 1
            if (count == 7 && afterLarge && current == 0x7F) || count == 8 {
                bytes.append(UInt8(current))
                afterLarge = current > 0x8F
                current = 0; count = 0
            }
        }
    }

    /// A U-VLC prefix for u ≥ 1 (1 → "1", 2 → "01", 3–4 → "001", 5 and above → "000").
    mutating func uPrefix(_ u: Int) {
        switch u {
        case 1: bits(1, 1)
        case 2: bits(2, 2)
        case 3, 4: bits(4, 3)
        default: bits(0, 3)
        }
    }

    /// The U-VLC suffix of u: none, 1 bit (u = 3–4) or 5 bits (u ≥ 5, taking u - 5 up to 32 and 28 + (u - 33) % 4 above).
    mutating func uSuffix(_ u: Int) {
        if u == 3 || u == 4 { bits(UInt32(u - 3), 1) }
        if u >= 5 { bits(UInt32(u <= 32 ? u - 5 : 28 + (u - 33) % 4), 5) }
    }

    /// The 4-bit U-VLC extension of u ≥ 33: (u - 33) / 4.
    mutating func uExtension(_ u: Int) {
        if u >= 33 { bits(UInt32((u - 33) / 4), 4) }
    }

    /// The bytes in stream order (the first written last), the last one padded with zeros.
    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(current)); count = 0 }
        return bytes.reversed()
    }
}
