import DicomCore
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
    FuzzChecks.run(bytes)
    return 0
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
        if paths.isEmpty {
            FileHandle.standardError.write(Data("usage: DicomFuzz FILE...  (replays inputs; Scripts/fuzz.sh builds the libFuzzer binary)\n".utf8))
            exit(2)
        }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            FuzzChecks.run([UInt8](data))
            print("ok \(path)")
        }
    }
}
#endif
