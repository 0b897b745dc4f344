/// Writes decoded samples into the output little endian, reduced by `StoredSampleRule` (masked to Bits Stored,
/// sign-extended when signed).
struct JPEGSampleWriter {
    let output: UnsafeMutableRawBufferPointer
    let rule: StoredSampleRule
    let bytesPerSample: Int

    init(descriptor: ImageDescriptor, output: UnsafeMutableRawBufferPointer) {
        self.output = output
        rule = StoredSampleRule(descriptor)
        bytesPerSample = descriptor.bytesPerSample
    }

    /// Writes `count` samples read `stride` apart from `source`, each shifted left by `shift`, from byte `offset`
    /// on, `outputStride` bytes apart.
    @inline(__always)
    func writeLine(_ source: UnsafePointer<Int>, stride: Int, count: Int, shift: Int, at offset: Int, outputStride: Int) {
        let base = output.baseAddress!
        var o = offset
        for x in 0..<count {
            let v = rule(source[x * stride] << shift)
            if bytesPerSample == 2 {
                base.storeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian, toByteOffset: o, as: UInt16.self)
            } else {
                base.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: o, as: UInt8.self)
            }
            o += outputStride
        }
    }
}
