import DicomCore
import Foundation
@testable import PlatformServices

/// Small DICOM objects made in the test, with exactly the attributes a test needs.
struct TestInstance {
    var studyUID = UIDGenerator.make()
    var seriesUID = UIDGenerator.make()
    var sopUID = UIDGenerator.make()
    var sopClassUID = "1.2.840.10008.5.1.4.1.1.2"   // CT Image Storage
    var patientID = "P1"
    var patientName = "Zhang^San=张^三"
    var characterSet: SpecificCharacterSet = .utf8
    var accessionNumber = "A1"
    var studyDate = "20261115"
    var studyTime = "083000"
    var modality = "CT"
    var institution = "Demo General Hospital"
    var department = ""
    var instanceNumber = 1
    var rows = 4
    var columns = 4
    var pixels: [Int16]? = nil
    var pdf: [UInt8]? = nil

    /// The Part 10 bytes (explicit VR little endian).
    func bytes() throws -> [UInt8] {
        var d = DataSet(characterSet: characterSet)
        if !characterSet.terms.isEmpty { try d.setStrings(characterSet.terms, for: .specificCharacterSet) }
        try d.setString(sopClassUID, for: .sopClassUID)
        try d.setString(sopUID, for: .sopInstanceUID)
        try d.setString(studyDate, for: .studyDate)
        try d.setString(studyTime, for: .studyTime)
        try d.setString(accessionNumber, for: .accessionNumber)
        try d.setString(modality, for: .modality)
        try d.setString(institution, for: Tag(0x0008, 0x0080))
        if !department.isEmpty { try d.setString(department, for: Tag(0x0008, 0x1040)) }
        try d.setString("Chest", for: .studyDescription)
        try d.setString(patientName, for: .patientName)
        try d.setString(patientID, for: .patientID)
        try d.setString("19800101", for: .patientBirthDate)
        try d.setString("M", for: .patientSex)
        try d.setString(studyUID, for: .studyInstanceUID)
        try d.setString(seriesUID, for: .seriesInstanceUID)
        try d.setInts([1], for: .seriesNumber)
        try d.setInts([instanceNumber], for: .instanceNumber)
        if let pdf {
            try d.setString("Report", for: Tag(0x0042, 0x0010))
            try d.setString("application/pdf", for: Tag(0x0042, 0x0012))
            d.set(DataElement(tag: Tag(0x0042, 0x0011), vr: .OB, bytes: pdf.count % 2 == 0 ? pdf : pdf + [0]))
        } else {
            try d.setInts([1], for: .samplesPerPixel)
            try d.setString("MONOCHROME2", for: .photometricInterpretation)
            try d.setInts([rows], for: .rows)
            try d.setInts([columns], for: .columns)
            try d.setInts([16], for: .bitsAllocated)
            try d.setInts([12], for: .bitsStored)
            try d.setInts([11], for: .highBit)
            try d.setInts([1], for: .pixelRepresentation)
            try d.setStrings(["0.7", "0.7"], for: Tag(0x0028, 0x0030))
            try d.setString("-1024", for: Tag(0x0028, 0x1052))
            try d.setString("1", for: Tag(0x0028, 0x1053))
            try d.setStrings(["40", "-600"], for: Tag(0x0028, 0x1050))
            try d.setStrings(["400", "1500"], for: Tag(0x0028, 0x1051))
            let values = pixels ?? (0..<(rows * columns)).map { Int16($0 * 10 - 50) }
            let raw = values.flatMap { v -> [UInt8] in let u = UInt16(bitPattern: v); return [UInt8(u & 0xFF), UInt8(u >> 8)] }
            d.set(DataElement(tag: .pixelData, vr: .OW, bytes: raw))
        }
        return try DicomFile(dataSet: d, transferSyntax: .explicitVRLittleEndian).encoded()
    }
}

/// A one-page PDF good enough to be stored and counted.
let minimalPDF: [UInt8] = Array("""
%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF

""".utf8)
