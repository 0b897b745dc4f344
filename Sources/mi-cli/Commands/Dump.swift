import ArgumentParser
import DicomCore

/// `mi-cli dump FILE [--json]`: the data set as text (like dcmdump) or as the DICOM JSON Model.
struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a DICOM file as text or as the DICOM JSON Model (PS3.18 §F.2).",
        discussion: "A truncated or malformed file still prints what could be read, then one line on stderr and exit code 1."
    )

    @Argument(help: "The DICOM file.") var file: String
    @Flag(help: "Print the DICOM JSON Model of the data set (File Meta Information left out).") var json = false
    @Flag(help: "Print the JSON indented.") var pretty = false
    @Option(help: "Largest binary value written as InlineBinary in JSON; larger ones are left out.") var inlineBinaryLimit = 1024

    func run() throws {
        let result = DicomFile.readPartial(contentsOf: file)
        if let read = result.file {
            if json {
                emit(DicomJSON.encode(read.dataSet, options: .init(inlineBinaryLimit: inlineBinaryLimit, pretty: pretty)) + "\n")
            } else {
                var text = "# Dicom-File-Format\n\n"
                if !read.fileMetaInformation.isEmpty {
                    text += "# Dicom-Meta-Information-Header\n# Used TransferSyntax: Little Endian Explicit\n"
                    text += read.fileMetaInformation.dump() + "\n"
                }
                text += "# Dicom-Data-Set\n# Used TransferSyntax: \(read.transferSyntax.name)\n"
                text += read.dataSet.dump()
                emit(text)
            }
        }
        if let error = result.error {
            report(error, file: file)
            throw ExitCode(1)
        }
    }
}
