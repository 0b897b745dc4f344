import Foundation
import Testing
@testable import ImagingKit

/// Encoders checked by independent decoders: Python's zlib with the PNG spec written out in the test, and libjpeg's djpeg.
@Suite struct EncoderTests {
    /// Decodes a PNG with Python (zlib + the five filters, chunk CRCs checked) and prints "w h channels depth" and the samples.
    static let pythonPNG = """
    import sys, zlib, struct
    d = sys.stdin.buffer.read(); assert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
    p, idat, hdr = 8, b'', None
    while p < len(d):
        n, = struct.unpack('>I', d[p:p+4]); t = d[p+4:p+8]; b = d[p+8:p+8+n]
        assert zlib.crc32(t + b) & 0xffffffff == struct.unpack('>I', d[p+8+n:p+12+n])[0]
        if t == b'IHDR': hdr = struct.unpack('>IIBBBBB', b)
        if t == b'IDAT': idat += b
        p += 12 + n
    w, h, depth, ct = hdr[:4]; ch = {0: 1, 2: 3, 6: 4}[ct]; bpp = ch * depth // 8; s = w * bpp
    raw = zlib.decompress(idat); out = []; prev = bytearray(s)
    for y in range(h):
        f = raw[y*(s+1)]; l = bytearray(raw[y*(s+1)+1:(y+1)*(s+1)])
        for i in range(s):
            a = l[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
            if f == 1: l[i] = (l[i] + a) & 255
            elif f == 2: l[i] = (l[i] + b) & 255
            elif f == 3: l[i] = (l[i] + (a + b) // 2) & 255
            elif f == 4:
                q = a + b - c; pa, pb, pc = abs(q-a), abs(q-b), abs(q-c)
                l[i] = (l[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += l; prev = l
    if depth == 16: out = [out[2*i] << 8 | out[2*i+1] for i in range(len(out)//2)]
    print(w, h, ch, depth); print(' '.join(map(str, out)))
    """

    static func decodeWithPython(_ png: [UInt8]) -> (header: [Int], samples: [Int])? {
        guard let out = Support.run("python3", ["-c", pythonPNG], input: Data(png)), let text = String(data: out, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2 else { return nil }
        return (lines[0].split(separator: " ").compactMap { Int($0) }, lines[1].split(separator: " ").compactMap { Int($0) })
    }

    static func noisy(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: (i % 37) * 5 + Int(state >> 60))
        }
    }

    @Test(arguments: [1, 3, 4]) func pngDecodesWithPythonToTheSamePixels(channels: Int) throws {
        let image = RenderedImage(width: 37, height: 23, channels: channels, samples: Self.noisy(37 * 23 * channels, seed: UInt64(channels)))
        let png = try PNGEncoder.encode(image)
        let decoded = try #require(Self.decodeWithPython(png), "python3 could not decode our PNG")
        #expect(decoded.header == [37, 23, channels, 8])
        #expect(decoded.samples == image.samples.map(Int.init))
    }

    @Test func sixteenBitPNGDecodesWithPython() throws {
        let samples: [UInt16] = (0..<(19 * 7)).map { UInt16(truncatingIfNeeded: $0 &* 977) }
        let png = try PNGEncoder.encodeGray16(samples, width: 19, height: 7)
        let decoded = try #require(Self.decodeWithPython(png))
        #expect(decoded.header == [19, 7, 1, 16])
        #expect(decoded.samples == samples.map(Int.init))
    }

    @Test(arguments: [1, 4]) func jpegDecodesWithDjpegCloseToTheInput(channels: Int) throws {
        var pixels: [UInt8] = []
        for y in 0..<45 { for x in 0..<61 { for c in 0..<channels { pixels.append(c == 3 ? 255 : UInt8((x * 4 + y * 2 + c * 40) % 256 / 2 + 60)) } } }
        let image = RenderedImage(width: 61, height: 45, channels: channels, samples: pixels)
        let jpeg = try JPEGEncoder.encode(image, quality: 95)
        #expect(Array(jpeg.prefix(2)) == [0xFF, 0xD8] && Array(jpeg.suffix(2)) == [0xFF, 0xD9])
        guard let ppm = Support.run("djpeg", ["-pnm"], input: Data(jpeg)) else {
            Issue.record("djpeg (libjpeg-turbo-progs) is missing or rejected our JPEG")
            return
        }
        let bytes = [UInt8](ppm)
        let expectedChannels = channels == 1 ? 1 : 3
        let header = "P\(channels == 1 ? 5 : 6)\n61 45\n255\n"
        #expect(Array(bytes.prefix(header.utf8.count)) == Array(header.utf8))
        let decoded = bytes.dropFirst(header.utf8.count)
        let reference = pixels.enumerated().filter { channels == 1 || $0.offset % 4 != 3 }.map(\.element)
        #expect(decoded.count == 61 * 45 * expectedChannels)
        var sum = 0.0
        for (a, b) in zip(decoded, reference) { let d = Double(Int(a) - Int(b)); sum += d * d }
        let mse = sum / Double(reference.count)
        #expect(mse < 10, "mean squared error \(mse) (PSNR ≥ 38 dB expected at quality 95)")
    }
}
