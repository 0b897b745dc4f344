import Foundation
import Testing
@testable import DicomCore
@testable import ImagingKit

/// Timings, not timed tests: run by `Scripts/bench-imaging.sh` (MI_BENCH=1, release build); printed, never asserted.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MI_BENCH"] != nil)) struct BenchmarkTests {
    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        return times.sorted()[runs / 2]
    }

    static func ctFrame(_ size: Int) -> DecodedFrame {
        var bytes = [UInt8](repeating: 0, count: size * size * 2)
        for y in 0..<size {
            for x in 0..<size {
                let dx = x - size / 2, dy = y - size / 2
                let v = Int16(dx * dx + dy * dy < size * size / 9 ? 1064 + (x ^ y) % 64 : 24 + (x * y) % 16)
                bytes[2 * (y * size + x)] = UInt8(truncatingIfNeeded: v); bytes[2 * (y * size + x) + 1] = UInt8(truncatingIfNeeded: v >> 8)
            }
        }
        return DecodedFrame(bytes: bytes, descriptor: ImageDescriptor(rows: size, columns: size, bitsAllocated: 16, bitsStored: 16, isSigned: true))
    }

    @Test func printTimings() throws {
        let frame = Self.ctFrame(512)
        var copy = [UInt8](repeating: 0, count: frame.bytes.count)
        let memcpyTime = Self.median(301) {
            copy.withUnsafeMutableBytes { dst in frame.bytes.withUnsafeBytes { src in dst.copyMemory(from: src) } }
        }
        let pipeline = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(Window(center: 40, width: 400)))
        var sink = 0
        let window = Self.median(301) { sink &+= Int(try! pipeline.render(decoded: frame).samples[1000]) }
        var full = pipeline
        full.invert = true
        full.palette = .hotIron
        let palette = Self.median(101) { sink &+= Int(try! full.render(decoded: frame).samples[1000]) }
        let stored = try StoredFrame(frame)
        let generic = Self.median(101) { sink &+= Int(try! pipeline.render(stored).samples[1000]) }
        let values = pipeline.modalityValues(stored)
        let sharpen = Self.median(21) { sink &+= Int(values.sharpened(strength: 1).samples[1000]) }
        let image = try pipeline.render(decoded: frame)
        let png = Self.median(21) { sink &+= (try! PNGEncoder.encode(image)).count }
        let jpeg = Self.median(21) { sink &+= (try! JPEGEncoder.encode(image, quality: 90)).count }
        let big = Self.ctFrame(3000)
        let radiograph = Self.median(7) { sink &+= Int(try! pipeline.render(decoded: big).samples[1000]) }
        var bigCopy = [UInt8](repeating: 0, count: big.bytes.count)
        let bigMemcpy = Self.median(7) { bigCopy.withUnsafeMutableBytes { d in big.bytes.withUnsafeBytes { d.copyMemory(from: $0) } } }
        let pgm = FileManager.default.temporaryDirectory.appendingPathComponent("imagingkit-bench.pgm")
        try Data(Array("P5\n512 512\n255\n".utf8) + image.samples).write(to: pgm)
        print("""
            imaging-bench: memcpy 512x512x16-bit \(String(format: "%.1f", memcpyTime)) us
            imaging-bench: window+8-bit 512x512 \(String(format: "%.1f", window)) us (\(String(format: "%.2f", window / memcpyTime))x memcpy)
            imaging-bench: window+invert+palette RGBA 512x512 \(String(format: "%.1f", palette)) us
            imaging-bench: window via StoredFrame (Int32) 512x512 \(String(format: "%.1f", generic)) us
            imaging-bench: 3000x3000 window+8-bit \(String(format: "%.0f", radiograph)) us, memcpy \(String(format: "%.0f", bigMemcpy)) us (\(String(format: "%.2f", radiograph / bigMemcpy))x)
            imaging-bench: sharpen 512x512 \(String(format: "%.0f", sharpen)) us
            imaging-bench: PNG encode 512x512 gray \(String(format: "%.0f", png)) us
            imaging-bench: JPEG encode 512x512 gray q90 \(String(format: "%.0f", jpeg)) us
            imaging-bench: pgm \(pgm.path)
            (sink \(sink))
            """)
    }
}
