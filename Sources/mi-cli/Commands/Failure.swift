import DicomCore
import Foundation

/// Prints one line naming the file, the offset and the reason to standard error, the form every command uses.
func report(_ error: DicomError, file: String) {
    var line = "mi-cli: \(file)"
    if let offset = error.offset { line += ": offset \(offset)" }
    line += ": \(error.code)"
    if !error.detail.isEmpty { line += ": \(error.detail)" }
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes to standard output without buffering surprises when the process exits with a failure code.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
