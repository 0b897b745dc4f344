import ArgumentParser
import DicomCore
import Foundation
import ImagingKit

/// `mi-cli probe FILE --at X,Y`: the modality value (HU for CT) at a pixel.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the modality value and unit at a pixel.",
        discussion: "X,Y is column,row of the stored image, origin top-left, from 0. JSON: {\"value\": -855, \"unit\": \"HU\"}."
    )

    @Argument(help: "The DICOM file.") var file: String
    @Option(help: "Pixel X,Y (column,row).") var at: String
    @Option(help: "Frame number, from 1.") var frame: Int = 1
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard frame >= 1 else { throw ValidationError("--frame counts from 1") }
        _ = try parseInts(at, count: 2, option: "--at")
    }

    func run() throws {
        let xy = try parseInts(at, count: 2, option: "--at")
        do {
            let dicom = try DicomFile.read(contentsOf: file)
            let stored = try StoredFrame(file: dicom, frame: frame - 1)
            guard stored.isMonochrome else { throw ImagingError(.unsupportedImage, "probe needs a monochrome image") }
            let attributes = dicom.dataSet.frameAttributes(frame - 1)
            let values = try RenderPipeline(attributes).modalityValues(stored)
            guard let v = Measurements.value(at: xy[0], xy[1], in: values, unit: ModalityUnit.of(attributes)) else {
                throw ImagingError(.invalidArgument, "\(xy[0]),\(xy[1]) is outside the \(values.width)x\(values.height) image")
            }
            emit(json ? "{\"value\": \(formatNumber(v.value)), \"unit\": \(jsonString(v.unit))}\n"
                      : "\(formatNumber(v.value))\(v.unit.isEmpty ? "" : " " + v.unit)\n")
        } catch let error as DicomError {
            report(error, file: file)
            throw ExitCode(1)
        } catch let error as ImagingError {
            reportImaging(error, file: file)
            throw ExitCode(1)
        }
    }
}

/// Parses "a,b,…" into exactly `count` numbers.
func parseNumbers(_ s: String, count: Int, option: String) throws -> [Double] {
    let v = s.split(separator: ",", omittingEmptySubsequences: false).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard v.count == count, v.allSatisfy(\.isFinite) else { throw ValidationError("\(option) takes \(count) comma-separated numbers") }
    return v
}

func parseInts(_ s: String, count: Int, option: String) throws -> [Int] {
    let v = try parseNumbers(s, count: count, option: option)
    guard v.allSatisfy({ $0.rounded() == $0 && abs($0) < 1e9 }) else { throw ValidationError("\(option) takes integers") }
    return v.map { Int($0) }
}
