@testable import DicomCore
import Testing
@testable import ImagingKit

/// MIF1 (`FrameWireEncoder`): the planar payload stays as it was, and the packed one holds the same residuals.
/// The packed bytes are checked by a decoder written here from the format description, bit by bit, that turns
/// them back into the planar payload: same bytes, or the packing lost something.
@Suite struct FrameWireEncoderTests {
    /// A frame of `values` (raster order, colour interleaved), `bytes` wide each, little endian.
    static func frame(_ values: [Int], columns: Int, rows: Int, samples: Int = 1, bytes: Int, bitsStored: Int? = nil, signed: Bool) -> DecodedFrame {
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * bytes)
        for v in values { for k in 0..<bytes { raw.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        let descriptor = ImageDescriptor(rows: rows, columns: columns, samplesPerPixel: samples, bitsAllocated: 8 * bytes, bitsStored: bitsStored,
                                         isSigned: signed, photometricInterpretation: samples == 3 ? "RGB" : "MONOCHROME2")
        return DecodedFrame(bytes: raw, descriptor: descriptor)
    }

    /// The residuals the format describes, each in 0..<2^(8B): the value less the same channel's left neighbour,
    /// the pixel above for a row's first pixel, 0 for the very first; or the values themselves when not predicted.
    static func referenceResiduals(_ values: [Int], columns: Int, samples: Int, bytes b: Int, predicted: Bool) -> [Int] {
        let modulus = 1 << (8 * b)
        let stored = values.map { (($0 % modulus) + modulus) % modulus }
        return stored.indices.map { i in
            let x = (i / samples) % columns, y = i / (samples * columns)
            let p = x > 0 ? stored[i - samples] : (y > 0 ? stored[i - samples * columns] : 0)
            return predicted ? (stored[i] - p + modulus) % modulus : stored[i]
        }
    }

    /// The 16 header bytes from the format description.
    static func referenceHeader(columns: Int, rows: Int, samples: Int, bytes b: Int, flags: UInt8) -> [UInt8] {
        [0x4D, 0x49, 0x46, 0x31, UInt8(columns & 0xFF), UInt8(columns >> 8), UInt8(rows & 0xFF), UInt8(rows >> 8),
         UInt8(b), UInt8(samples), flags, 0, 0, 0, 0, 0]
    }

    /// The planar payload written from the format description: residuals from the left (the pixel above for a
    /// row's first pixel, 0 for the very first) modulo 2^(8B), in byte planes; or the values, little endian.
    static func referencePlanar(_ values: [Int], columns: Int, rows: Int, samples: Int, bytes b: Int, signed: Bool, predicted: Bool) -> [UInt8] {
        let n = values.count
        var payload = [UInt8](repeating: 0, count: n * b)
        for (i, r) in referenceResiduals(values, columns: columns, samples: samples, bytes: b, predicted: predicted).enumerated() {
            for k in 0..<b { payload[predicted ? k * n + i : b * i + k] = UInt8((r >> (8 * k)) & 0xFF) }
        }
        return referenceHeader(columns: columns, rows: rows, samples: samples, bytes: b, flags: (signed ? 1 : 0) | (predicted ? 2 : 0)) + payload
    }

    /// The packed payload written from the format description, one bit at a time: residuals read as 8B-bit two's
    /// complement, zigzag-mapped, in blocks of 16 (the last holds the rest), each a width byte (the bit width of its
    /// largest value) and then its values in that many bits, least significant first, padded to a whole byte.
    static func referencePacked(_ values: [Int], columns: Int, rows: Int, samples: Int, bytes b: Int, signed: Bool) -> [UInt8] {
        let modulus = 1 << (8 * b)
        let z = referenceResiduals(values, columns: columns, samples: samples, bytes: b, predicted: true).map { r in
            let twos = r >= modulus / 2 ? r - modulus : r
            return twos >= 0 ? 2 * twos : -2 * twos - 1
        }
        var out = referenceHeader(columns: columns, rows: rows, samples: samples, bytes: b, flags: (signed ? 1 : 0) | 2 | 4)
        for start in stride(from: 0, to: z.count, by: 16) {
            let block = z[start..<min(start + 16, z.count)]
            var w = 0
            while (1 << w) <= block.max()! { w += 1 }
            out.append(UInt8(w))
            var bits: [Int] = []
            for v in block { for k in 0..<w { bits.append((v >> k) & 1) } }
            while bits.count % 8 != 0 { bits.append(0) }
            for m in 0..<bits.count / 8 { out.append(UInt8((0..<8).reduce(0) { $0 | bits[8 * m + $1] << $1 })) }
        }
        return out
    }

    /// The test's packed decoder: each block's width byte, then its values bit by bit (LSB first), zigzag undone,
    /// written back as byte planes under the header without the packed flag. Throws on anything malformed.
    static func unpackToPlanar(_ packed: [UInt8]) throws -> [UInt8] {
        guard packed.count >= 16, packed[10] & 6 == 6 else { throw WireFailure("not a packed MIF1 frame") }
        let columns = Int(packed[4]) | Int(packed[5]) << 8, rows = Int(packed[6]) | Int(packed[7]) << 8
        let b = Int(packed[8]), n = columns * rows * Int(packed[9])
        var header = Array(packed[0..<16])
        header[10] &= ~4
        var planes = [UInt8](repeating: 0, count: n * b)
        var at = 16, i = 0
        while i < n {
            guard at < packed.count else { throw WireFailure("no width byte for value \(i)") }
            let w = Int(packed[at]), count = min(16, n - i)
            at += 1
            guard w <= 8 * b else { throw WireFailure("width \(w)") }
            for j in 0..<count {
                var z: UInt64 = 0
                for k in 0..<w {
                    let position = j * w + k
                    guard at + position / 8 < packed.count else { throw WireFailure("block cut short") }
                    z |= UInt64((packed[at + position / 8] >> (position % 8)) & 1) << k
                }
                let magnitude = z >> 1
                let r = z & 1 == 0 ? magnitude : (~magnitude) & ((1 << UInt64(8 * b)) - 1)
                for k in 0..<b { planes[k * n + i + j] = UInt8(truncatingIfNeeded: r >> UInt64(8 * k)) }
            }
            at += (count * w + 7) / 8
            i += count
        }
        guard at == packed.count else { throw WireFailure("\(packed.count - at) trailing bytes") }
        return header + planes
    }

    /// A deterministic generator of test values.
    struct Random {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Int((state >> 33) % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    /// Cases: (name, columns, rows, samples, bytes, signed, values).
    static func cases() -> [(String, Int, Int, Int, Int, Bool, [Int])] {
        var random = Random(state: 42)
        var out: [(String, Int, Int, Int, Int, Bool, [Int])] = []
        out.append(("flat 16-bit", 64, 32, 1, 2, true, [Int](repeating: -1000, count: 64 * 32)))
        out.append(("noisy signed 16-bit", 37, 29, 1, 2, true, (0..<37 * 29).map { _ in random.next(-32768...32767) }))
        out.append(("smooth signed 16-bit", 40, 40, 1, 2, true, (0..<1600).map { i in (i % 40) * 3 - 1000 + random.next(-2...2) }))
        out.append(("unsigned 16-bit extremes", 5, 5, 1, 2, false, (0..<25).map { $0 % 2 == 0 ? 0 : 65535 }))
        out.append(("unsigned 8-bit", 19, 11, 1, 1, false, (0..<19 * 11).map { _ in random.next(0...255) }))
        out.append(("signed 8-bit", 16, 16, 1, 1, true, (0..<256).map { _ in random.next(-128...127) }))
        out.append(("RGB 8-bit", 13, 7, 3, 1, false, (0..<13 * 7 * 3).map { i in (i % 3) * 80 + random.next(0...20) }))
        out.append(("RGB 16-bit", 9, 4, 3, 2, false, (0..<9 * 4 * 3).map { _ in random.next(0...4095) }))
        out.append(("1x1", 1, 1, 1, 2, true, [-1]))
        out.append(("one column", 1, 33, 1, 2, false, (0..<33).map { $0 * 1000 }))
        out.append(("32-bit", 6, 5, 1, 4, true, (0..<30).map { _ in random.next(-2_000_000_000...2_000_000_000) }))
        return out
    }

    @Test func thePlanarPayloadIsTheOneTheFormatDescribesUnchanged() throws {
        for (name, columns, rows, samples, b, signed, values) in Self.cases() {
            let frame = Self.frame(values, columns: columns, rows: rows, samples: samples, bytes: b, signed: signed)
            for predicted in [true, false] {
                #expect(try FrameWireEncoder.encode(frame, predicted: predicted)
                        == Self.referencePlanar(values, columns: columns, rows: rows, samples: samples, bytes: b, signed: signed, predicted: predicted),
                        "\(name) predicted \(predicted)")
            }
            #expect(try FrameWireEncoder.encode(frame) == FrameWireEncoder.encode(frame, predicted: true, packed: false), "\(name): packing is off by default")
        }
    }

    @Test func thePackedPayloadUnpacksToThePlanarOne() throws {
        for (name, columns, rows, samples, b, signed, values) in Self.cases() {
            let frame = Self.frame(values, columns: columns, rows: rows, samples: samples, bytes: b, signed: signed)
            let planar = try FrameWireEncoder.encode(frame)
            let packed = try FrameWireEncoder.encode(frame, packed: true)
            #expect(packed[10] == planar[10] | 4, "\(name)")
            #expect(try Self.unpackToPlanar(packed) == planar, "\(name)")
            let a = try FrameWireEncoder.decode(packed), p = try FrameWireEncoder.decode(planar)
            #expect(a.samples == p.samples && a.columns == p.columns && a.rows == p.rows && a.signed == p.signed, "\(name)")
        }
    }

    /// The values as the encoder must see them: the low Bits Stored of each, sign-extended when signed.
    static func storedValues(_ raw: [Int], bitsStored: Int, signed: Bool) -> [Int] {
        let modulus = 1 << bitsStored
        return raw.map { v in
            let x = ((v % modulus) + modulus) % modulus
            return signed && x >= modulus / 2 ? x - modulus : x
        }
    }

    /// A random frame for the property test: values of one of several kinds, all within B bytes (Bits Stored, when
    /// narrower, cuts them): noise over the whole range, extremes, smooth with noise, flat, or a walk whose step
    /// changes size every 16 values so that packed blocks take every width.
    static func randomValues(_ random: inout Random, count: Int, bytes b: Int, signed: Bool, kind: Int) -> [Int] {
        let bits = 8 * b
        let low = signed ? -(1 << (bits - 1)) : 0, high = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1
        func any() -> Int { b == 4 ? low + (random.next(0...0xFFFF) << 16 | random.next(0...0xFFFF)) : random.next(low...high) }
        switch kind {
        case 0: return (0..<count).map { _ in any() }
        case 1: return (0..<count).map { i in [low, high, 0, -1, 1, low + 1, high - 1][i % 2 == 0 ? i % 7 : random.next(0...6)] }
        case 2:
            let level = any()
            return (0..<count).map { i in min(high, max(low, level / 2 + (i % 97) * 3 + random.next(-3...3))) }
        case 3: return [Int](repeating: any(), count: count)
        default:
            var v = any(), step = 0
            return (0..<count).map { i in
                if i % 16 == 0 { step = (1 << random.next(0...(bits - 1))) - 1 }
                // Odd blocks lean down, even ones up: a step of 1 then gives residuals of 0 and −1 only (width 1).
                v = min(high, max(low, v + (i / 16 % 2 == 1 ? random.next(-step...(step / 2)) : random.next(-(step / 2)...step))))
                return v
            }
        }
    }

    /// Awkward frame shapes: single pixels, rows and columns, sizes that are not multiples of 16, and frames long
    /// enough to cross the encoder's internal chunks (682 RGB pixels make a row of 2046 values, whose third row's
    /// first pixel straddles value 4096).
    static let awkwardShapes = [(1, 1), (1, 37), (37, 1), (17, 3), (16, 16), (33, 2), (31, 17), (5, 200), (682, 4), (100, 47), (1, 2100), (2049, 1)]

    @Test func randomFramesOfEveryShapeAndDepthEncodeAsTheFormatDescribes() throws {
        var random = Random(state: 7)
        var widths = Set<Int>()
        var kind = 0
        for (columns, rows) in Self.awkwardShapes {
            for b in [1, 2, 4] {
                for samples in [1, 3] {
                    kind += 1
                    let signed = random.next(0...1) == 1
                    let bitsStored = b < 4 && random.next(0...2) == 0 ? random.next(1...(8 * b - 1)) : 8 * b
                    let raw = Self.randomValues(&random, count: columns * rows * samples, bytes: b, signed: signed, kind: kind % 5)
                    let stored = Self.storedValues(raw, bitsStored: bitsStored, signed: signed)
                    let name = "\(columns)x\(rows)x\(samples) \(8 * b)-bit (\(bitsStored) stored) \(signed ? "signed" : "unsigned") kind \(kind % 5)"
                    let frame = Self.frame(raw, columns: columns, rows: rows, samples: samples, bytes: b, bitsStored: bitsStored, signed: signed)
                    let packed = try FrameWireEncoder.encode(frame, packed: true)
                    let expected = Self.referencePacked(stored, columns: columns, rows: rows, samples: samples, bytes: b, signed: signed)
                    #expect(packed == expected, "\(name): packed")
                    for predicted in [true, false] {
                        #expect(try FrameWireEncoder.encode(frame, predicted: predicted)
                                == Self.referencePlanar(stored, columns: columns, rows: rows, samples: samples, bytes: b, signed: signed, predicted: predicted),
                                "\(name): predicted \(predicted)")
                    }
                    let decoded = try FrameWireEncoder.decode(packed)
                    let modulus = 1 << (8 * b)
                    let samplesLE = stored.flatMap { v in (0..<b).map { k in UInt8((((v % modulus) + modulus) % modulus) >> (8 * k) & 0xFF) } }
                    #expect(decoded.samples == samplesLE && decoded.columns == columns && decoded.rows == rows && decoded.signed == signed, "\(name): decode")
                    if b == 2 { widths.formUnion(Self.blockWidths(expected)) }
                }
            }
        }
        // The cases are only worth something if 16-bit blocks took every width from 0 to 16.
        #expect(widths == Set(0...16))
    }

    /// The width byte of every block of a packed frame.
    static func blockWidths(_ packed: [UInt8]) -> [Int] {
        let n = (Int(packed[4]) | Int(packed[5]) << 8) * (Int(packed[6]) | Int(packed[7]) << 8) * Int(packed[9])
        var at = 16, out: [Int] = []
        for start in stride(from: 0, to: n, by: 16) {
            let w = Int(packed[at])
            out.append(w)
            at += 1 + (min(16, n - start) * w + 7) / 8
        }
        return out
    }

    @Test func aFlatRegionCostsOneBytePerSixteenValues() throws {
        let frame = Self.frame([Int](repeating: -1000, count: 64 * 32), columns: 64, rows: 32, bytes: 2, signed: true)
        let packed = try FrameWireEncoder.encode(frame, packed: true)
        // zigzag(-1000) = 1999, 11 bits: the first block is 1 + 22 bytes, the other 127 blocks are w = 0.
        #expect(packed.count == 16 + 23 + 127)
        #expect(packed[16] == 11)
        #expect(packed[(16 + 23)...].allSatisfy { $0 == 0 })
        #expect(try FrameWireEncoder.decode(packed).samples == frame.bytes)
    }

    @Test func aHandComputedBlockHasItsValuesLeastSignificantBitFirst() throws {
        // [0, 1, 3, 2]: residuals 0, 1, 2, -1, zigzag 0, 2, 4, 1 in 3 bits: 000 010 100 001 -> 0x10, 0x03.
        let packed = try FrameWireEncoder.encode(Self.frame([0, 1, 3, 2], columns: 4, rows: 1, bytes: 1, signed: false), packed: true)
        #expect(Array(packed[16...]) == [3, 0x10, 0x03])
        // Bits Stored 12, signed: the value is sign-extended before prediction, as in the planar payload.
        let twelve = Self.frame([0x0FFF, 0x0800], columns: 2, rows: 1, bytes: 2, bitsStored: 12, signed: true)
        #expect(try FrameWireEncoder.decode(FrameWireEncoder.encode(twelve, packed: true)).samples == [0xFF, 0xFF, 0x00, 0xF8])
    }

    @Test func packingWithoutPredictionIsRefused() {
        let frame = Self.frame([1, 2], columns: 2, rows: 1, bytes: 1, signed: false)
        #expect(throws: ImagingError.self) { try FrameWireEncoder.encode(frame, predicted: false, packed: true) }
    }

    @Test func malformedPackedFramesAreRejected() throws {
        let frame = Self.frame((0..<50).map { $0 * 7 - 100 }, columns: 10, rows: 5, bytes: 2, signed: true)
        let packed = try FrameWireEncoder.encode(frame, packed: true)
        for length in 16..<packed.count {
            #expect(throws: ImagingError.self, "prefix of \(length)") { try FrameWireEncoder.decode(Array(packed[0..<length])) }
        }
        #expect(throws: ImagingError.self) { try FrameWireEncoder.decode(packed + [0]) }
        var wide = packed
        wide[16] = 17
        #expect(throws: ImagingError.self) { try FrameWireEncoder.decode(wide) }
        var huge = packed   // 65535x65535 RGB claimed over a few bytes: refused before it is allocated
        huge[4] = 0xFF; huge[5] = 0xFF; huge[6] = 0xFF; huge[7] = 0xFF; huge[9] = 3
        #expect(throws: ImagingError.self) { try FrameWireEncoder.decode(huge) }
        var unpredicted = packed
        unpredicted[10] &= ~2
        #expect(throws: ImagingError.self) { try FrameWireEncoder.decode(unpredicted) }
    }
}

/// A malformed frame met by the test's own decoder.
private struct WireFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
