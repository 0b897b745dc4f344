import Foundation

/// A snapshot of a running folder import, with the rates and the estimate a progress display shows.
public struct ImportProgress: Sendable, Hashable {
    /// Files found in the folder (instances to import; the journal's and hidden files are not counted).
    public var filesTotal: Int
    /// Bytes of those files.
    public var bytesTotal: Int64
    /// Files skipped because an earlier run finished them (counted as done).
    public var skipped: Int
    /// Bytes of the skipped files.
    public var bytesSkipped: Int64
    /// Files this run finished, whatever the outcome.
    public var processed: Int
    /// Bytes of the files this run finished.
    public var bytesProcessed: Int64
    public var stored: Int
    public var duplicates: Int
    public var failed: Int
    /// Seconds since this run started importing.
    public var elapsed: Double

    public init(filesTotal: Int = 0, bytesTotal: Int64 = 0, skipped: Int = 0, bytesSkipped: Int64 = 0, processed: Int = 0,
                bytesProcessed: Int64 = 0, stored: Int = 0, duplicates: Int = 0, failed: Int = 0, elapsed: Double = 0) {
        self.filesTotal = filesTotal
        self.bytesTotal = bytesTotal
        self.skipped = skipped
        self.bytesSkipped = bytesSkipped
        self.processed = processed
        self.bytesProcessed = bytesProcessed
        self.stored = stored
        self.duplicates = duplicates
        self.failed = failed
        self.elapsed = elapsed
    }

    /// Files done, skipped ones included.
    public var filesDone: Int { skipped + processed }
    /// Files per second this run (skipped files do not count: they cost nothing).
    public var filesPerSecond: Double { elapsed > 0 ? Double(processed) / elapsed : 0 }
    /// Megabytes (10^6) per second this run.
    public var megabytesPerSecond: Double { elapsed > 0 ? Double(bytesProcessed) / 1e6 / elapsed : 0 }
    /// Estimated seconds left, by bytes (files vary in size, bytes predict better); nil until there is a rate.
    public var secondsLeft: Double? {
        let remaining = bytesTotal - bytesSkipped - bytesProcessed
        guard bytesProcessed > 0, elapsed > 0.2 else { return nil }
        return max(0, Double(remaining) / (Double(bytesProcessed) / elapsed))
    }
    /// Fraction done, 0...1.
    public var fraction: Double { filesTotal == 0 ? 1 : min(1, Double(filesDone) / Double(filesTotal)) }

    /// A one-line bar for a terminal of `width` columns: `[#####·····] 120/300  45.1 files/s  22.4 MB/s  ETA 0:04`.
    public func bar(width: Int = 80) -> String {
        let tail = "\(filesDone)/\(filesTotal)  \(Self.rate(filesPerSecond)) files/s  \(Self.rate(megabytesPerSecond)) MB/s  ETA \(Self.duration(secondsLeft))"
            + (failed > 0 ? "  \(failed) failed" : "")
        let barWidth = max(10, min(40, width - tail.count - 3))
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] " + tail
    }

    /// A plain line for logs (no terminal): `import: 120/300 files (40%), 45.1 files/s, 22.4 MB/s, ETA 0:04, 0 failed`.
    public var line: String {
        "import: \(filesDone)/\(filesTotal) files (\(Int(fraction * 100))%), \(Self.rate(filesPerSecond)) files/s, "
            + "\(Self.rate(megabytesPerSecond)) MB/s, ETA \(Self.duration(secondsLeft)), \(failed) failed"
    }

    static func rate(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.1f", value) }

    /// `m:ss`, or `h:mm:ss` from an hour; `--:--` when unknown.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
