/// Reads the tab-separated tables that `Scripts/generate-dictionary.py` writes as string literals.
///
/// The tables are text rather than array literals because swiftc type-checks a literal of
/// thousands of structs very slowly; parsing the text once at first use takes milliseconds.
enum GeneratedTable {
    /// Calls `body` with the fields of each non-empty line of `text`; a field written `-` is passed as "".
    static func forEachRow(in text: String, _ body: ([String]) -> Void) {
        let tab = UInt8(ascii: "\t")
        let newline = UInt8(ascii: "\n")
        for line in text.utf8.split(separator: newline) {
            let fields = line.split(separator: tab, omittingEmptySubsequences: false).map { field -> String in
                field.elementsEqual("-".utf8) ? "" : String(Substring(field))
            }
            body(fields)
        }
    }
}
