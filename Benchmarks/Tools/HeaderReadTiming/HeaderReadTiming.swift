import DicomCore
// FoundationEssentials, not Foundation: the process loads what an indexer embedding DicomCore would load.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads every `.dcm` file in a folder with `ParseOptions.headerOnly`, takes four attributes from each, and prints the
/// file count and elapsed seconds: the "ours" side of `Scripts/bench-header-read.sh` (DCMTK's `dcmdump` is the other).
///
///     HeaderReadTiming FOLDER [--print] [--json]
///
/// `--json` also encodes each header as DICOM JSON (the indexing path's next step), to time or profile it.
@main
enum HeaderReadTiming {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let folder = arguments.first else {
            warn("usage: HeaderReadTiming FOLDER [--print] [--json]")
            exit(2)
        }
        let show = arguments.contains("--print")
        let json = arguments.contains("--json")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".dcm") }.sorted()
        let paths = names.map { folder + "/" + $0 }

        let clock = ContinuousClock()
        var read = 0, failed = 0, checksum = 0
        let elapsed = clock.measure {
            for path in paths {
                do {
                    let ds = try DicomFile.read(contentsOf: path, options: .headerOnly).dataSet
                    let values = [ds.string(.patientName), ds.string(.studyInstanceUID), ds.string(.sopInstanceUID), ds.string(.instanceNumber)]
                    checksum &+= values.reduce(0) { $0 &+ ($1?.utf8.count ?? 0) }
                    if json { checksum &+= DicomJSON.encode(ds).utf8.count }
                    if show { print(path, values.map { $0 ?? "-" }.joined(separator: " | ")) }
                    read += 1
                } catch {
                    failed += 1
                    warn("\(path): \(error)")
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("files \(read) failed \(failed) seconds \(seconds) checksum \(checksum)")
        exit(failed == 0 ? 0 : 1)
    }
}

/// One line on standard error.
func warn(_ line: String) {
    let text = Array((line + "\n").utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
