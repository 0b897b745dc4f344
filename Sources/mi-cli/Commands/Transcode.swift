import ArgumentParser
import DicomCore

/// `mi-cli transcode IN OUT --syntax S`: rewrite a file in another transfer syntax.
struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rewrite a DICOM file in another transfer syntax.")

    /// The syntaxes this build can write, by the short names operators type.
    enum Syntax: String, ExpressibleByArgument, CaseIterable {
        case implicit, explicitLE = "explicit-le", explicitBE = "explicit-be", deflated

        var transferSyntax: TransferSyntax {
            switch self {
            case .implicit: return .implicitVRLittleEndian
            case .explicitLE: return .explicitVRLittleEndian
            case .explicitBE: return .explicitVRBigEndian
            case .deflated: return .deflatedExplicitVRLittleEndian
            }
        }
    }

    @Argument(help: "The input file.") var input: String
    @Argument(help: "The output file (written atomically).") var output: String
    @Option(help: "Target syntax: \(Syntax.allCases.map(\.rawValue).joined(separator: ", ")).") var syntax: Syntax

    func run() throws {
        do {
            let file = try DicomFile.read(contentsOf: input)
            try file.write(to: output, as: syntax.transferSyntax)
        } catch {
            report(error, file: input)
            throw ExitCode(1)
        }
    }
}
