/// Encapsulated Pixel Data: the Basic Offset Table and the fragments that follow it (PS3.5 §A.4).
public struct EncapsulatedPixelData: Sendable {
    /// The Basic Offset Table: byte offsets of each frame's first fragment item, from the first fragment item. Often empty.
    public var basicOffsetTable: [UInt32]
    /// The fragments, each a slice of the input.
    public var fragments: [ArraySlice<UInt8>]

    /// Makes encapsulated pixel data from an offset table and fragments.
    public init(basicOffsetTable: [UInt32] = [], fragments: [ArraySlice<UInt8>]) {
        self.basicOffsetTable = basicOffsetTable
        self.fragments = fragments
    }

    /// The fragments of each frame.
    ///
    /// Uses, in order: one frame takes all fragments; as many fragments as frames; the Extended Offset Table
    /// (7FE0,0001) when given; the Basic Offset Table when it has one entry per frame; else frame starts found by
    /// codestream markers (JPEG SOI `FFD8`, JPEG 2000 SOC `FF4F`) at fragment starts.
    public func frameFragments(numberOfFrames: Int, extendedOffsetTable: [UInt64]? = nil) throws(DicomError) -> [[ArraySlice<UInt8>]] {
        guard numberOfFrames >= 1 else { throw DicomError(.invalidPixelData, "Number of Frames is \(numberOfFrames)") }
        if numberOfFrames == 1 { return [fragments] }
        if fragments.count == numberOfFrames { return fragments.map { [$0] } }

        // Offsets of each fragment item from the first fragment item: item tag and length take 8 bytes.
        var itemOffsets: [UInt64] = []
        itemOffsets.reserveCapacity(fragments.count)
        var offset: UInt64 = 0
        for f in fragments {
            itemOffsets.append(offset)
            offset += 8 + UInt64(f.count)
        }
        func split(_ starts: [UInt64]) -> [[ArraySlice<UInt8>]]? {
            guard starts.count == numberOfFrames, starts.first == 0 else { return nil }
            var frames: [[ArraySlice<UInt8>]] = []
            for (i, start) in starts.enumerated() {
                let end = i + 1 < starts.count ? starts[i + 1] : UInt64.max
                guard let first = itemOffsets.firstIndex(of: start) else { return nil }
                var j = first
                var frame: [ArraySlice<UInt8>] = []
                while j < fragments.count && itemOffsets[j] < end {
                    frame.append(fragments[j])
                    j += 1
                }
                frames.append(frame)
            }
            return frames
        }
        if let eot = extendedOffsetTable, let frames = split(eot) { return frames }
        if let frames = split(basicOffsetTable.map(UInt64.init)) { return frames }

        var frames: [[ArraySlice<UInt8>]] = []
        for f in fragments {
            let b = f.startIndex
            let startsFrame = f.count >= 2 && f[b] == 0xFF && (f[b + 1] == 0xD8 || f[b + 1] == 0x4F)
            if startsFrame || frames.isEmpty { frames.append([f]) } else { frames[frames.count - 1].append(f) }
        }
        guard frames.count == numberOfFrames else {
            throw DicomError(.invalidPixelData, "\(fragments.count) fragments cannot be split into \(numberOfFrames) frames")
        }
        return frames
    }

    /// The bytes of frame `index` (0-based), fragments joined, trailing padding kept.
    public func frame(_ index: Int, numberOfFrames: Int, extendedOffsetTable: [UInt64]? = nil) throws(DicomError) -> [UInt8] {
        Array(try frameSlice(index, numberOfFrames: numberOfFrames, extendedOffsetTable: extendedOffsetTable))
    }

    /// The bytes of frame `index` as `frame(_:numberOfFrames:extendedOffsetTable:)` gives them, but a frame of one
    /// fragment is that fragment, not a copy: most frames are one fragment, and a copy costs as much as an RLE decode.
    func frameSlice(_ index: Int, numberOfFrames: Int, extendedOffsetTable: [UInt64]? = nil) throws(DicomError) -> ArraySlice<UInt8> {
        let frames = try frameFragments(numberOfFrames: numberOfFrames, extendedOffsetTable: extendedOffsetTable)
        guard frames.indices.contains(index) else {
            throw DicomError(.frameOutOfRange, "frame \(index + 1) of \(frames.count)")
        }
        if frames[index].count == 1 { return frames[index][0] }
        return frames[index].reduce(into: [UInt8]()) { $0.append(contentsOf: $1) }[...]
    }
}
