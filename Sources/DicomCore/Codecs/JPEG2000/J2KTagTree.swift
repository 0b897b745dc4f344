/// Packet-header bit reader (§B.10.1): bits most significant first; after a 0xFF byte the next byte carries 7 bits.
struct J2KBitReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    private var buffer: UInt32 = 0
    private var bits = 0
    private(set) var overrun = false

    init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) { self.bytes = bytes; self.position = position }

    mutating func bit() -> Int {
        if bits == 0 {
            let wasFF = buffer == 0xFF
            if position < bytes.count { buffer = UInt32(bytes[position]) } else { buffer = 0; overrun = true }
            position += 1
            bits = wasFF ? 7 : 8
        }
        bits -= 1
        return Int(buffer >> UInt32(bits)) & 1
    }

    mutating func bits(_ n: Int) -> Int {
        var v = 0
        for _ in 0..<n { v = v << 1 | bit() }
        return v
    }

    /// Ends the header: skips the rest of the byte and, after a 0xFF, the stuffed byte boundary (§B.10.1).
    mutating func align() {
        if bits == 0 && buffer == 0xFF { position += 1; buffer = 0 }
        bits = 0
        buffer = 0
    }
}

/// A tag tree (§B.10.2) over a grid of code-blocks, decoding and encoding.
struct J2KTagTree {
    private var value: [Int32]
    private var low: [Int32]
    private var parent: [Int32]
    private let leaves: Int

    init(width: Int, height: Int) {
        var parents: [Int32] = []
        var w = max(width, 1), h = max(height, 1)
        var levelStart = 0
        var sizes: [(Int, Int)] = [(w, h)]
        while w > 1 || h > 1 { w = (w + 1) / 2; h = (h + 1) / 2; sizes.append((w, h)) }
        let total = sizes.reduce(0) { $0 + $1.0 * $1.1 }
        parents = [Int32](repeating: -1, count: total)
        for l in 0..<(sizes.count - 1) {
            let (lw, lh) = sizes[l]
            let nextStart = levelStart + lw * lh
            let pw = sizes[l + 1].0
            for y in 0..<lh { for x in 0..<lw { parents[levelStart + y * lw + x] = Int32(nextStart + (y / 2) * pw + x / 2) } }
            levelStart = nextStart
        }
        parent = parents
        value = [Int32](repeating: Int32.max, count: total)
        low = [Int32](repeating: 0, count: total)
        leaves = max(width, 1) * max(height, 1)
    }

    /// Decodes whether leaf's value is below `threshold`; the value is known once this returns true.
    mutating func decode(_ leaf: Int, threshold: Int, _ reader: inout J2KBitReader) -> Bool {
        var path: [Int32] = []
        var node = Int32(leaf)
        while parent[Int(node)] >= 0 { path.append(node); node = parent[Int(node)] }
        var l: Int32 = 0
        let t = Int32(threshold)
        while true {
            let n = Int(node)
            if l > low[n] { low[n] = l } else { l = low[n] }
            while l < t && l < value[n] {
                if reader.bit() == 1 { value[n] = l } else { l += 1 }
                if reader.overrun { return false }
            }
            low[n] = l
            guard let next = path.popLast() else { break }
            node = next
        }
        return value[leaf] < t
    }

    func valueOf(_ leaf: Int) -> Int { Int(value[leaf]) }

    // MARK: Encoding

    /// Sets leaf values and propagates minima to parents (encoding).
    mutating func setLeaves(_ values: [Int]) {
        for i in 0..<value.count { value[i] = Int32.max; low[i] = 0 }
        known = [Bool](repeating: false, count: value.count)
        for (i, v) in values.enumerated() {
            var n = i
            let v32 = Int32(v)
            while n >= 0 && value[n] > v32 { value[n] = v32; n = Int(parent[n]) }
        }
    }

    private var known: [Bool] = []

    /// Encodes leaf information up to `threshold` (§B.10.2), appending bits.
    mutating func encode(_ leaf: Int, threshold: Int, _ writer: inout J2KBitWriter) {
        var path: [Int] = []
        var node = leaf
        while parent[node] >= 0 { path.append(node); node = Int(parent[node]) }
        var l: Int32 = 0
        let t = Int32(threshold)
        while true {
            if l > low[node] { low[node] = l } else { l = low[node] }
            while l < t {
                if l >= value[node] {
                    if !known[node] { writer.bit(1); known[node] = true }
                    break
                }
                writer.bit(0)
                l += 1
            }
            low[node] = l
            guard let next = path.popLast() else { break }
            node = next
        }
    }
}

/// Packet-header bit writer with 0xFF bit stuffing (§B.10.1).
struct J2KBitWriter {
    var bytes: [UInt8] = []
    private var current: UInt32 = 0
    private var count = 0
    private var capacity = 8

    mutating func bit(_ b: Int) {
        current = current << 1 | UInt32(b & 1)
        count += 1
        if count == capacity { emit() }
    }

    mutating func bits(_ v: Int, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { bit(v >> i & 1) } }

    private mutating func emit() {
        bytes.append(UInt8(current))
        capacity = current == 0xFF ? 7 : 8
        current = 0
        count = 0
    }

    /// Pads the last byte with zeros; after 0xFF appends a zero byte so the header does not end in 0xFF.
    mutating func finish() -> [UInt8] {
        if count > 0 {
            current <<= UInt32(capacity - count)
            emit()
        }
        if bytes.last == 0xFF { bytes.append(0) }
        return bytes
    }
}
