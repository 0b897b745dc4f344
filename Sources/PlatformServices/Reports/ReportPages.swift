import Foundation

/// PNG images of a report's PDF pages, for phones whose browser cannot show PDF (Android WeChat). Pages are
/// rendered once with poppler's `pdftoppm` and kept next to the document.
public enum ReportPages {
    /// Resolution of page images: A4 at 110 dpi is 910 px wide, sharp on a phone and small on the wire.
    public static let dpi = 110

    /// The number of pages of a stored PDF.
    public static func pageCount(store: PlatformStore, key: String) async throws -> Int {
        let bytes = try await store.blobs.get(key)
        return countPages(bytes)
    }

    /// Counts `/Type /Page` objects (not `/Pages`): enough for the PDFs reports are.
    static func countPages(_ bytes: [UInt8]) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        var count = 0
        var search = text.startIndex
        while let range = text.range(of: "/Type", range: search..<text.endIndex) {
            var i = range.upperBound
            while i < text.endIndex, text[i] == " " || text[i] == "\n" || text[i] == "\r" { i = text.index(after: i) }
            if text[i...].hasPrefix("/Page"), !text[i...].hasPrefix("/Pages") { count += 1 }
            search = range.upperBound
        }
        return max(count, 1)
    }

    /// Page `number` (1-based) as PNG.
    public static func page(store: PlatformStore, key: String, number: Int) async throws -> [UInt8] {
        let cacheKey = "\(key).pages/\(number).png"
        if await store.blobs.exists(cacheKey) { return try await store.blobs.get(cacheKey) }
        let pdf = try await store.blobs.get(key)
        guard number <= countPages(pdf) else { throw PlatformError(.notFound, "the report has no page \(number)") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.pdf")
        try Data(pdf).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftoppm")
        process.arguments = ["-png", "-r", String(dpi), "-f", String(number), "-l", String(number), "-singlefile", input.path,
                             folder.appendingPathComponent("page").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw PlatformError(.storageFailure, "page images need poppler-utils (pdftoppm), which is not installed")
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { process.waitUntilExit(); continuation.resume() }
        }
        guard process.terminationStatus == 0, let png = FileManager.default.contents(atPath: folder.appendingPathComponent("page.png").path) else {
            throw PlatformError(.invalidArgument, "page \(number) of the report could not be rendered")
        }
        let bytes = [UInt8](png)
        try? await store.blobs.put(cacheKey, bytes: bytes)
        return bytes
    }
}
