import Testing
@testable import DicomCore

/// The reversible 5/3 wavelet of ISO/IEC 15444-1 Annex F on single lines: the inverse (decoding) undoes the
/// forward transform (encoding, written independently with an explicitly extended signal) at every length and
/// both parities of the first sample, where the symmetric extension at the ends (§F.3.7) is easiest to get wrong.
@Suite struct J2KWaveletTests {
    @Test(arguments: [0, 1])
    func inverse53UndoesTheForwardTransformAtEveryLength(_ parity: Int) {
        var random = JPEG2000CodecTests.SplitMix(state: UInt64(parity) + 3)
        for n in 1...70 {
            let original = (0..<n).map { _ in Int32(truncatingIfNeeded: random.next() % 131_072) - 65_536 }
            var line = original
            var scratch = [Int32](repeating: 0, count: n + 8)
            line.withUnsafeMutableBufferPointer { lp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    J2KWavelet.forward53(lp.baseAddress!, n: n, step: 1, parity: parity, scratch: sp.baseAddress!)
                    J2KWavelet.inverse53(lp.baseAddress!, n: n, parity: parity, scratch: sp.baseAddress!)
                }
            }
            #expect(line == original, "length \(n)")
        }
    }

    @Test func inverse53OfRowsMatchesItsColumnForm() {
        // The row form (deinterleaved lifting, then one interleave) and the strip-of-columns form must agree.
        var random = JPEG2000CodecTests.SplitMix(state: 17)
        for n in [2, 3, 4, 5, 16, 33] {
            for parity in [0, 1] {
                let coefficients = (0..<n).map { _ in Int32(truncatingIfNeeded: random.next() % 8192) - 4096 }
                var row = coefficients, column = coefficients
                var scratch = [Int32](repeating: 0, count: n * J2KWavelet.stripWidth + 8)
                scratch.withUnsafeMutableBufferPointer { sp in
                    row.withUnsafeMutableBufferPointer { J2KWavelet.inverse53($0.baseAddress!, n: n, parity: parity, scratch: sp.baseAddress!) }
                    column.withUnsafeMutableBufferPointer {
                        J2KWavelet.inverse53Columns($0.baseAddress!, n: n, columns: 1, stride: 1, parity: parity, scratch: sp.baseAddress!)
                    }
                }
                #expect(row == column, "length \(n), parity \(parity)")
            }
        }
    }
}
