import ArgumentParser
import DicomCore
import Foundation
import ImagingKit

/// `mi-cli measure FILE --line … | --ellipse … | --rect …`: a length, or region statistics on modality values.
struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a length or the statistics of a region.",
        discussion: """
            Coordinates are column,row of the stored image, origin top-left. Lengths and areas use Pixel Spacing, else \
            Imager Pixel Spacing (at the detector), else pixels; the unit says which. JSON keys: length, unit (lines); \
            area, areaUnit, mean, sd, min, max, unit, pixels (regions).
            """
    )

    @Argument(help: "The DICOM file.") var file: String
    @Option(help: "A line X1,Y1,X2,Y2.") var line: String?
    @Option(help: "An ellipse CX,CY,RX,RY.") var ellipse: String?
    @Option(help: "A rectangle X,Y,W,H.") var rect: String?
    @Option(help: "Frame number, from 1.") var frame: Int = 1
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard frame >= 1 else { throw ValidationError("--frame counts from 1") }
        guard [line, ellipse, rect].compactMap({ $0 }).count == 1 else { throw ValidationError("give exactly one of --line, --ellipse, --rect") }
        if let line { _ = try parseNumbers(line, count: 4, option: "--line") }
        if let ellipse { _ = try parseNumbers(ellipse, count: 4, option: "--ellipse") }
        if let rect { _ = try parseInts(rect, count: 4, option: "--rect") }
    }

    func run() throws {
        do {
            let dicom = try DicomFile.read(contentsOf: file)
            let attributes = dicom.dataSet.frameAttributes(frame - 1)
            let spacing = PixelSpacing(attributes)
            if let line {
                let v = try parseNumbers(line, count: 4, option: "--line")
                let m = Measurements.length(from: PixelPoint(x: v[0], y: v[1]), to: PixelPoint(x: v[2], y: v[3]), spacing: spacing)
                emit(json ? "{\"length\": \(formatNumber(m.value)), \"unit\": \(jsonString(m.unit))}\n" : "\(formatNumber(m.value)) \(m.unit)\n")
                if let caveat = spacing.caveat, !json { emit("note: \(caveat)\n") }
                return
            }
            let region: Region
            if let ellipse {
                let v = try parseNumbers(ellipse, count: 4, option: "--ellipse")
                region = .ellipse(center: PixelPoint(x: v[0], y: v[1]), radiusX: v[2], radiusY: v[3])
            } else {
                let v = try parseInts(rect ?? "", count: 4, option: "--rect")
                region = .rectangle(x: v[0], y: v[1], width: v[2], height: v[3])
            }
            let stored = try StoredFrame(file: dicom, frame: frame - 1)
            guard stored.isMonochrome else { throw ImagingError(.unsupportedImage, "region statistics need a monochrome image") }
            let values = try RenderPipeline(attributes).modalityValues(stored)
            guard let s = Measurements.statistics(of: region, in: values, spacing: spacing, unit: ModalityUnit.of(attributes)) else {
                throw ImagingError(.invalidArgument, "the region holds no pixel of the image")
            }
            if json {
                emit("{\"area\": \(formatNumber(s.area)), \"areaUnit\": \(jsonString(s.areaUnit)), \"mean\": \(formatNumber(s.mean)), "
                     + "\"sd\": \(formatNumber(s.standardDeviation)), \"min\": \(formatNumber(s.min)), \"max\": \(formatNumber(s.max)), "
                     + "\"unit\": \(jsonString(s.unit)), \"pixels\": \(s.pixels)}\n")
            } else {
                let u = s.unit.isEmpty ? "" : " " + s.unit
                emit("mean \(formatNumber(s.mean))\(u), sd \(formatNumber(s.standardDeviation)), min \(formatNumber(s.min)), max \(formatNumber(s.max)), "
                     + "area \(formatNumber(s.area)) \(s.areaUnit), \(s.pixels) pixels\n")
            }
        } catch let error as DicomError {
            report(error, file: file)
            throw ExitCode(1)
        } catch let error as ImagingError {
            reportImaging(error, file: file)
            throw ExitCode(1)
        }
    }
}
