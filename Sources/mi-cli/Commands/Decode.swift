import ArgumentParser
import DicomCore
import Foundation

/// `mi-cli decode FILE [--frame N] --raw OUT`: one frame's decoded samples, for checking codecs against other tools.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode one frame to raw samples.",
        discussion: """
            OUT receives the samples little endian, colour samples interleaved, each Bits Allocated wide (1-bit images: \
            one byte per pixel), in the colour space the decoder produces (RGB for YCbCr JPEG). A summary line goes to stdout.
            """
    )

    @Argument(help: "The DICOM file.") var file: String
    @Option(help: "Frame number, from 1 as in DICOM.") var frame: Int = 1
    @Option(help: "Where to write the raw samples.") var raw: String

    func validate() throws {
        guard frame >= 1 else { throw ValidationError("--frame counts from 1") }
    }

    func run() throws {
        do throws(DicomError) {
            let dicom = try DicomFile.read(contentsOf: file)
            let decoded = try dicom.decodedFrame(frame - 1)
            do {
                try Data(decoded.bytes).write(to: URL(fileURLWithPath: raw), options: .atomic)
            } catch {
                throw DicomError(.fileIO, "cannot write \(raw): \(error)")
            }
            let d = decoded.descriptor
            emit("frame \(frame) of \(dicom.dataSet.numberOfFrames): \(d.columns)x\(d.rows), \(d.samplesPerPixel) sample(s), \(d.bitsAllocated) bits allocated, \(d.bitsStored) stored, \(d.isSigned ? "signed" : "unsigned"), \(d.photometricInterpretation), \(decoded.bytes.count) bytes\n")
        } catch {
            report(error, file: file)
            throw ExitCode(1)
        }
    }
}
