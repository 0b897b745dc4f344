import DicomCore
import DicomNetwork
import Foundation

/// libFuzzer entry point: every input goes through the reader, and a file that comes back goes through the JSON
/// encoder, the text dump, the pixel decoders of its transfer syntax and an Explicit VR Little Endian round trip. A thrown `DicomError` is an answer, not a bug;
/// a crash, a hang or a huge allocation is.
///
/// Built by `Scripts/fuzz.sh` with `-D FUZZING -sanitize=fuzzer,address`, `main` runs libFuzzer's driver. In the normal
/// build the target is a replay tool instead: `DicomFuzz FILE...` runs each file through the same checks, so a
/// crashing input saved by libFuzzer can be rerun under a debugger without the sanitizer build.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if PDUFuzz.enabled {
        PDUStreamCheck.run(bytes)
    } else if let codec = CodecFuzz.codec {
        CodecFuzz.run(bytes, codec: codec)
    } else {
        FuzzChecks.run(bytes)
    }
    return 0
}

/// PDU mode (`MI_FUZZ_PDU=1`): each input is a byte stream as a peer would send it to our SCP (and to our SCU),
/// split into PDUs, parsed, re-encoded, fed to the association state machine and DIMSE reassembly.
enum PDUFuzz {
    static let enabled = ProcessInfo.processInfo.environment["MI_FUZZ_PDU"] == "1"
}

/// Codec mode (`MI_FUZZ_CODEC=<transfer syntax UID>`): each input is an 8-byte image description followed by one
/// frame's codestream, fed straight to that syntax's decoder, so mutations reach the codec instead of the file parser.
///
/// Header: rows (UInt16 LE), columns (UInt16 LE), samples per pixel (1 or 3), bits allocated, bits stored,
/// flags (bit 0 signed, bit 1 YBR_FULL_422 photometric). `DicomFuzz --codec-seed FILE OUT` writes such an input
/// from frame 1 of a DICOM file.
enum CodecFuzz {
    static let codec: (any PixelCodec)? = {
        guard let uid = ProcessInfo.processInfo.environment["MI_FUZZ_CODEC"] else { return nil }
        guard let codec = CodecRegistry.standard.codec(for: uid) else { fatalError("no codec for MI_FUZZ_CODEC=\(uid)") }
        return codec
    }()

    static func header(for d: ImageDescriptor) -> [UInt8] {
        [UInt8(d.rows & 0xFF), UInt8(d.rows >> 8), UInt8(d.columns & 0xFF), UInt8(d.columns >> 8), UInt8(d.samplesPerPixel),
         UInt8(d.bitsAllocated), UInt8(d.bitsStored), (d.isSigned ? 1 : 0) | (d.photometricInterpretation.hasPrefix("YBR") ? 2 : 0)]
    }

    static func run(_ bytes: [UInt8], codec: any PixelCodec) {
        guard bytes.count >= 8 else { return }
        let rows = Int(bytes[0]) | Int(bytes[1]) << 8, columns = Int(bytes[2]) | Int(bytes[3]) << 8
        let samples = bytes[4] == 3 ? 3 : 1
        let bits = bytes[5] <= 8 ? 8 : bytes[5] <= 16 ? 16 : 32
        let descriptor = ImageDescriptor(rows: rows, columns: columns, samplesPerPixel: samples, bitsAllocated: bits,
                                         bitsStored: Int(bytes[6]), isSigned: bytes[7] & 1 == 1,
                                         photometricInterpretation: samples == 1 ? "MONOCHROME2" : bytes[7] & 2 != 0 ? "YBR_FULL_422" : "RGB")
        // Bounded output: the decoder writes into this buffer only.
        guard (try? descriptor.validate()) != nil, descriptor.decodedFrameLength <= 4 << 20 else { return }
        var output = [UInt8](repeating: 0, count: descriptor.decodedFrameLength)
        output.withUnsafeMutableBytes { buffer in
            _ = try? codec.decode(bytes[8...], descriptor: descriptor, into: buffer)
        }
    }
}

enum FuzzChecks {
    static func run(_ bytes: [UInt8]) {
        let result = DicomFile.readPartial(bytes: bytes)
        // The indexing path stops before Pixel Data: reading less must not fail where reading everything succeeded.
        let header = DicomFile.readPartial(bytes: bytes, options: .headerOnly)
        if result.error == nil, let error = header.error {
            fatalError("header-only read failed where the full read succeeded: \(error)")
        }
        guard let file = result.file else { return }
        _ = DicomJSON.encode(file.dataSet)
        _ = DicomJSON.encode(file.fileMetaInformation)
        _ = file.dataSet.dump()
        // Every frame through its codec (or the native path): a hostile codestream must fail with a DicomError.
        // Frames are bounded so one input cannot ask for gigabytes of output.
        if let descriptor = try? ImageDescriptor(file.dataSet), descriptor.decodedFrameLength <= 16 << 20 {
            for index in 0..<min(file.dataSet.numberOfFrames, 4) {
                _ = try? file.decodedFrame(index)
            }
        }
        do {
            let written = try file.encoded(as: .explicitVRLittleEndian)
            let again = DicomFile.readPartial(bytes: written)
            // What we wrote ourselves must read back without error when the first read was clean.
            if result.error == nil, let error = again.error {
                fatalError("re-reading our own Explicit VR Little Endian output failed: \(error)")
            }
            if let reread = again.file {
                _ = DicomJSON.encode(reread.dataSet)
            }
        } catch {
            // Not every data set can be written (compressed pixels, unencodable values): fine.
        }
    }
}

#if FUZZING
/// libFuzzer's driver (compiler-rt, LLVM 11 and later). SwiftPM links an executable target's `main` to the module's own
/// entry point, so the fuzzing build keeps `@main` and hands control to libFuzzer from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@main
enum DicomFuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
        exit(status)
    }
}
#else
@main
enum DicomFuzzReplay {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        if paths.first == "--codec-seed" {
            makeCodecSeed(Array(paths.dropFirst()))
            return
        }
        if paths.isEmpty {
            FileHandle.standardError.write(Data("usage: DicomFuzz FILE...  (replays inputs; Scripts/fuzz.sh builds the libFuzzer binary)\n".utf8))
            exit(2)
        }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            if PDUFuzz.enabled {
                PDUStreamCheck.run([UInt8](data))
            } else if let codec = CodecFuzz.codec {
                CodecFuzz.run([UInt8](data), codec: codec)
            } else {
                FuzzChecks.run([UInt8](data))
            }
            print("ok \(path)")
        }
    }

    /// `--codec-seed FILE OUT`: frame 1 of FILE as a codec-mode input.
    static func makeCodecSeed(_ arguments: [String]) {
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: DicomFuzz --codec-seed FILE OUT\n".utf8))
            exit(2)
        }
        do {
            let file = try DicomFile.read(contentsOf: arguments[0])
            // In codec mode, only files of the codec's own syntax make seeds; others exit 3 without writing.
            if let uid = ProcessInfo.processInfo.environment["MI_FUZZ_CODEC"], file.transferSyntax.uid != uid { exit(3) }
            let descriptor = try ImageDescriptor(file.dataSet)
            let frame = try file.dataSet.frameBytes(at: 0)
            try Data(CodecFuzz.header(for: descriptor) + Array(frame)).write(to: URL(fileURLWithPath: arguments[1]))
        } catch {
            FileHandle.standardError.write(Data("\(arguments[0]): \(error)\n".utf8))
            exit(1)
        }
    }
}
#endif
