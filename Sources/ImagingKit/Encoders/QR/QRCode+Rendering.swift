/// Pictures of a symbol: a grey raster, a PNG and an SVG, each with a light quiet zone around it (§6.3.8 asks for
/// four modules).
extension QRCode {
    /// The symbol as an 8-bit grey image: `scale` pixels per module, `quietZone` light modules on every side,
    /// dark 0 and light 255.
    public func rendered(scale: Int = 8, quietZone: Int = 4) throws(ImagingError) -> RenderedImage {
        guard scale >= 1, scale <= 64 else { throw ImagingError(.invalidArgument, "QR scale \(scale) is not 1...64") }
        guard quietZone >= 0, quietZone <= 64 else { throw ImagingError(.invalidArgument, "QR quiet zone \(quietZone) is not 0...64") }
        let side = (size + 2 * quietZone) * scale
        var samples = [UInt8](repeating: 255, count: side * side)
        for y in 0..<size {
            let top = (y + quietZone) * scale
            for x in 0..<size where self[x, y] {
                let left = (x + quietZone) * scale
                for row in top..<(top + scale) {
                    let start = row * side + left
                    for index in start..<(start + scale) { samples[index] = 0 }
                }
            }
        }
        return RenderedImage(width: side, height: side, samples: samples)
    }

    /// The symbol as a grey PNG (see ``rendered(scale:quietZone:)``).
    public func png(scale: Int = 8, quietZone: Int = 4) throws(ImagingError) -> [UInt8] {
        try PNGEncoder.encode(try rendered(scale: scale, quietZone: quietZone), compressionLevel: 9)
    }

    /// The symbol as a standalone SVG document: a light background and one path of dark modules (horizontal runs
    /// merged), sized `moduleSize` user units per module, with `shape-rendering="crispEdges"` so viewers do not blur
    /// module edges.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4, dark: String = "#000000", light: String = "#ffffff") -> String {
        let side = size + 2 * quietZone
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else { x += 1; continue }
                var run = 1
                while x + run < size, self[x + run, y] { run += 1 }
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let pixels = side * max(moduleSize, 1)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(pixels)" height="\(pixels)" viewBox="0 0 \(side) \(side)" \
            shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="\(Self.svgColour(light, fallback: "#ffffff"))"/>\
            <path d="\(path)" fill="\(Self.svgColour(dark, fallback: "#000000"))"/></svg>

            """
    }

    /// Colours go into an attribute: only `#rgb`/`#rrggbb` are let through.
    private static func svgColour(_ colour: String, fallback: String) -> String {
        let hex = colour.utf8.dropFirst()
        guard colour.hasPrefix("#"), hex.count == 3 || hex.count == 6,
              hex.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) }) else { return fallback }
        return colour
    }

    /// The modules as text, one row per line, `#` dark and `.` light: for tests and debugging.
    public var textDiagram: String {
        (0..<size).map { y in String((0..<size).map { self[$0, y] ? "#" : "." }) }.joined(separator: "\n")
    }
}
