import ArgumentParser
import DicomCore

/// `mi-cli transcode IN OUT --syntax S`: rewrite a file in another transfer syntax.
struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite a DICOM file in another transfer syntax.",
        discussion: "Syntaxes: \(TargetSyntax.names.joined(separator: ", ")). A syntax whose encoder is not built fails naming it."
    )

    @Argument(help: "The input file.") var input: String
    @Argument(help: "The output file (written atomically).") var output: String
    @Option(help: "Target syntax, e.g. explicit-le, rle, jpeg-lossless, jpeg-ls, jpeg-ls-near=2.") var syntax: TargetSyntax
    @Option(help: "JPEG baseline quality, 1-100.") var quality: Int = 90
    @Option(help: "JPEG-LS interleave mode of colour images: none (ILV 0), line (ILV 1) or sample (ILV 2); default: sample for 8-bit colour, none otherwise.")
    var jpegLsInterleave: JPEGLSInterleave?
    @Option(help: "Lossless JPEG Huffman tables: optimized (made for the image) or standard (fixed, one pass).")
    var huffman: LosslessHuffmanTables = .optimized

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100") }
    }

    func run() throws {
        do {
            let file = try DicomFile.read(contentsOf: input)
            var options = syntax.options
            options.quality = quality
            options.jpeglsInterleave = jpegLsInterleave
            options.losslessHuffmanTables = huffman
            let target = try file.transcoded(to: syntax.transferSyntax, options: options)
            try target.write(to: output)
        } catch {
            report(error, file: input)
            throw ExitCode(1)
        }
    }
}

/// A target syntax as operators type it: a short name, with `=N` for a parameter (`jpeg-ls-near=2`, `jpeg-lossless-p=7`).
struct TargetSyntax: ExpressibleByArgument {
    let transferSyntax: TransferSyntax
    let options: EncodeOptions

    static let names = ["implicit", "explicit-le", "explicit-be", "deflated", "rle", "jpeg-baseline", "jpeg-lossless",
                        "jpeg-lossless-p=1..7", "jpeg-ls", "jpeg-ls-near=N", "j2k-lossless", "j2k", "j2k-ratio=N",
                        "htj2k-lossless", "htj2k-lossless-rpcl"]

    public init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        let parameter = parts.count == 2 ? Int(parts[1]) : nil
        if parts.count == 2 && parameter == nil { return nil }
        var options = EncodeOptions()
        switch parts[0] {
        case "implicit": transferSyntax = .implicitVRLittleEndian
        case "explicit-le": transferSyntax = .explicitVRLittleEndian
        case "explicit-be": transferSyntax = .explicitVRBigEndian
        case "deflated": transferSyntax = .deflatedExplicitVRLittleEndian
        case "rle": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.5")
        case "jpeg-baseline": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.50")
        case "jpeg-lossless": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.70")
        case "jpeg-lossless-p":
            guard let p = parameter, (1...7).contains(p) else { return nil }
            options.predictor = p
            transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.57")
        case "jpeg-ls": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.80")
        case "jpeg-ls-near":
            let near = parameter ?? 2
            guard (0...255).contains(near) else { return nil }
            options.nearLossless = near
            transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.81")
        case "j2k-lossless": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.90")
        case "j2k": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.91")
        case "j2k-ratio":
            // Irreversible (9/7) into at most 1/N of the frame's bytes.
            guard let ratio = parameter, ratio >= 2 else { return nil }
            options.compressionRatio = Double(ratio)
            transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.91")
        case "htj2k-lossless": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.201")
        case "htj2k-lossless-rpcl": transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.202")
        default: return nil
        }
        if parameter != nil && !["jpeg-lossless-p", "jpeg-ls-near", "j2k-ratio"].contains(parts[0]) { return nil }
        self.options = options
    }
}

extension JPEGLSInterleave: ExpressibleByArgument {
    public static var allValueStrings: [String] { ["none", "line", "sample"] }

    public init?(argument: String) {
        switch argument {
        case "none", "0": self = .none
        case "line", "1": self = .line
        case "sample", "2": self = .sample
        default: return nil
        }
    }
}

extension LosslessHuffmanTables: ExpressibleByArgument {
    public static var allValueStrings: [String] { ["optimized", "standard"] }

    public init?(argument: String) {
        switch argument {
        case "optimized", "optimised": self = .optimized
        case "standard": self = .standard
        default: return nil
        }
    }
}
