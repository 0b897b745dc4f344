import DicomCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes (and, with `--encode SYNTAX_UID`, encodes) frame 1 of each file REPEAT times on one thread and prints
/// the best and mean milliseconds per frame: the "ours" side of `Scripts/bench-codecs.sh`.
///
///     CodecTiming [--repeat N] [--encode UID] FILE...
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
}
