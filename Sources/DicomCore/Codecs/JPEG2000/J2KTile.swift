/// Tile geometry (ISO/IEC 15444-1 §B.3–B.7): tile-components, resolutions, sub-bands, precincts and code-blocks,
/// and the per-code-block state the packet headers build up (§B.10).

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

/// One code-block: its place in the band and the coded data gathered from the packets so far.
struct J2KCodeBlock {
    var x0: Int, y0: Int, x1: Int, y1: Int
    var included = false
    var zeroBitplanes = 0
    var lblock = 3
    var passes = 0
    /// The block's bytes from the packets read so far, followed (once any were added) by `MQDecoder.padding` bytes
    /// of 0xFF, so that the tier-1 decoder reads the last segment where it is, with no copy.
    private(set) var data: [UInt8] = []
    /// Terminated segments: passes and bytes in each, in order.
    var segmentPasses: [Int] = []
    var segmentLengths: [Int] = []

    /// The bytes in `data`, without the padding.
    var byteCount: Int { max(data.count - MQDecoder.padding, 0) }

    /// Adds a packet's bytes for the block, keeping the padding after them. (No `reserveCapacity` to the exact size:
    /// that would defeat the array's geometric growth and make a stream of many thin layers cost quadratic time.)
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        if !data.isEmpty { data.removeLast(MQDecoder.padding) }
        data += bytes
        data += repeatElement(0xFF, count: MQDecoder.padding)
    }
}

/// One sub-band of a resolution.
final class J2KBand {
    /// 0 LL, 1 HL, 2 LH, 3 HH.
    let orientation: Int
    let x0: Int, y0: Int, x1: Int, y1: Int
    /// Where the band sits in the tile-component's coefficient buffer (packed, Mallat layout).
    let offsetX: Int, offsetY: Int
    let magnitudeBits: Int
    let stepSize: Float
    let blockWidthExponent: Int, blockHeightExponent: Int
    let firstBlockX: Int, firstBlockY: Int, blocksAcross: Int, blocksDown: Int
    var blocks: [J2KCodeBlock]

    init(orientation: Int, x0: Int, y0: Int, x1: Int, y1: Int, offsetX: Int, offsetY: Int, magnitudeBits: Int, stepSize: Float,
         blockWidthExponent: Int, blockHeightExponent: Int) {
        self.orientation = orientation
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
        self.offsetX = offsetX; self.offsetY = offsetY
        self.magnitudeBits = magnitudeBits
        self.stepSize = stepSize
        self.blockWidthExponent = blockWidthExponent
        self.blockHeightExponent = blockHeightExponent
        let empty = x1 <= x0 || y1 <= y0
        firstBlockX = x0 >> blockWidthExponent
        firstBlockY = y0 >> blockHeightExponent
        blocksAcross = empty ? 0 : ((x1 - 1) >> blockWidthExponent) - firstBlockX + 1
        blocksDown = empty ? 0 : ((y1 - 1) >> blockHeightExponent) - firstBlockY + 1
        blocks = []
        blocks.reserveCapacity(blocksAcross * blocksDown)
        for j in 0..<blocksDown {
            for i in 0..<blocksAcross {
                let bx = (firstBlockX + i) << blockWidthExponent, by = (firstBlockY + j) << blockHeightExponent
                blocks.append(J2KCodeBlock(x0: max(bx, x0), y0: max(by, y0), x1: min(bx + (1 << blockWidthExponent), x1),
                                           y1: min(by + (1 << blockHeightExponent), y1)))
            }
        }
    }
}

/// The code-blocks of one precinct in one band, with the precinct's two tag trees (§B.10.2).
struct J2KPrecinctBand {
    /// Block range in the band's block grid (band-relative indices).
    var bx0: Int, by0: Int, bx1: Int, by1: Int
    var inclusion: J2KTagTree
    var zeroBitplanes: J2KTagTree
}

/// One resolution level of a tile-component.
final class J2KResolution {
    let x0: Int, y0: Int, x1: Int, y1: Int
    let precinctWidthExponent: Int, precinctHeightExponent: Int
    let precinctsAcross: Int, precinctsDown: Int
    var bands: [J2KBand] = []
    /// Per precinct, per band (lazily built on first packet).
    var precincts: [[J2KPrecinctBand]?]
    /// Layers already read for each precinct.
    var layersRead: [Int]

    init(x0: Int, y0: Int, x1: Int, y1: Int, ppx: Int, ppy: Int) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
        precinctWidthExponent = ppx; precinctHeightExponent = ppy
        precinctsAcross = x1 > x0 ? ceilDiv(x1, 1 << ppx) - (x0 >> ppx) : 0
        precinctsDown = y1 > y0 ? ceilDiv(y1, 1 << ppy) - (y0 >> ppy) : 0
        precincts = []
        layersRead = []
    }

    func allocatePrecinctState() {
        precincts = [[J2KPrecinctBand]?](repeating: nil, count: precinctsAcross * precinctsDown)
        layersRead = [Int](repeating: 0, count: precinctsAcross * precinctsDown)
    }

    /// The precinct's code-blocks in every band, built the first time a packet of the precinct is read.
    func precinct(_ index: Int, level r: Int) -> [J2KPrecinctBand] {
        if let p = precincts[index] { return p }
        let px = (x0 >> precinctWidthExponent) + index % precinctsAcross
        let py = (y0 >> precinctHeightExponent) + index / precinctsAcross
        var result: [J2KPrecinctBand] = []
        for band in bands {
            let ex = r == 0 ? precinctWidthExponent : precinctWidthExponent - 1
            let ey = r == 0 ? precinctHeightExponent : precinctHeightExponent - 1
            let sx = max(px << ex, band.x0), ex1 = min((px + 1) << ex, band.x1)
            let sy = max(py << ey, band.y0), ey1 = min((py + 1) << ey, band.y1)
            var bx0 = 0, bx1 = 0, by0 = 0, by1 = 0
            if sx < ex1 && sy < ey1 {
                bx0 = (sx >> band.blockWidthExponent) - band.firstBlockX
                bx1 = ((ex1 - 1) >> band.blockWidthExponent) - band.firstBlockX + 1
                by0 = (sy >> band.blockHeightExponent) - band.firstBlockY
                by1 = ((ey1 - 1) >> band.blockHeightExponent) - band.firstBlockY + 1
            }
            result.append(J2KPrecinctBand(bx0: bx0, by0: by0, bx1: bx1, by1: by1,
                                          inclusion: J2KTagTree(width: bx1 - bx0, height: by1 - by0),
                                          zeroBitplanes: J2KTagTree(width: bx1 - bx0, height: by1 - by0)))
        }
        precincts[index] = result
        return result
    }
}

/// One component of one tile.
final class J2KTileComponent {
    let x0: Int, y0: Int, x1: Int, y1: Int
    let style: J2KComponentStyle
    let resolutions: [J2KResolution]
    let roiShift: Int

    init(x0: Int, y0: Int, x1: Int, y1: Int, style: J2KComponentStyle, quantization q: J2KQuantization, precision: Int, roiShift: Int,
         budget: inout Int) throws(DicomError) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
        self.style = style
        self.roiShift = roiShift
        let levels = style.levels
        var resolutions: [J2KResolution] = []
        for r in 0...levels {
            let scale = 1 << (levels - r)
            let (ppx, ppy) = style.precincts[r]
            let res = J2KResolution(x0: ceilDiv(x0, scale), y0: ceilDiv(y0, scale), x1: ceilDiv(x1, scale), y1: ceilDiv(y1, scale),
                                    ppx: ppx, ppy: ppy)
            budget -= res.precinctsAcross * res.precinctsDown
            guard budget >= 0 else { throw DicomError(.invalidPixelData, "too many precincts in a tile") }
            res.allocatePrecinctState()
            let cbw = min(style.codeBlockWidthExponent, r == 0 ? ppx : ppx - 1)
            let cbh = min(style.codeBlockHeightExponent, r == 0 ? ppy : ppy - 1)
            let orientations = r == 0 ? [0] : [1, 2, 3]
            for o in orientations {
                let nb = r == 0 ? levels : levels - r + 1
                let xob = o & 1, yob = o >> 1
                let bs = 1 << nb, half = nb > 0 ? 1 << (nb - 1) : 0
                let bx0 = ceilDiv(x0 - half * xob, bs), bx1 = ceilDiv(x1 - half * xob, bs)
                let by0 = ceilDiv(y0 - half * yob, bs), by1 = ceilDiv(y1 - half * yob, bs)
                let bandIndex = r == 0 ? 0 : 3 * (r - 1) + o
                guard let (exponent, mantissa) = q.step(band: bandIndex, levels: levels) else {
                    throw DicomError(.invalidPixelData, "no quantization step for band \(bandIndex)")
                }
                let gain = o == 0 ? 0 : (o == 3 ? 2 : 1)
                let step: Float = style.reversible ? 1 : Float(1.0 + Double(mantissa) / 2048.0) * Float(pow2(precision + gain - exponent))
                let lowWidth = r == 0 ? 0 : resolutions[r - 1].x1 - resolutions[r - 1].x0
                let lowHeight = r == 0 ? 0 : resolutions[r - 1].y1 - resolutions[r - 1].y0
                let blocks = (bx1 > bx0 && by1 > by0) ? (ceilDiv(bx1, 1 << cbw) - (bx0 >> cbw)) * (ceilDiv(by1, 1 << cbh) - (by0 >> cbh)) : 0
                budget -= blocks
                guard budget >= 0 else { throw DicomError(.invalidPixelData, "too many code-blocks in a tile") }
                res.bands.append(J2KBand(orientation: o, x0: bx0, y0: by0, x1: bx1, y1: by1,
                                         offsetX: xob * lowWidth, offsetY: yob * lowHeight,
                                         magnitudeBits: q.guardBits + exponent - 1 + roiShift, stepSize: step,
                                         blockWidthExponent: cbw, blockHeightExponent: cbh))
            }
            resolutions.append(res)
        }
        self.resolutions = resolutions
    }
}

func pow2(_ e: Int) -> Double {
    var v = 1.0
    if e >= 0 { for _ in 0..<e { v *= 2 } } else { for _ in 0..<(-e) { v /= 2 } }
    return v
}
