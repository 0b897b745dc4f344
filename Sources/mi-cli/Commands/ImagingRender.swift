import ArgumentParser
import DicomCore
import Foundation
import ImagingKit

/// `mi-cli render FILE OUT.png|.jpg`: one frame through the display pipeline to an image file.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render one frame to PNG or JPEG through the display pipeline.",
        discussion: """
            Order: Modality LUT, VOI (--window/--preset, else the file's first window or VOI LUT, else the auto window), \
            MONOCHROME1 and --invert, --palette; --sharpen works on modality values before VOI; then --flip, --rotate \
            and --size on the rendered image. Palettes: \(Palette.builtInNames.joined(separator: ", ")). \
            Presets (CT): \(Window.presets.keys.sorted().joined(separator: ", ")).
            """
    )

    @Argument(help: "The DICOM file.") var file: String
    @Argument(help: "The output image: .png or .jpg/.jpeg.") var output: String
    @Option(help: "Frame number, from 1.") var frame: Int = 1
    @Option(help: "Window centre and width, C,W (e.g. 40,400 or -600,1500).") var window: String?
    @Option(help: "A CT window preset.") var preset: String?
    @Flag(help: "Invert grey levels.") var invert = false
    @Option(help: "A pseudo-colour map.") var palette: String?
    @Option(help: "Mirror: h or v.") var flip: FlipAxis?
    @Option(help: "Clockwise rotation in degrees: 90, 180 or 270.") var rotate: Int = 0
    @Option(help: "Unsharp-mask strength (on modality values).") var sharpen: Double = 0
    @Option(help: "Output size WxH (bilinear).") var size: String?
    @Option(help: "JPEG quality, 1-100.") var quality: Int = 90

    func validate() throws {
        guard frame >= 1 else { throw ValidationError("--frame counts from 1") }
        guard window == nil || preset == nil else { throw ValidationError("give --window or --preset, not both") }
        if let window { _ = try Self.parseWindow(window) }
        if let preset, Window.presets[preset] == nil { throw ValidationError("unknown preset \(preset)") }
        if let palette, Palette.named(palette) == nil { throw ValidationError("unknown palette \(palette)") }
        guard rotate % 90 == 0 else { throw ValidationError("--rotate takes a multiple of 90") }
        if let size { _ = try Self.parseSize(size) }
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["png", "jpg", "jpeg"].contains(ext) else { throw ValidationError("OUT must end in .png, .jpg or .jpeg") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100") }
    }

    static func parseWindow(_ s: String) throws -> Window {
        let parts = s.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let c = parts[0], let w = parts[1], w > 0 else { throw ValidationError("--window takes C,W with W > 0") }
        return Window(center: c, width: w)
    }

    static func parseSize(_ s: String) throws -> (Int, Int) {
        let parts = s.lowercased().split(separator: "x").map { Int($0) }
        guard parts.count == 2, let w = parts[0], let h = parts[1], w > 0, h > 0, w <= 65535, h <= 65535 else {
            throw ValidationError("--size takes WxH")
        }
        return (w, h)
    }

    func run() throws {
        do {
            let dicom = try DicomFile.read(contentsOf: file)
            let stored = try StoredFrame(file: dicom, frame: frame - 1)
            var pipeline = try RenderPipeline(dicom.dataSet, frame: frame - 1)
            if let window { pipeline.voi = .window(try Self.parseWindow(window)) }
            if let preset, let w = Window.presets[preset] { pipeline.voi = .window(w) }
            pipeline.invert = invert
            pipeline.palette = palette.flatMap(Palette.named)
            var image: RenderedImage
            if sharpen != 0 && stored.isMonochrome {
                image = pipeline.render(values: pipeline.modalityValues(stored).sharpened(strength: sharpen))
            } else {
                image = try pipeline.render(stored)
            }
            if let flip { image = image.flipped(flip) }
            if rotate != 0 { image = image.rotated(quarterTurns: rotate / 90) }
            if let size { let (w, h) = try Self.parseSize(size); image = image.resized(width: w, height: h) }
            if image.channels == 4 && stride(from: 3, to: image.samples.count, by: 4).allSatisfy({ image.samples[$0] == 255 }) {
                image = RenderedImage(width: image.width, height: image.height, channels: 3,
                                      samples: image.samples.enumerated().filter { $0.offset % 4 != 3 }.map(\.element))
            }
            let ext = (output as NSString).pathExtension.lowercased()
            let bytes = ext == "png" ? try PNGEncoder.encode(image) : try JPEGEncoder.encode(image, quality: quality)
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw DicomError(.fileIO, "cannot write \(output): \(error)")
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

extension FlipAxis: ExpressibleByArgument {}

/// The `report` form for ImagingKit errors.
func reportImaging(_ error: ImagingError, file: String) {
    FileHandle.standardError.write(Data("mi-cli: \(file): \(error.code)\(error.detail.isEmpty ? "" : ": \(error.detail)")\n".utf8))
}

/// Formats a number for JSON and text: integers without a fraction, others with up to 4 decimals.
func formatNumber(_ v: Double) -> String {
    if v.rounded() == v && abs(v) < 1e15 { return String(Int(v)) }
    return String((v * 10000).rounded() / 10000)
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}
