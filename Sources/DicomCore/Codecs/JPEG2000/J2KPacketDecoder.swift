/// Tier-2 decoding (ISO/IEC 15444-1 Annex B): walks a tile's packets in progression order (§B.12), reads each
/// packet header (§B.10) and hands each code-block its bytes.
struct J2KPacketDecoder {
    let components: [J2KTileComponent]
    let parameters: J2KCodingParameters
    let tileX0: Int, tileY0: Int, tileX1: Int, tileY1: Int
    let subsampling: [(dx: Int, dy: Int)]
    /// Highest resolution to read per component (packets above it are still parsed to stay in step).
    let body: [UInt8]
    let packedHeaders: [UInt8]?
    let baseOffset: Int
    var bodyPosition = 0
    var headerPosition = 0

    /// Reads every packet of the tile.
    mutating func decodeAll() throws(DicomError) {
        let maxResolutions = components.map { $0.resolutions.count }.max() ?? 0
        if parameters.progressionChanges.isEmpty {
            try run(J2KProgressionChange(resolutionStart: 0, componentStart: 0, layerEnd: parameters.layers,
                                         resolutionEnd: maxResolutions, componentEnd: components.count, order: parameters.order))
        } else {
            for change in parameters.progressionChanges { try run(change) }
        }
    }

    private var finished: Bool { bodyPosition >= body.count && (packedHeaders == nil || headerPosition >= packedHeaders!.count) }

    private mutating func run(_ p: J2KProgressionChange) throws(DicomError) {
        let layers = min(p.layerEnd, parameters.layers)
        let c0 = min(p.componentStart, components.count), c1 = min(p.componentEnd, components.count)
        let r0 = p.resolutionStart, r1 = p.resolutionEnd
        guard c0 < c1, r0 < r1, layers > 0 else { return }
        func resolutions(_ c: Int) -> Range<Int> { min(r0, components[c].resolutions.count)..<min(r1, components[c].resolutions.count) }
        switch p.order {
        case .lrcp:
            for l in 0..<layers { for r in r0..<r1 { for c in c0..<c1 where r < components[c].resolutions.count {
                let res = components[c].resolutions[r]
                for k in 0..<(res.precinctsAcross * res.precinctsDown) { try packet(l, c, r, k); if finished { return } }
            } } }
        case .rlcp:
            for r in r0..<r1 { for l in 0..<layers { for c in c0..<c1 where r < components[c].resolutions.count {
                let res = components[c].resolutions[r]
                for k in 0..<(res.precinctsAcross * res.precinctsDown) { try packet(l, c, r, k); if finished { return } }
            } } }
        case .rpcl, .pcrl, .cprl:
            // Position-driven orders (§B.12.1.3–5): visit the tile on the finest precinct grid of all (c, r).
            var xStep = Int.max, yStep = Int.max
            for c in c0..<c1 {
                for r in resolutions(c) {
                    let res = components[c].resolutions[r], level = components[c].resolutions.count - 1 - r
                    let sx = subsampling[c].dx << (res.precinctWidthExponent + level)
                    let sy = subsampling[c].dy << (res.precinctHeightExponent + level)
                    if sx > 0 && sx < xStep { xStep = sx }
                    if sy > 0 && sy < yStep { yStep = sy }
                }
            }
            guard xStep != Int.max, yStep != Int.max else { return }
            var positions: [(Int, Int)] = []
            var y = tileY0
            while y < tileY1 {
                var x = tileX0
                while x < tileX1 { positions.append((x, y)); x += xStep - x % xStep }
                y += yStep - y % yStep
            }
            switch p.order {
            case .rpcl:
                for r in r0..<r1 { for (x, y) in positions { for c in c0..<c1 where r < components[c].resolutions.count {
                    try position(x, y, c, r, layers); if finished { return }
                } } }
            case .pcrl:
                for (x, y) in positions { for c in c0..<c1 { for r in resolutions(c) {
                    try position(x, y, c, r, layers); if finished { return }
                } } }
            default:
                for c in c0..<c1 { for (x, y) in positions { for r in resolutions(c) {
                    try position(x, y, c, r, layers); if finished { return }
                } } }
            }
        }
    }

    /// The packets of (c, r) whose precinct starts at (x, y) on the reference grid, if one does.
    private mutating func position(_ x: Int, _ y: Int, _ c: Int, _ r: Int, _ layers: Int) throws(DicomError) {
        let comp = components[c], res = comp.resolutions[r]
        guard res.x1 > res.x0, res.y1 > res.y0 else { return }
        let level = comp.resolutions.count - 1 - r
        let dx = subsampling[c].dx, dy = subsampling[c].dy
        let rpx = res.precinctWidthExponent + level, rpy = res.precinctHeightExponent + level
        guard y % (dy << rpy) == 0 || (y == tileY0 && (res.y0 << level) % (1 << rpy) != 0) else { return }
        guard x % (dx << rpx) == 0 || (x == tileX0 && (res.x0 << level) % (1 << rpx) != 0) else { return }
        let pi = (ceilDiv(x, dx << level) >> res.precinctWidthExponent) - (res.x0 >> res.precinctWidthExponent)
        let pj = (ceilDiv(y, dy << level) >> res.precinctHeightExponent) - (res.y0 >> res.precinctHeightExponent)
        guard pi >= 0, pj >= 0, pi < res.precinctsAcross, pj < res.precinctsDown else { return }
        for l in 0..<layers { try packet(l, c, r, pi + pj * res.precinctsAcross); if finished { return } }
    }

    /// Reads packet (layer l, component c, resolution r, precinct k) unless it was read already (POC overlap).
    private mutating func packet(_ l: Int, _ c: Int, _ r: Int, _ k: Int) throws(DicomError) {
        let res = components[c].resolutions[r]
        guard res.layersRead[k] == l else { return }
        res.layersRead[k] = l + 1
        var bands = res.precinct(k, level: r)
        defer { res.precincts[k] = bands }
        let style = components[c].style.codeBlockStyle

        // SOP marker segment before the packet (§A.8.1), optional even when signalled.
        if parameters.usesSOP, bodyPosition + 6 <= body.count, body[bodyPosition] == 0xFF, body[bodyPosition + 1] == 0x91 {
            bodyPosition += 6
        }
        var contributions: [(band: Int, block: Int, lengths: [Int])] = []
        let headerBytes = packedHeaders ?? body
        var headerEnd = 0
        let ok = headerBytes.withUnsafeBufferPointer { buffer -> Bool in
            var reader = J2KBitReader(buffer, at: packedHeaders == nil ? bodyPosition : headerPosition)
            defer { reader.align(); headerEnd = reader.position }
            if reader.bit() == 0 { return !reader.overrun }
            for (b, band) in res.bands.enumerated() {
                let pb = bands[b]
                let across = pb.bx1 - pb.bx0
                for by in pb.by0..<pb.by1 {
                    for bx in pb.bx0..<pb.bx1 {
                        let leaf = (by - pb.by0) * across + (bx - pb.bx0)
                        let index = by * band.blocksAcross + bx
                        var block = band.blocks[index]
                        let included: Bool
                        if block.included {
                            included = reader.bit() == 1
                        } else {
                            included = bands[b].inclusion.decode(leaf, threshold: l + 1, &reader)
                        }
                        if reader.overrun { return false }
                        guard included else { continue }
                        if !block.included {
                            var t = 1
                            while !bands[b].zeroBitplanes.decode(leaf, threshold: t, &reader) {
                                if reader.overrun || t > 64 { return false }
                                t += 1
                            }
                            block.zeroBitplanes = bands[b].zeroBitplanes.valueOf(leaf)
                            block.included = true
                        }
                        // Number of coding passes (Table B.4).
                        var passes = 1
                        if reader.bit() == 1 {
                            passes = 2
                            if reader.bit() == 1 {
                                let two = reader.bits(2)
                                if two < 3 { passes = 3 + two } else {
                                    let five = reader.bits(5)
                                    passes = five < 31 ? 6 + five : 37 + reader.bits(7)
                                }
                            }
                        }
                        while reader.bit() == 1 { block.lblock += 1; if block.lblock > 32 { return false } }
                        var lengths: [Int] = []
                        var remaining = passes
                        while remaining > 0 {
                            if block.segmentPasses.isEmpty || block.segmentPasses.last! >= J2KPacketDecoder.segmentCapacity(style, start: block.passes - block.segmentPasses.last!) {
                                block.segmentPasses.append(0)
                                block.segmentLengths.append(0)
                            }
                            let last = block.segmentPasses.count - 1
                            let start = block.passes - block.segmentPasses[last]
                            let n = min(remaining, J2KPacketDecoder.segmentCapacity(style, start: start) - block.segmentPasses[last])
                            var bits = block.lblock, m = n
                            while m > 1 { bits += 1; m >>= 1 }
                            let length = reader.bits(bits)
                            block.segmentPasses[last] += n
                            block.segmentLengths[last] += length
                            block.passes += n
                            lengths.append(length)
                            remaining -= n
                        }
                        if reader.overrun || block.passes > 164 { return false }
                        band.blocks[index] = block
                        contributions.append((b, index, lengths))
                    }
                }
            }
            return !reader.overrun
        }
        guard ok else { throw DicomError(.invalidPixelData, at: baseOffset + bodyPosition, "JPEG 2000 packet header truncated or invalid") }
        if packedHeaders == nil { bodyPosition = headerEnd } else { headerPosition = headerEnd }
        // EPH marker after the header (§A.8.2).
        if parameters.usesEPH {
            if packedHeaders == nil {
                if bodyPosition + 2 <= body.count, body[bodyPosition] == 0xFF, body[bodyPosition + 1] == 0x92 { bodyPosition += 2 }
            } else if let h = packedHeaders, headerPosition + 2 <= h.count, h[headerPosition] == 0xFF, h[headerPosition + 1] == 0x92 {
                headerPosition += 2
            }
        }
        for (b, index, lengths) in contributions {
            let total = lengths.reduce(0, +)
            guard total <= body.count - bodyPosition else {
                throw DicomError(.invalidPixelData, at: baseOffset + bodyPosition, "JPEG 2000 packet body truncated")
            }
            res.bands[b].blocks[index].append(body[bodyPosition..<(bodyPosition + total)])
            bodyPosition += total
        }
    }

    /// Passes a segment starting at pass `start` may hold (§D.4.2, Table D.9).
    /// HT code-blocks (ITU-T T.814's changes to the packet header of §B.10) have one segment per cleanup pass and
    /// one for the SigProp and MagRef passes that follow it.
    static func segmentCapacity(_ style: Int, start: Int) -> Int {
        if style & J2KBlockStyle.highThroughput != 0 { return start % 3 == 1 ? 2 : 1 }
        if style & J2KBlockStyle.terminateAll != 0 { return 1 }
        if style & J2KBlockStyle.bypass != 0 {
            if start < 10 { return 10 - start }
            return (start - 10) % 3 == 0 ? 2 : 1
        }
        return Int.max / 2
    }
}
