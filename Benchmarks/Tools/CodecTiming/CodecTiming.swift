import DicomCore
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes (and, with `--encode SYNTAX_UID`, encodes) frame 1 of each file REPEAT times on one thread and prints
/// the best and mean milliseconds per frame: the "ours" side of `Scripts/bench-codecs.sh`.
///
/// With `--series`, the files are one series instead: all of them are decoded once on one thread and once spread
/// over every core (one file per task), REPEAT times each, and the best times and their ratio are printed.
///
///     CodecTiming [--repeat N] [--encode UID] FILE...
///     CodecTiming [--repeat N] --series FILE...
///
/// `--same-as A B` first checks that frame 1 of A and B decode to the same bytes (a lossless stream and its
/// uncompressed twin) and stops with an error otherwise.
@main
enum CodecTiming {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var repeats = 20
        var encodeUID: String? = nil
        if let i = arguments.firstIndex(of: "--repeat"), i + 1 < arguments.count {
            repeats = Int(arguments[i + 1]) ?? 20
            arguments.removeSubrange(i...(i + 1))
        }
        if let i = arguments.firstIndex(of: "--encode"), i + 1 < arguments.count {
            encodeUID = arguments[i + 1]
            arguments.removeSubrange(i...(i + 1))
        }
        let clock = ContinuousClock()
        if let i = arguments.firstIndex(of: "--same-as"), i + 2 < arguments.count {
            // A guard for the numbers: the frame timed must decode to the same samples as its uncompressed twin.
            let a = try DicomFile.read(contentsOf: arguments[i + 1]).decodedFrame(0)
            let b = try DicomFile.read(contentsOf: arguments[i + 2]).decodedFrame(0)
            guard a.bytes == b.bytes else { throw DicomError(.invalidPixelData, "\(arguments[i + 1]) and \(arguments[i + 2]) differ") }
            arguments.removeSubrange(i...(i + 2))
        }
        if let i = arguments.firstIndex(of: "--series") {
            arguments.remove(at: i)
            try series(arguments, repeats: repeats)
            return
        }
        for path in arguments {
            let file = try DicomFile.read(contentsOf: path)
            let decoded = try file.decodedFrame(0)   // warm-up, and the input for encoding
            var times: [Double] = []
            for _ in 0..<repeats {
                let elapsed: Duration
                if let uid = encodeUID {
                    guard let codec = CodecRegistry.standard.codec(for: uid) else { throw DicomError(.unsupportedTransferSyntax, uid) }
                    elapsed = try clock.measure {
                        _ = try decoded.bytes.withUnsafeBytes { raw in
                            try codec.encode(raw, descriptor: decoded.descriptor, transferSyntaxUID: uid, options: EncodeOptions())
                        }
                    }
                } else {
                    elapsed = try clock.measure { _ = try file.decodedFrame(0) }
                }
                times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
            }
            let best = times.min() ?? 0, mean = times.reduce(0, +) / Double(max(times.count, 1))
            print("\(path) \(encodeUID == nil ? "decode" : "encode") best_ms \(best) mean_ms \(mean)")
        }
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
    }

    /// Whole-series decode, one thread against all cores.
    static func series(_ paths: [String], repeats: Int) throws {
        let files = try paths.map { try DicomFile.read(contentsOf: $0) }
        let clock = ContinuousClock()
        var serial = Double.infinity, parallel = Double.infinity
        for _ in 0..<max(repeats, 1) {
            serial = min(serial, milliseconds(try clock.measure { for f in files { _ = try f.decodedFrame(0) } }))
            let failures = Failures(count: files.count)
            parallel = min(parallel, milliseconds(clock.measure {
                DispatchQueue.concurrentPerform(iterations: files.count) { i in
                    do { _ = try files[i].decodedFrame(0) } catch { failures.record(i) }
                }
            }))
            if failures.count > 0 { throw DicomError(.invalidPixelData, "\(failures.count) frames failed to decode") }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("series \(files.count) frames serial_ms \(serial) parallel_ms \(parallel) speedup \(serial / parallel) cores \(cores)")
    }
}

/// Which frames failed, one slot per decoding task of `series` (each task writes only its own).
final class Failures: @unchecked Sendable {
    private let failed: UnsafeMutableBufferPointer<Bool>
    init(count: Int) { failed = .allocate(capacity: count); failed.initialize(repeating: false) }
    deinit { failed.deallocate() }
    func record(_ i: Int) { failed[i] = true }
    var count: Int { failed.filter { $0 }.count }
}
