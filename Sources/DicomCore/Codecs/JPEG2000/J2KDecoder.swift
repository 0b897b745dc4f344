/// A decoded JPEG 2000 image: one plane of samples per component, at the resolution asked for.
public struct JPEG2000Image: Sendable {
    /// Width and height of each component's plane.
    public var widths: [Int]
    public var heights: [Int]
    /// Samples per component, row by row, with the DC level shift undone and clamped to the component's range.
    public var planes: [[Int32]]
    /// Bits per sample of each component (SIZ Ssiz + 1).
    public var precisions: [Int]
    public var isSigned: [Bool]
    /// True when the first three components went through the inverse RCT or ICT (they are now R, G, B).
    public var colourTransformed: Bool
}

/// Decodes ISO/IEC 15444-1 codestreams (optionally inside a JP2 file), including those whose code-blocks use the
/// high-throughput block coder of ISO/IEC 15444-15 (HTJ2K).
///
/// ```swift
/// let thumbnail = try JPEG2000Decoder.decode(bytes[...], level: 2)   // a quarter of the width and height
/// ```
public enum JPEG2000Decoder {
    /// Decodes the codestream, discarding `level` resolution levels (0 for full size; at most the number of
    /// decomposition levels of every component).
    ///
    /// With `expecting`, the codestream's first `components` components must be `width`×`height` at that level
    /// (a data set's Rows and Columns), checked from its SIZ before anything is decoded or allocated: a hostile
    /// codestream in a small image cannot make the decoder allocate for the 2^30 samples SIZ may claim.
    public static func decode(_ input: ArraySlice<UInt8>, level: Int = 0,
                              expecting: (width: Int, height: Int, components: Int)? = nil) throws(DicomError) -> JPEG2000Image {
        let stream = try J2KCodestream(J2KCodestream.unwrap(input))
        let size = stream.size
        let n = size.components.count
        var widths: [Int] = [], heights: [Int] = [], planes: [[Int32]] = []
        let scale = 1 << level
        guard level >= 0, level < 32 else { throw DicomError(.invalidPixelData, "resolution level \(level)") }
        for comp in size.components {
            let cx0 = ceilDiv(ceilDiv(size.x0, comp.dx), scale), cx1 = ceilDiv(ceilDiv(size.width, comp.dx), scale)
            let cy0 = ceilDiv(ceilDiv(size.y0, comp.dy), scale), cy1 = ceilDiv(ceilDiv(size.height, comp.dy), scale)
            widths.append(cx1 - cx0); heights.append(cy1 - cy0)
            // Made when a tile first needs it: the reversible coefficients of a single tile become the plane
            // itself (see below), with no plane of their own to allocate, clear and copy into.
            planes.append([])
        }
        if let expecting {
            guard n >= expecting.components else {
                throw DicomError(.invalidPixelData, "codestream has \(n) components, Samples per Pixel is \(expecting.components)")
            }
            for c in 0..<expecting.components where widths[c] != expecting.width || heights[c] != expecting.height {
                throw DicomError(.invalidPixelData, "component \(c) is \(widths[c])x\(heights[c]), the data set says \(expecting.width)x\(expecting.height)")
            }
        }
        let singleTile = size.tilesAcross * size.tilesDown == 1
        var colourTransformed = false
        var blockDecoder = J2KBlockDecoder()
        var htDecoder = J2KHTBlockDecoder()
        for tile in 0..<(size.tilesAcross * size.tilesDown) {
            guard let data = stream.tileData[tile] else { throw DicomError(.invalidPixelData, "tile \(tile) missing from the codestream") }
            let tp = stream.tileParameters[tile] ?? J2KCodingParameters()
            var p = tp.hasCOD ? tp : stream.main
            if tp.progressionChanges.isEmpty { p.progressionChanges = stream.main.progressionChanges } else { p.progressionChanges = tp.progressionChanges }
            let tx = tile % size.tilesAcross, ty = tile / size.tilesAcross
            let tx0 = max(size.tileX0 + tx * size.tileWidth, size.x0), tx1 = min(size.tileX0 + (tx + 1) * size.tileWidth, size.width)
            let ty0 = max(size.tileY0 + ty * size.tileHeight, size.y0), ty1 = min(size.tileY0 + (ty + 1) * size.tileHeight, size.height)
            var budget = 1 << 22
            var components: [J2KTileComponent] = []
            for c in 0..<n {
                let comp = size.components[c]
                let style = tp.componentStyles[c] ?? (tp.hasCOD ? tp.defaultStyle : (stream.main.componentStyles[c] ?? stream.main.defaultStyle))
                guard let q = tp.componentQuantizations[c] ?? tp.defaultQuantization ?? stream.main.componentQuantizations[c] ?? stream.main.defaultQuantization else {
                    throw DicomError(.invalidPixelData, "no quantization for component \(c)")
                }
                guard level <= style.levels else {
                    throw DicomError(.invalidPixelData, "resolution level \(level) asked of a component with \(style.levels) decomposition levels")
                }
                let roi = tp.roiShifts[c] ?? stream.main.roiShifts[c] ?? 0
                components.append(try J2KTileComponent(x0: ceilDiv(tx0, comp.dx), y0: ceilDiv(ty0, comp.dy), x1: ceilDiv(tx1, comp.dx),
                                                       y1: ceilDiv(ty1, comp.dy), style: style, quantization: q, precision: comp.precision,
                                                       roiShift: roi, budget: &budget))
            }
            var packets = J2KPacketDecoder(components: components, parameters: p, tileX0: tx0, tileY0: ty0, tileX1: tx1, tileY1: ty1,
                                           subsampling: size.components.map { ($0.dx, $0.dy) }, body: data,
                                           packedHeaders: stream.packedHeaders[tile], baseOffset: stream.tileOffsets[tile] ?? 0)
            try packets.decodeAll()

            // Tier-1, dequantisation and inverse DWT per component.
            var ints: [[Int32]] = [], floats: [[Float]] = []
            var regions: [(x0: Int, y0: Int, w: Int, h: Int)] = []
            for tc in components {
                let top = tc.resolutions.count - 1 - level
                let res = tc.resolutions[top]
                let w = res.x1 - res.x0, h = res.y1 - res.y0
                regions.append((res.x0, res.y0, w, h))
                let fullWidth = max(w, 1)
                var coefficients = [Int32](repeating: 0, count: max(w * h, 1))
                var real = tc.style.reversible ? [] : [Float](repeating: 0, count: max(w * h, 1))
                try coefficients.withUnsafeMutableBufferPointer { cb throws(DicomError) in
                    for r in 0...top {
                        for band in tc.resolutions[r].bands {
                            for block in band.blocks where block.passes > 0 {
                                let ox = band.offsetX + block.x0 - band.x0, oy = band.offsetY + block.y0 - band.y0
                                let out = cb.baseAddress! + oy * fullWidth + ox
                                // The reversible path halves inside tier-1 unless an ROI shift must see the scaled values.
                                let halved = tc.style.reversible && tc.roiShift == 0
                                if tc.style.codeBlockStyle & J2KBlockStyle.highThroughput != 0 {
                                    try htDecoder.decode(block, magnitudeBits: band.magnitudeBits, style: tc.style.codeBlockStyle,
                                                         into: out, stride: fullWidth, halve: halved)
                                } else {
                                    try blockDecoder.decode(block, orientation: band.orientation, magnitudeBits: band.magnitudeBits,
                                                            style: tc.style.codeBlockStyle, into: out, stride: fullWidth, halve: halved)
                                }
                                let bw = block.x1 - block.x0, bh = block.y1 - block.y0
                                if tc.roiShift > 0 {
                                    let threshold = Int32(1) << Int32(tc.roiShift + 1)
                                    for y in 0..<bh { for x in 0..<bw {
                                        let v = out[y * fullWidth + x], m = abs(v)
                                        if m >= threshold { out[y * fullWidth + x] = v < 0 ? -(m >> Int32(tc.roiShift)) : m >> Int32(tc.roiShift) }
                                    } }
                                }
                                if tc.style.reversible {
                                    if !halved { for y in 0..<bh { for x in 0..<bw { out[y * fullWidth + x] /= 2 } } }
                                } else {
                                    let step = band.stepSize * 0.5
                                    for y in 0..<bh { for x in 0..<bw {
                                        real[(oy + y) * fullWidth + ox + x] = Float(out[y * fullWidth + x]) * step
                                    } }
                                }
                            }
                        }
                    }
                    if tc.style.reversible {
                        J2KDecoder.inverseTransform(cb.baseAddress!, tc, top: top, stride: fullWidth)
                    }
                }
                if !tc.style.reversible {
                    real.withUnsafeMutableBufferPointer { J2KDecoder.inverseTransform($0.baseAddress!, tc, top: top, stride: fullWidth) }
                }
                ints.append(coefficients); floats.append(real)
            }

            // Inverse multiple-component transform (Annex G) on the first three components.
            if p.multipleComponentTransform && n >= 3 && regions[0] == regions[1] && regions[1] == regions[2] {
                colourTransformed = true
                let count = regions[0].w * regions[0].h
                if components[0].style.reversible {
                    for i in 0..<count {
                        let y = ints[0][i], u = ints[1][i], v = ints[2][i]
                        let g = y - ((u + v) >> 2)
                        ints[0][i] = v + g; ints[1][i] = g; ints[2][i] = u + g
                    }
                } else {
                    for i in 0..<count {
                        let y = floats[0][i], cb = floats[1][i], cr = floats[2][i]
                        floats[0][i] = y + 1.402 * cr
                        floats[1][i] = y - 0.34413 * cb - 0.71414 * cr
                        floats[2][i] = y + 1.772 * cb
                    }
                }
            }

            // DC level shift, clamp, and placement in the image (§G.1.2).
            for c in 0..<n {
                let comp = size.components[c], region = regions[c]
                let shift: Int32 = comp.isSigned ? 0 : Int32(1) << Int32(comp.precision - 1)
                let lo: Int32 = comp.isSigned ? -(Int32(1) << Int32(comp.precision - 1)) : 0
                let hi: Int32 = comp.isSigned ? (Int32(1) << Int32(comp.precision - 1)) - 1 : Int32((Int64(1) << Int64(comp.precision)) - 1)
                let ix0 = ceilDiv(ceilDiv(size.x0, comp.dx), scale), iy0 = ceilDiv(ceilDiv(size.y0, comp.dy), scale)
                let reversible = components[c].style.reversible
                let planeWidth = widths[c]
                if singleTile && reversible && region.x0 == ix0 && region.y0 == iy0 && region.w == planeWidth
                    && region.h == heights[c] && ints[c].count == region.w * region.h {
                    // The tile is the whole plane: level shift and clamp in place, and keep the buffer.
                    ints[c].withUnsafeMutableBufferPointer { ib in
                        for i in 0..<ib.count { ib[i] = min(max(ib[i] &+ shift, lo), hi) }
                    }
                    planes[c] = ints[c]
                    ints[c] = []
                    continue
                }
                if planes[c].isEmpty { planes[c] = [Int32](repeating: 0, count: widths[c] * heights[c]) }
                planes[c].withUnsafeMutableBufferPointer { pb in
                    ints[c].withUnsafeBufferPointer { ib in
                        floats[c].withUnsafeBufferPointer { fb in
                            let plane = pb.baseAddress!
                            for y in 0..<region.h {
                                let row = plane + (region.y0 - iy0 + y) * planeWidth + region.x0 - ix0
                                if reversible {
                                    let source = ib.baseAddress! + y * region.w
                                    for x in 0..<region.w { row[x] = min(max(source[x] &+ shift, lo), hi) }
                                } else {
                                    let source = fb.baseAddress! + y * region.w
                                    for x in 0..<region.w {
                                        let f = source[x].rounded(.toNearestOrEven)
                                        let v = f > 2e9 ? Int32.max / 2 : (f < -2e9 ? Int32.min / 2 : Int32(f))
                                        row[x] = min(max(v &+ shift, lo), hi)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<n where planes[c].isEmpty { planes[c] = [Int32](repeating: 0, count: widths[c] * heights[c]) }
        return JPEG2000Image(widths: widths, heights: heights, planes: planes, precisions: size.components.map(\.precision),
                             isSigned: size.components.map(\.isSigned), colourTransformed: colourTransformed)
    }
}

/// Inverse 2D transforms over a tile-component's coefficient buffer (packed subbands, row stride `stride`).
enum J2KDecoder {
    static func inverseTransform(_ buffer: UnsafeMutablePointer<Int32>, _ tc: J2KTileComponent, top: Int, stride: Int) {
        guard top >= 1 else { return }
        let maxLength = max(stride, tc.resolutions[top].y1 - tc.resolutions[top].y0) + 8
        let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: maxLength)
        defer { scratch.deallocate() }
        let strip = UnsafeMutablePointer<Int32>.allocate(capacity: maxLength * J2KWavelet.stripWidth)
        strip.initialize(repeating: 0, count: maxLength * J2KWavelet.stripWidth)
        defer { strip.deallocate() }
        for r in 1...top {
            let res = tc.resolutions[r]
            let w = res.x1 - res.x0, h = res.y1 - res.y0
            guard w > 0, h > 0 else { continue }
            for y in 0..<h { J2KWavelet.inverse53(buffer + y * stride, n: w, parity: res.x0 & 1, scratch: scratch) }
            // Vertically, whole rows of a strip of columns at a time, so every access runs along a cache line.
            var x = 0
            while x < w {
                let columns = min(J2KWavelet.stripWidth, w - x)
                J2KWavelet.inverse53Columns(buffer + x, n: h, columns: columns, stride: stride, parity: res.y0 & 1, scratch: strip)
                x += columns
            }
        }
    }

    static func inverseTransform(_ buffer: UnsafeMutablePointer<Float>, _ tc: J2KTileComponent, top: Int, stride: Int) {
        guard top >= 1 else { return }
        let maxLength = max(stride, tc.resolutions[top].y1 - tc.resolutions[top].y0) + 8
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: maxLength)
        defer { scratch.deallocate() }
        for r in 1...top {
            let res = tc.resolutions[r]
            let w = res.x1 - res.x0, h = res.y1 - res.y0
            guard w > 0, h > 0 else { continue }
            for y in 0..<h { J2KWavelet.inverse97(buffer + y * stride, n: w, step: 1, parity: res.x0 & 1, scratch: scratch) }
            for x in 0..<w { J2KWavelet.inverse97(buffer + x, n: h, step: stride, parity: res.y0 & 1, scratch: scratch) }
        }
    }
}
