/// The rule every decoder applies to the samples it writes, so that all codecs give the same decoded layout for the
/// same pixels: a sample keeps its low Bits Stored bits and, when Pixel Representation is 1, is sign-extended from
/// the High Bit to the whole Bits Allocated cell, as native signed Pixel Data is read (PS3.5 §8.1.1, PS3.3
/// §C.7.6.3.1). Codestreams know no sign (T.81, T.87); PS3.5 §8.2.1 and §8.2.3 leave the meaning of the values to
/// Pixel Representation, so two's complement samples travel as their low P bits and are re-read as signed here.
///
/// Bits above Bits Stored that a codestream carries (DCMTK codes signed 12-bit data with P = 16) are dropped, as
/// they are not part of the sample.
struct StoredSampleRule: Sendable {
    private let shift: Int
    private let signed: Bool

    init(_ descriptor: ImageDescriptor) {
        shift = Int.bitWidth - min(max(descriptor.bitsStored, 1), Int.bitWidth)
        signed = descriptor.isSigned
    }

    /// `value` reduced to Bits Stored bits, sign-extended when signed.
    @inline(__always) func callAsFunction(_ value: Int) -> Int {
        signed ? (value &<< shift) &>> shift : Int(bitPattern: UInt(bitPattern: value &<< shift) &>> UInt(shift))
    }
}
