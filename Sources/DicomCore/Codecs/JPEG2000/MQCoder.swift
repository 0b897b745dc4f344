/// The MQ arithmetic coder of ISO/IEC 15444-1 Annex C: the decoder (§C.3) and the encoder (§C.2).
///
/// A context is one byte: its state index (Table C.2) shifted left once, with the MPS in bit 0.
enum MQTable {
    static let qe: [UInt32] = [
        0x5601, 0x3401, 0x1801, 0x0AC1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801, 0x3001, 0x2401, 0x1C01, 0x1601,
        0x5601, 0x5401, 0x5101, 0x4801, 0x3801, 0x3401, 0x3001, 0x2801, 0x2401, 0x2201, 0x1C01, 0x1801, 0x1601, 0x1401,
        0x1201, 0x1101, 0x0AC1, 0x09C1, 0x08A1, 0x0521, 0x0441, 0x02A1, 0x0221, 0x0141, 0x0111, 0x0085, 0x0049, 0x0025,
        0x0015, 0x0009, 0x0005, 0x0001, 0x5601]
    static let nmps: [UInt8] = [
        1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 45, 46]
    static let nlps: [UInt8] = [
        1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 23, 24, 25, 26, 27,
        28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 46]
    static let switchMPS: [Bool] = [true, false, false, false, false, false, true, false, false, false, false, false, false, false,
                                    true] + [Bool](repeating: false, count: 32)

    /// Transitions precomputed per context byte: (Qe, next context after MPS, next context after LPS).
    static let transitions: [(qe: UInt32, mps: UInt8, lps: UInt8)] = (0..<94).map { cx in
        let state = cx >> 1, mps = cx & 1
        let lpsMPS = switchMPS[state] ? 1 - mps : mps
        return (qe[state], UInt8(Int(nmps[state]) << 1 | mps), UInt8(Int(nlps[state]) << 1 | lpsMPS))
    }

    /// The decoder's word of a context byte `cx`: Qe in bits 0–15 and, in bits 16–31, where in a
    /// `decoderContexts()` buffer the context's row of the transition table is, plus one (the entry after an MPS
    /// that renormalises): `decoderTableOffset + 4 cx + 1`. The MPS (bit 0 of `cx`) is bit 18 of the word
    /// (`mpsBit`): the offset and the one added leave bits 2 and above of `4 cx` as they are.
    static func decoderWord(_ cx: Int) -> UInt32 { transitions[cx].qe | UInt32(decoderTableOffset + 4 * cx + 1) << 16 }

    /// The MPS bit of a decoder word.
    static let mpsShift: UInt32 = 18, mpsBit: UInt32 = 1 << 18

    /// The decoder's transition table: four words per context byte `k`, at 4k: the word of `k` itself, of the
    /// next context after an MPS that renormalises, and after an LPS (then a spare). A word holds the index of its
    /// row's second entry, so a decoder that does not branch on the decision finds the word it keeps by adding
    /// "LPS" (0 or 1) and subtracting "no renormalisation" (0 or 1, the top bit of A), instead of picking between
    /// two loaded words; an LPS always renormalises.
    static let decoderTable: [UInt32] = (0..<94).flatMap { k in
        [decoderWord(k), decoderWord(Int(transitions[k].mps)), decoderWord(Int(transitions[k].lps)), 0]
    }

    /// Where the transition table starts in a decoder's context buffer.
    static let decoderTableOffset = 32

    /// A context buffer for `MQDecoder`: the code-block coder's contexts in their initial states, then the
    /// transition table (`decoderTable`) at `decoderTableOffset`.
    static func decoderContexts() -> [UInt32] {
        var words = [UInt32](repeating: 0, count: decoderTableOffset + decoderTable.count)
        for (i, w) in decoderTable.enumerated() { words[decoderTableOffset + i] = w }
        words.withUnsafeMutableBufferPointer { resetDecoderContexts($0.baseAddress!) }
        return words
    }

    /// Puts the contexts of a `decoderContexts()` buffer back in their initial states (Table D.7): uniform in state
    /// 46, run length in 3, zero-coding context 0 in 4, the others in 0.
    @inline(__always) static func resetDecoderContexts(_ words: UnsafeMutablePointer<UInt32>) {
        let table = words + decoderTableOffset
        words.update(repeating: table[0], count: count)
        words[0] = table[(4 << 1) * 4]; words[runLength] = table[(3 << 1) * 4]; words[uniform] = table[(46 << 1) * 4]
    }

    /// Where in a `decoderContexts()` buffer the word after a renormalising MPS (`lps` 0) or after an LPS (`lps`
    /// 1) of the context word `w` is.
    @inline(__always) static func nextIndex(_ w: UInt32, lps: UInt32) -> Int {
        Int(truncatingIfNeeded: (w &>> 16) &+ lps)
    }

    /// Context numbers of the code-block coder (§D.3): 0–8 zero coding, 9–13 sign, 14–16 refinement, run length, uniform.
    static let runLength = 17, uniform = 18, count = 19

    /// The initial states (Table D.7): uniform in state 46, run length in 3, zero-coding context 0 in 4.
    static func initialContexts() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: count)
        c[0] = 4 << 1; c[runLength] = 3 << 1; c[uniform] = 46 << 1
        return c
    }
}

/// MQ decoder over one terminated segment (§C.3).
///
/// The segment is followed by `MQDecoder.padding` bytes of 0xFF: from there the decoder sees a marker (0xFF followed
/// by a byte above 0x8F) and feeds 1s without moving (§C.3.4), so no end check is needed, and the four-byte refill
/// never reads past the buffer.
///
/// Contexts are 32-bit words, each the `MQTable.decoderWord` of the context's state: one load gives Qe, the MPS (bit
/// 18) and where the next states are in the transition table. The transition table follows the contexts in the
/// same buffer, at `MQTable.decoderTableOffset` (see `MQTable.decoderContexts()`), so the decoder holds no pointer of
/// its own for it. The state is four scalars, so a pass that copies the decoder into a local keeps it in registers.
///
/// C is 64 bits wide: its upper 16 bits are the register of Figure C.18's C-high, and the `ct` bits below them are
/// code bits read ahead. Four bytes are read at once while none of them is 0xFF (so no stuffed bit or marker is
/// among them), which makes the refill about one in 32 bits instead of one in 8.
struct MQDecoder {
    /// Bytes of 0xFF the segment must be followed by.
    static let padding = 8
    /// The byte last consumed.
    private var bp: UnsafePointer<UInt8>
    private var a: UInt32 = 0x8000
    private var c: UInt64 = 0
    private var ct: UInt32 = 0

    /// `buffer` holds the segment followed by `MQDecoder.padding` bytes of 0xFF.
    init(_ buffer: UnsafePointer<UInt8>) {
        bp = buffer
        c = UInt64(buffer[0]) << 48
        byteIn()
        c <<= 7
        ct &-= 7
        a = 0x8000
    }

    /// Appends one byte's code bits below the `ct` read ahead (at most 40 of them).
    @inline(__always) private mutating func byteIn() {
        // Stay on a marker (0xFF followed by more than 0x8F) and feed 1s; after any other 0xFF, 7 bits (a stuffed 0).
        if bp.pointee == 0xFF {
            let next = bp[1]
            if next > 0x8F {
                c &+= 0xFF &<< UInt64(40 &- ct)
                ct &+= 8
            } else {
                bp += 1
                c &+= UInt64(next) &<< UInt64(41 &- ct)
                ct &+= 7
            }
        } else {
            bp += 1
            c &+= UInt64(bp.pointee) &<< UInt64(40 &- ct)
            ct &+= 8
        }
    }

    /// Reads ahead (called with fewer than 16 bits in hand): the next four bytes at once when neither they nor the
    /// byte last consumed is 0xFF, otherwise one byte.
    @inline(__always) private mutating func fill() {
        let raw = UnsafeRawPointer(bp)
        let here = ~raw.loadUnaligned(as: UInt32.self)      // a zero byte here is a 0xFF in bp[0...3]
        if (here &- 0x0101_0101) & ~here & 0x8080_8080 == 0 {
            let next = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt32.self))
            c &+= UInt64(next) &<< UInt64(16 &- ct)
            ct &+= 32
            bp += 4
        } else {
            byteIn()
        }
    }

    /// This decoder after reading ahead until at least `bits` (at most 15) bits are in hand. Out of line and by
    /// value (the four scalars come back in registers): it runs about once in 32 bits, and inlined at every
    /// decision it would crowd the passes out of their registers.
    @inline(never) private func refilled(_ bits: UInt32) -> MQDecoder {
        var d = self
        while bits > d.ct { d.fill() }
        return d
    }

    /// Shifts A (below 0x8000 here) and C left until A reaches 0x8000: all the bits at once, after reading ahead
    /// if fewer are in hand (§C.3.3, Figure C.18).
    @inline(__always) private mutating func renormalize() {
        // 15 minus the index of A's top bit (A is between 1 and 2^16 - 1): with the OR, the compiler knows A is not
        // zero and takes the index from BSR as it is, where "leading zeros minus 16" took three operations more.
        let s = (31 &- UInt32(truncatingIfNeeded: (a | 1).leadingZeroBitCount)) ^ 15
        if s > ct { self = refilled(s) }
        a &<<= s; c &<<= UInt64(s); ct &-= s
    }

    /// How many decisions in a row context `cx` is sure to decode as its MPS without renormalising, from here:
    /// each takes Qe from A (which must stay at or above 0x8000) and from the upper half of C (which must stay at or
    /// above Qe, or the decision is an LPS), and none changes the context.
    @inline(__always) func mpsRun(_ contexts: UnsafeMutablePointer<UInt32>, _ cx: Int) -> Int {
        let qe = contexts[cx] & 0xFFFF
        return Int(truncatingIfNeeded: min(UInt32(truncatingIfNeeded: c &>> 48), a &- 0x8000) / qe)
    }

    /// Takes `count` (at most `mpsRun`) MPS decisions in context `cx` at once.
    @inline(__always) mutating func skipMPS(_ contexts: UnsafeMutablePointer<UInt32>, _ cx: Int, _ count: Int) {
        let total = (contexts[cx] & 0xFFFF) &* UInt32(truncatingIfNeeded: count)
        a &-= total
        c &-= UInt64(total) &<< 48
    }

    /// Decodes one decision in context `cx` of `contexts` (a `MQTable.decoderContexts()` buffer).
    @inline(__always) mutating func decode(_ contexts: UnsafeMutablePointer<UInt32>, _ cx: Int) -> Int {
        let w = contexts[cx]
        let qe = w & 0xFFFF
        let mps = Int(truncatingIfNeeded: (w &>> MQTable.mpsShift) & 1)
        a &-= qe
        if UInt32(truncatingIfNeeded: c &>> 48) < qe {
            // LPS interval (conditional exchange, Figure C.17).
            let d: Int
            if a < qe {
                d = mps; contexts[cx] = contexts[MQTable.nextIndex(w, lps: 0)]
            } else {
                d = mps ^ 1; contexts[cx] = contexts[MQTable.nextIndex(w, lps: 1)]
            }
            a = qe
            renormalize()
            return d
        }
        c &-= UInt64(qe) &<< 48
        if a & 0x8000 != 0 { return mps }
        let d: Int
        if a < qe {
            d = mps ^ 1; contexts[cx] = contexts[MQTable.nextIndex(w, lps: 1)]
        } else {
            d = mps; contexts[cx] = contexts[MQTable.nextIndex(w, lps: 0)]
        }
        renormalize()
        return d
    }

    /// Decodes one decision like `decode`, without a branch on which interval C falls in: for contexts near even
    /// odds (the sign contexts) that branch is mispredicted about half the time, and masks cost less. The
    /// decision is an LPS exactly when "C in the LPS interval" and "A below Qe" differ (Figures C.15–C.17); the
    /// context moves only when the decoder renormalises. It stores the context word at every decision, so a run of
    /// decisions in one context waits on those stores: such a context is better held in a register with
    /// `decodeHeld`.
    @inline(__always) mutating func decodeUnpredictable(_ contexts: UnsafeMutablePointer<UInt32>, _ cx: Int) -> Int {
        var w = contexts[cx]
        let d = decodeHeld(&w, contexts)
        contexts[cx] = w
        return d
    }

    /// Decodes one decision without any branch on its outcome in a context whose word the caller holds in `w`
    /// (a register, for a whole pass) rather than in the context buffer; `contexts` gives the transition table.
    /// For a context near even odds used run after run (the refinement context of samples refined before, about
    /// half of a noisy image's decisions), both branches of `decode` are mispredicted often, and the stores and
    /// reloads of the context word that kept `decodeUnpredictable` slower there are gone. A and C shift by the
    /// leading zeros of A, none when no renormalisation is due.
    @inline(__always) mutating func decodeHeld(_ w: inout UInt32, _ contexts: UnsafeMutablePointer<UInt32>) -> Int {
        // Masks and shifts rather than conditionals, which the compiler turns back into branches. Qe and the upper
        // half of C are below 2^16 and A stays above Qe before the subtraction, so a borrow into bit 31 is a "less
        // than".
        let word = w
        let qe = word & 0xFFFF
        a &-= qe
        // C minus Qe in its upper half borrows exactly when C is in the LPS interval: one subtraction gives both.
        let (cMPS, borrow) = c.subtractingReportingOverflow(UInt64(qe) &<< 48)
        let lpsInterval = UInt32(truncatingIfNeeded: borrow ? 1 : 0)
        let isLPS = lpsInterval ^ ((a &- qe) &>> 31)
        let lpsMask = 0 &- lpsInterval
        c = borrow ? c : cMPS
        a = (a & ~lpsMask) | (qe & lpsMask)
        // Qe is below 0x8000, so an LPS interval always renormalises too, and so does an LPS: the word kept is
        // entry 0 (no renormalisation: A's top bit set), 1 (MPS) or 2 (LPS) of the context's row of the transition
        // table, whose entry 1 the word points at.
        w = contexts[Int(truncatingIfNeeded: (word &>> 16) &+ isLPS &- (a &>> 15))]
        renormalize()
        return Int(truncatingIfNeeded: ((word &>> MQTable.mpsShift) & 1) ^ isLPS)
    }
}

/// Decoder of raw (bypass) segments (§D.6): bits most significant first, a 0 bit stuffed after each 0xFF.
struct RawDecoder {
    private var data: UnsafePointer<UInt8>
    private var position = 0
    private var c: UInt32 = 0
    private var ct = 0
    private let end: Int

    init(_ buffer: UnsafePointer<UInt8>, count: Int) { data = buffer; end = count }

    @inline(__always) mutating func decode() -> Int {
        if ct == 0 {
            if c == 0xFF {
                if position >= end || data[position] > 0x8F { c = 0xFF; ct = 8 } else { c = UInt32(data[position]); position += 1; ct = 7 }
            } else {
                c = position < end ? UInt32(data[position]) : 0xFF
                position += 1
                ct = 8
            }
        }
        ct -= 1
        return Int(c >> UInt32(ct)) & 1
    }
}

/// MQ encoder (§C.2) writing one code-block's terminated segment.
struct MQEncoder {
    private(set) var bytes: [UInt8] = [0]  // bytes[0] is the position before the first output byte (§C.2.8)
    private var a: UInt32 = 0x8000
    private var c: UInt32 = 0
    private var ct: Int32 = 12

    init() { bytes.reserveCapacity(4096) }

    @inline(__always) private mutating func byteOut() {
        let last = bytes.count - 1
        if bytes[last] == 0xFF {
            bytes.append(UInt8(truncatingIfNeeded: c >> 20)); c &= 0xFFFFF; ct = 7
        } else if c < 0x800_0000 {
            bytes.append(UInt8(truncatingIfNeeded: c >> 19)); c &= 0x7FFFF; ct = 8
        } else {
            bytes[last] &+= 1
            if bytes[last] == 0xFF {
                c &= 0x7FF_FFFF
                bytes.append(UInt8(truncatingIfNeeded: c >> 20)); c &= 0xFFFFF; ct = 7
            } else {
                bytes.append(UInt8(truncatingIfNeeded: c >> 19)); c &= 0x7FFFF; ct = 8
            }
        }
    }

    @inline(__always) private mutating func renormalize() {
        repeat {
            a <<= 1
            c <<= 1
            ct -= 1
            if ct == 0 { byteOut() }
        } while a & 0x8000 == 0
    }

    @inline(__always) mutating func encode(_ bit: Int, _ contexts: UnsafeMutablePointer<UInt8>, _ cx: Int) {
        let state = contexts[cx]
        let t = MQTable.transitions[Int(state)]
        a -= t.qe
        if bit == Int(state & 1) {
            if a & 0x8000 == 0 {
                if a < t.qe { a = t.qe } else { c += t.qe }
                contexts[cx] = t.mps
                renormalize()
            } else {
                c += t.qe
            }
        } else {
            if a < t.qe { c += t.qe } else { a = t.qe }
            contexts[cx] = t.lps
            renormalize()
        }
    }

    /// Terminates the segment (§C.2.9) and returns its bytes.
    mutating func flush() -> [UInt8] {
        let temp = c + a
        c |= 0xFFFF
        if c >= temp { c -= 0x8000 }
        c <<= UInt32(ct)
        byteOut()
        c <<= UInt32(ct)
        byteOut()
        var out = Array(bytes.dropFirst())
        if out.last == 0xFF { out.removeLast() }
        return out
    }
}
