import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The append-only record of files a folder import has finished, so that a rerun skips them.
///
/// One line per finished file, written after the destination committed it: `SIZE<TAB>MTIME<TAB>OUTCOME<TAB>PATH`,
/// the path relative to the imported folder with `\`, tab and newline escaped. A crash can at worst lose the last
/// line (that file is then offered again and comes back as a duplicate); a torn last line is ignored on reading and
/// closed with a newline before anything is appended. A file whose size or modification time changed since it was
/// recorded is imported again.
///
/// ```
/// # mi-import journal v1
/// 528736	1764495600123456789	stored	CT/CT000001.dcm
/// ```
public final class ImportJournal: Sendable {
    /// What identifies a file version in the journal.
    public struct Key: Sendable, Hashable {
        public var path: String
        public var size: Int64
        /// Modification time, nanoseconds since 1970.
        public var modified: Int64

        public init(path: String, size: Int64, modified: Int64) {
            self.path = path
            self.size = size
            self.modified = modified
        }
    }

    /// Where the journal lives.
    public let url: URL
    private let finished: Set<Key>
    private let descriptor: Int32
    private let writeLock = Mutex<Void>(())

    static let header = "# mi-import journal v1\n"

    /// Opens (creating if needed) the journal at `url` and reads what it already records.
    public init(url: URL) throws(PlatformError) {
        self.url = url
        let existing = (try? Data(contentsOf: url)).map { [UInt8]($0) } ?? []
        finished = Self.parse(existing)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PlatformError(.storageFailure, "cannot write the import journal \(url.path) (\(String(cString: strerror(errno)))); choose another place with --journal")
        }
        descriptor = fd
        // A crash in the middle of a line leaves it without its newline: end it, so the next record starts clean.
        if existing.isEmpty {
            Self.append(fd, Array(Self.header.utf8))
        } else if existing.last != UInt8(ascii: "\n") {
            Self.append(fd, [UInt8(ascii: "\n")])
        }
    }

    deinit { close(descriptor) }

    /// The number of files recorded as finished.
    public var count: Int { finished.count }

    /// Whether this version of the file was finished by an earlier run.
    public func contains(_ key: Key) -> Bool { finished.contains(key) }

    /// Records a finished file (one `write`, so concurrent records never interleave).
    public func record(_ key: Key, outcome: String) {
        let line = "\(key.size)\t\(key.modified)\t\(outcome)\t\(Self.escape(key.path))\n"
        writeLock.withLock { _ in Self.append(descriptor, Array(line.utf8)) }
    }

    /// Flushes the journal to disk (at the end of a run; per-record syncs would cost more than the re-import they save).
    public func sync() { _ = fsync(descriptor) }

    private static func append(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    /// Reads complete lines; comments, malformed lines and a torn last line are skipped.
    static func parse(_ bytes: [UInt8]) -> Set<Key> {
        var keys = Set<Key>()
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if bytes.last != UInt8(ascii: "\n") { lines.removeLast() }   // torn (or the empty tail after the final newline)
        for line in lines where !line.isEmpty && line.first != UInt8(ascii: "#") {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let size = Int64(String(decoding: fields[0], as: UTF8.self)),
                  let modified = Int64(String(decoding: fields[1], as: UTF8.self)) else { continue }
            keys.insert(Key(path: unescape(String(decoding: fields[3], as: UTF8.self)), size: size, modified: modified))
        }
        return keys
    }

    static func escape(_ path: String) -> String {
        var out = ""
        for c in path.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        var out = ""
        var escaping = false
        for c in text.unicodeScalars {
            if escaping {
                switch c {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
