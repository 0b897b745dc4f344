@testable import DicomCore

/// Compares two data sets element by element, for round-trip tests.
enum DataSetComparison {
    /// Differences as readable lines; group lengths are skipped (they depend on the encoding) and values compare
    /// after even-length padding, as the writer pads.
    static func differences(_ a: DataSet, _ b: DataSet, comparingVRs: Bool, path: String = "") -> [String] {
        var out: [String] = []
        let ea = a.elements.filter { !$0.tag.isGroupLength }
        let eb = b.elements.filter { !$0.tag.isGroupLength }
        guard ea.map(\.tag) == eb.map(\.tag) else {
            return ["\(path): tags differ: \(Set(ea.map(\.tag)).symmetricDifference(eb.map(\.tag)).sorted().prefix(5))"]
        }
        for (x, y) in zip(ea, eb) {
            let here = path + "\(x.tag)"
            if comparingVRs && x.vr != y.vr { out.append("\(here): VR \(x.vr) became \(y.vr)") }
            switch (x.value, y.value) {
            case (.bytes(let p), .bytes(let q)):
                func padded(_ v: ArraySlice<UInt8>) -> [UInt8] { v.count % 2 == 1 ? Array(v) + [x.vr.paddingByte] : Array(v) }
                if padded(p) != padded(q) { out.append("\(here): value differs") }
            case (.sequence(let p), .sequence(let q)):
                guard p.count == q.count else { out.append("\(here): \(p.count) items became \(q.count)"); continue }
                for (i, (s, t)) in zip(p, q).enumerated() {
                    out += differences(s, t, comparingVRs: comparingVRs, path: here + "[\(i)].")
                }
            case (.encapsulated(let p), .encapsulated(let q)):
                if p.basicOffsetTable != q.basicOffsetTable || p.fragments.map(Array.init) != q.fragments.map(Array.init) {
                    out.append("\(here): fragments differ")
                }
            default:
                out.append("\(here): kind of value differs")
            }
        }
        return out
    }
}
