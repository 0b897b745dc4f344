/// The file structure of a PDF 1.4 document (ISO 32000-1 §7.5): header, numbered indirect objects, cross-reference
/// table and trailer. Objects are added in any order by number; `bytes()` writes them in number order, so the same
/// objects always give the same bytes.
struct PDFDocumentBuilder {
    private var objects: [Int: [UInt8]] = [:]
    private var nextNumber = 1

    /// Reserves an object number, for objects that must be referred to before they are written (the page tree).
    mutating func reserve() -> Int {
        defer { nextNumber += 1 }
        return nextNumber
    }

    /// Adds a dictionary, array or other direct object under a new number.
    @discardableResult
    mutating func add(_ body: String) -> Int {
        let number = reserve()
        set(number, body)
        return number
    }

    /// Sets the object with a reserved number.
    mutating func set(_ number: Int, _ body: String) {
        objects[number] = Array(body.utf8)
    }

    /// Adds a stream with `dictionary` entries (without /Length, which is added) under a new number.
    @discardableResult
    mutating func addStream(_ data: [UInt8], dictionary: String = "") -> Int {
        let number = reserve()
        var body = Array("<< /Length \(data.count)\(dictionary.isEmpty ? "" : " " + dictionary) >>\nstream\n".utf8)
        body += data
        body += Array("\nendstream".utf8)
        objects[number] = body
        return number
    }

    /// The document: every object from 1 up, the cross-reference table with each object's byte offset, and a trailer
    /// naming `root` and `info`.
    func bytes(root: Int, info: Int) -> [UInt8] {
        // A comment line of bytes above 127 right after the header tells transfer programs the file is binary (§7.5.2).
        var out = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        let count = nextNumber - 1
        var offsets = [Int](repeating: 0, count: count + 1)
        for number in 1..<nextNumber {
            offsets[number] = out.count
            out += Array("\(number) 0 obj\n".utf8)
            out += objects[number] ?? Array("null".utf8)
            out += Array("\nendobj\n".utf8)
        }
        let xref = out.count
        // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, and a two-byte end of line (§7.5.4).
        var table = "xref\n0 \(count + 1)\n0000000000 65535 f \n"
        for number in 1..<nextNumber {
            table += Self.padded(offsets[number], 10) + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(count + 1) /Root \(root) 0 R /Info \(info) 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        out += Array(table.utf8)
        return out
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Strings inside PDF content and dictionaries.
enum PDFString {
    /// A literal string `( … )` of ASCII, with `\`, `(` and `)` escaped (§7.3.4.2).
    static func literal(_ text: String) -> String {
        var out = "("
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "(": out += "\\("
            case ")": out += "\\)"
            default: out.unicodeScalars.append(scalar.value < 0x80 ? scalar : "?")
            }
        }
        return out + ")"
    }

    /// A text string for the document information dictionary: ASCII as a literal, anything else as UTF-16BE with a byte
    /// order mark, in hex (§7.9.2.2).
    static func text(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value < 0x80 }) { return literal(text) }
        return "<FEFF" + text.utf16.map { hex4($0) }.joined() + ">"
    }

    /// Four upper-case hex digits.
    static func hex4(_ value: UInt16) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(value >> 12)], digits[Int(value >> 8 & 0xF)], digits[Int(value >> 4 & 0xF)], digits[Int(value & 0xF)]])
    }
}
