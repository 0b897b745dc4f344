import DicomCore
import Foundation

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
            FileHandle.standardError.write(Data("usage: HeaderReadTiming FOLDER [--print] [--json]\n".utf8))
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
                    FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("files \(read) failed \(failed) seconds \(String(format: "%.6f", seconds)) checksum \(checksum)")
        exit(failed == 0 ? 0 : 1)
    }
}
