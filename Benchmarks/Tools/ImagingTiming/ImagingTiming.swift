import DicomCore
import Foundation
import ImagingKit

/// ImagingKit timings, the "ours" side of `Scripts/bench-imaging.sh`: window/level to 8 bits of a 512x512 signed
/// 16-bit CT frame against memcpy of the same bytes, window + invert + palette, the general `StoredFrame` path, a
/// 3000x3000 frame, sharpening, PNG and JPEG encoding, the MIF1 wire encode (`FrameWireTiming`). Medians of many
/// runs on one thread; printed, never asserted.
/// Writes the rendered frame as a PGM (path printed) for the script's cjpeg comparison.
///
///     ImagingTiming [--pgm PATH] [--window-only ROUNDS] [--wire-only RUNS]
@main
enum ImagingTiming {
    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        return times.sorted()[runs / 2]
    }

    /// A CT-like frame: a disc of soft tissue values in air, with texture so that encoders have work to do.
    static func ctFrame(_ size: Int) throws -> DecodedFrame {
        var bytes = [UInt8](repeating: 0, count: size * size * 2)
        for y in 0..<size {
            for x in 0..<size {
                let dx = x - size / 2, dy = y - size / 2
                let v = Int16(dx * dx + dy * dy < size * size / 9 ? 1064 + (x ^ y) % 64 : 24 + (x * y) % 16)
                bytes[2 * (y * size + x)] = UInt8(truncatingIfNeeded: v); bytes[2 * (y * size + x) + 1] = UInt8(truncatingIfNeeded: v >> 8)
            }
        }
        var ds = DataSet()
        try ds.setInts([size], for: .rows)
        try ds.setInts([size], for: .columns)
        try ds.setInts([1], for: .samplesPerPixel)
        try ds.setString("MONOCHROME2", for: .photometricInterpretation)
        try ds.setInts([16], for: .bitsAllocated)
        try ds.setInts([16], for: .bitsStored)
        try ds.setInts([15], for: .highBit)
        try ds.setInts([1], for: .pixelRepresentation)
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: bytes))
        return try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).decodedFrame(0)
    }

    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var pgmPath = FileManager.default.temporaryDirectory.appendingPathComponent("imagingkit-bench.pgm").path
        if let i = arguments.firstIndex(of: "--pgm"), i + 1 < arguments.count {
            pgmPath = arguments[i + 1]
            arguments.removeSubrange(i...(i + 1))
        }
        let frame = try ctFrame(512)
        var copy = [UInt8](repeating: 0, count: frame.bytes.count)
        let pipeline = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(Window(center: 40, width: 400)))
        var sink = 0
        // `--window-only N`: N windowed frames and nothing else, for a profiler (`perf record`) to look at.
        if let i = arguments.firstIndex(of: "--window-only"), i + 1 < arguments.count, let rounds = Int(arguments[i + 1]) {
            for _ in 0..<rounds { sink &+= Int(try pipeline.render(decoded: frame).samples[1000]) }
            print("imaging-bench: \(rounds) windowed frames (sink \(sink))")
            return
        }
        // `--wire-only N`: the MIF1 encode timings alone, medians of N runs (also a loop for a profiler).
        if let i = arguments.firstIndex(of: "--wire-only"), i + 1 < arguments.count, let runs = Int(arguments[i + 1]) {
            print(try FrameWireTiming.lines(runs: runs, median: median).joined(separator: "\n"))
            return
        }
        // memcpy and the window alternate, one of each per round, so that a busy moment of the machine slows both
        // sides of the ratio: the printed ratio is the median of the rounds' ratios.
        var memcpyTimes: [Double] = [], windowTimes: [Double] = [], ratios: [Double] = []
        for _ in 0..<301 {
            let m = median(1) { copy.withUnsafeMutableBytes { dst in frame.bytes.withUnsafeBytes { src in dst.copyMemory(from: src) } } }
            let w = median(1) { sink &+= Int(try! pipeline.render(decoded: frame).samples[1000]) }
            memcpyTimes.append(m); windowTimes.append(w); ratios.append(w / m)
        }
        let memcpyTime = memcpyTimes.sorted()[150], window = windowTimes.sorted()[150], windowRatio = ratios.sorted()[150]
        var full = pipeline
        full.invert = true
        full.palette = .hotIron
        let palette = median(101) { sink &+= Int(try! full.render(decoded: frame).samples[1000]) }
        let stored = try StoredFrame(frame)
        let generic = median(101) { sink &+= Int(try! pipeline.render(stored).samples[1000]) }
        let values = pipeline.modalityValues(stored)
        let sharpen = median(21) { sink &+= Int(values.sharpened(strength: 1).samples[1000]) }
        let image = try pipeline.render(decoded: frame)
        let png = median(21) { sink &+= (try! PNGEncoder.encode(image)).count }
        let jpeg = median(21) { sink &+= (try! JPEGEncoder.encode(image, quality: 90)).count }
        let big = try ctFrame(3000)
        let radiograph = median(7) { sink &+= Int(try! pipeline.render(decoded: big).samples[1000]) }
        var bigCopy = [UInt8](repeating: 0, count: big.bytes.count)
        let bigMemcpy = median(7) { bigCopy.withUnsafeMutableBytes { d in big.bytes.withUnsafeBytes { d.copyMemory(from: $0) } } }
        let wire = try FrameWireTiming.lines(runs: 101, median: median)
        try Data(Array("P5\n512 512\n255\n".utf8) + image.samples).write(to: URL(fileURLWithPath: pgmPath))
        func f(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
        print("""
            imaging-bench: memcpy 512x512x16-bit \(f(memcpyTime, 1)) us
            imaging-bench: window+8-bit 512x512 \(f(window, 1)) us (\(f(windowRatio, 2))x memcpy, median of per-round ratios)
            imaging-bench: window+invert+palette RGBA 512x512 \(f(palette, 1)) us
            imaging-bench: window via StoredFrame (Int32) 512x512 \(f(generic, 1)) us
            imaging-bench: 3000x3000 window+8-bit \(f(radiograph, 0)) us, memcpy \(f(bigMemcpy, 0)) us (\(f(radiograph / bigMemcpy, 2))x)
            imaging-bench: sharpen 512x512 \(f(sharpen, 0)) us
            imaging-bench: PNG encode 512x512 gray \(f(png, 0)) us
            imaging-bench: JPEG encode 512x512 gray q90 \(f(jpeg, 0)) us
            \(wire.joined(separator: "\n"))
            imaging-bench: pgm \(pgmPath)
            (sink \(sink))
            """)
    }
}
