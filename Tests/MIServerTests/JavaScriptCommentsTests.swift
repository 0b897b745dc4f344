import Foundation
import ImagingKit
import Testing
@testable import mi_server

/// The web client's JavaScript is served without comments (`JavaScriptComments`): the code, literals and line
/// numbers stay exactly as written.
@Suite struct JavaScriptCommentsTests {
    static func strip(_ source: String) -> String {
        String(decoding: JavaScriptComments.strip(Array(source.utf8)), as: UTF8.self)
    }

    @Test func commentsGoAndLineBreaksStay() {
        #expect(Self.strip("// @ts-check\nconst a = 1; // one\n") == "\nconst a = 1; \n")
        #expect(Self.strip("/**\n * Docs.\n * @param {number} x\n */\nexport function f(x) {}\n") == "\n\n\n\nexport function f(x) {}\n")
        #expect(Self.strip("a/**/b") == "a b", "two tokens stay two")
        #expect(Self.strip("let x = 1 /* inline */ + 2;") == "let x = 1   + 2;")
    }

    @Test func literalsThatLookLikeCommentsStay() {
        let literals = [
            "const url = 'https://example.org/*x*/'; const d = \"//\";",
            "const s = 'it\\'s // not';",
            "const t = `a // ${b /* c */ ? `// ${d}` : '/*'} e`;",
            "const r = /\\/\\/[^/]*\\//g.test(p); const q = x.replace(/[/*]+/, '');",
            "if (ok) return /^\\/studies\\/([^/]+)\\/?$/.exec(path);",
            "const half = a / 2 / b; const n = (c) / d; const m = e[0] / f;",
        ]
        for source in literals {
            let expected = source.replacingOccurrences(of: " /* c */", with: "  ")
            #expect(Self.strip(source) == expected, "\(source)")
        }
        // Division after `)` and `]` and names; a regular expression after `=`, `(`, `,`, `return` and at the start.
        #expect(Self.strip("x = a / b // c\n") == "x = a / b \n")
        #expect(Self.strip("f(/a\\/b/, 1) // c") == "f(/a\\/b/, 1) ")
        #expect(Self.strip("/[/]/.test(s) // c") == "/[/]/.test(s) ")
    }

    @Test func unterminatedInputIsCopiedAsItIs() {
        for source in ["const s = 'open", "const t = `open ${a", "x = 1 /* open", "const r = /open"] {
            #expect(Self.strip(source) == source)
        }
        #expect(JavaScriptComments.strip([]) == [])
    }

    /// Every module of the web client still parses (`node --check`) and keeps its line count, and the whole client
    /// is at least a quarter smaller gzip-compressed.
    @Test func everyWebModuleStillParsesWithItsLinesAndIsSmaller() async throws {
        let root = URL(fileURLWithPath: WebResources.root)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "js" }
        #expect(files.count > 50)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("js-comments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var before = 0, after = 0
        var written: [URL] = []
        for (n, file) in files.enumerated() {
            let original = [UInt8](try Data(contentsOf: file))
            let stripped = JavaScriptComments.strip(original)
            #expect(stripped.filter { $0 == 10 }.count == original.filter { $0 == 10 }.count, "\(file.lastPathComponent) keeps its lines")
            before += try Gzip.compress(original, level: 9).count
            after += try Gzip.compress(stripped, level: 9).count
            let out = folder.appendingPathComponent("\(n)-\(file.deletingPathExtension().lastPathComponent).mjs")
            try Data(stripped).write(to: out)
            written.append(out)
        }
        #expect(after * 4 < before * 3, "gzip: \(before) bytes with comments, \(after) without")
        let failures = try await Self.nodeCheck(written)
        #expect(failures.isEmpty, "node --check: \(failures)")
    }

    /// The files `node --check` rejects, run on a thread of its own (not the cooperative pool).
    static func nodeCheck(_ files: [URL]) async throws -> [String] {
        try await withCheckedThrowingContinuation { done in
            Thread.detachNewThread {
                done.resume(with: Result {
                    var failures: [String] = []
                    for file in files {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                        process.arguments = ["node", "--check", file.path]
                        let errors = Pipe()
                        process.standardError = errors
                        try process.run()
                        let message = errors.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        if process.terminationStatus != 0 { failures.append("\(file.lastPathComponent): \(String(decoding: message, as: UTF8.self).prefix(300))") }
                    }
                    return failures
                })
            }
        }
    }
}
