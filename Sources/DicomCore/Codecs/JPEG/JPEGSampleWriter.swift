/// Writes decoded samples into the output: masked to Bits Stored, sign-extended when signed, little endian.
struct JPEGSampleWriter {
    let output: UnsafeMutableRawBufferPointer
    let bitsStored: Int
    let signed: Bool
    let bytesPerSample: Int

    init(descriptor: ImageDescriptor, output: UnsafeMutableRawBufferPointer) {
        self.output = output
        bitsStored = descriptor.bitsStored
        signed = descriptor.isSigned
        bytesPerSample = descriptor.bytesPerSample
    }

    /// Writes `count` samples read `stride` apart from `source`, each shifted left by `shift`, from byte `offset`
    /// on, `outputStride` bytes apart.
    @inline(__always)
    func writeLine(_ source: UnsafePointer<Int>, stride: Int, count: Int, shift: Int, at offset: Int, outputStride: Int) {
        let mask = (1 << bitsStored) - 1
        let sign = signed ? 1 << (bitsStored - 1) : 0
        let base = output.baseAddress!
        var o = offset
        for x in 0..<count {
            var v = (source[x * stride] << shift) & mask
            if v & sign != 0 { v -= 1 << bitsStored }
            if bytesPerSample == 2 {
                base.storeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian, toByteOffset: o, as: UInt16.self)
            } else {
                base.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: o, as: UInt8.self)
            }
            o += outputStride
        }
    }
}
