import DicomCore
import Foundation
import Testing
@testable import ImagingKit

/// Helpers: synthetic frames and files, and the independent oracles tests compare with.
enum Support {
    /// The PS3.3 §C.11.2.1.2.1 LINEAR function written out again, independently of `Window`, for 8-bit output.
    static func linear(_ x: Double, c: Double, w: Double) -> UInt8 {
        let y: Double
        if x <= c - 0.5 - (w - 1) / 2 { y = 0 } else if x > c - 0.5 + (w - 1) / 2 { y = 255 } else { y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255 }
        return UInt8(y.rounded())
    }

    /// §C.11.2.1.3.2 LINEAR_EXACT.
    static func linearExact(_ x: Double, c: Double, w: Double) -> UInt8 {
        let y: Double
        if x <= c - w / 2 { y = 0 } else if x > c + w / 2 { y = 255 } else { y = ((x - c) / w + 0.5) * 255 }
        return UInt8(y.rounded())
    }

    /// §C.11.2.1.3.1 SIGMOID.
    static func sigmoid(_ x: Double, c: Double, w: Double) -> UInt8 {
        UInt8((255 / (1 + Foundation.exp(-4 * (x - c) / w))).rounded())
    }

    /// A one-row monochrome frame of the given stored values.
    static func frame(_ values: [Int32], bits: Int, signed: Bool, photometric: String = "MONOCHROME2") -> StoredFrame {
        StoredFrame(raster: Raster(width: values.count, height: 1, samples: values), bitsStored: bits, isSigned: signed, photometricInterpretation: photometric)
    }

    /// A CT data set of `size`×`size` 16-bit signed pixels, Rescale Intercept −1024, with the given HU per pixel.
    static func ctPhantom(size: Int, spacing: (Double, Double) = (0.5, 0.5), hu: (Int, Int) -> Int) throws -> DataSet {
        var ds = DataSet()
        try ds.setString("CT", for: .modality)
        try ds.setInt(size, for: .rows)
        try ds.setInt(size, for: .columns)
        try ds.setInt(1, for: .samplesPerPixel)
        try ds.setString("MONOCHROME2", for: .photometricInterpretation)
        try ds.setInt(16, for: .bitsAllocated)
        try ds.setInt(12, for: .bitsStored)
        try ds.setInt(11, for: .highBit)
        try ds.setInt(1, for: .pixelRepresentation)
        try ds.setStrings(["\(spacing.0)", "\(spacing.1)"], for: Tag(0x0028, 0x0030), vr: .DS)
        try ds.setString("-1024", for: Tag(0x0028, 0x1052), vr: .DS)
        try ds.setString("1", for: Tag(0x0028, 0x1053), vr: .DS)
        var bytes: [UInt8] = []
        for y in 0..<size {
            for x in 0..<size {
                let stored = UInt16(bitPattern: Int16(hu(x, y) + 1024))
                bytes += [UInt8(stored & 0xFF), UInt8(stored >> 8)]
            }
        }
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: bytes))
        return ds
    }

    /// Writes a data set to a temporary file and reads it back, as the CLI and the server do.
    static func roundTrip(_ ds: DataSet) throws -> DicomFile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("imagingkit-\(UUID().uuidString).dcm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
        return try DicomFile.read(contentsOf: path)
    }

    /// Runs a tool and returns its standard output, or nil when it is not installed or fails.
    static func run(_ tool: String, _ args: [String], input: Data? = nil) -> Data? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = inp
        do { try p.run() } catch { return nil }
        if let input { inp.fileHandleForWriting.write(input) }
        try? inp.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? data : nil
    }
}
