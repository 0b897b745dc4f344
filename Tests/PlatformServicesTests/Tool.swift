import Foundation
import Testing

/// Runs peer tools (the oracles). A missing tool fails the test with the package to install: never a silent skip.
enum Tool {
    static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name` with `arguments` and returns its exit status and standard output and error, or nil (recording a
    /// failure that names `package`) when the tool is not installed.
    static func run(_ name: String, _ arguments: [String], package: String) throws -> (status: Int32, output: String)? {
        guard let executable = path(name) else {
            Issue.record("\(name) is not installed: apt-get install \(package) (Scripts/install-test-deps.sh installs it)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
