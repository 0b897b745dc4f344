import Foundation
import Testing
@testable import DicomCore

@Suite struct JSONModelTests {
    @Test func valuesFollowTheJSONModel() throws {
        var ds = DataSet()
        try ds.setString("Wang^XiaoDong", for: .patientName)
        try ds.setStrings(["1.5", "-2e3", "+3"], for: Tag(0x0028, 0x0030), vr: .DS)
        try ds.setInts([512], for: .rows)
        try ds.setStrings(["A", "", "C"], for: .imageType)
        ds.set(DataElement(tag: Tag(0x0020, 0x5000), vr: .AT, bytes: [0x10, 0x00, 0x20, 0x00]))
        ds.set(DataElement(tag: Tag(0x0009, 0x1001), vr: .OB, bytes: [1, 2, 3, 4]))
        let json = DicomJSON.encode(ds)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]])
        #expect((object["00100010"]?["Value"] as? [[String: String]])?.first?["Alphabetic"] == "Wang^XiaoDong")
        #expect(object["00280030"]?["Value"] as? [Double] == [1.5, -2000, 3])
        #expect(object["00280010"]?["Value"] as? [Int] == [512])
        #expect((object["00080008"]?["Value"] as? [Any])?.count == 3)
        #expect(object["00205000"]?["Value"] as? [String] == ["00100020"])
        #expect(object["00091001"]?["InlineBinary"] as? String == "AQIDBA==")
        #expect(json.contains("\"Value\":[1.5,-2e3,3]"), "decimal strings keep their written precision")
    }

    @Test func jsonNumberRecognition() {
        for good in ["0", "-1", "1.5", "1e5", "1E-5", "2.5e+10"] { #expect(DicomJSON.isJSONNumber(Substring(good)), "\(good)") }
        for bad in ["01", "1.", ".5", "+1", "1e", "--1", "1.2.3", ""] { #expect(!DicomJSON.isJSONNumber(Substring(bad)), "\(bad)") }
        #expect(DicomJSON.jsonNumberLiteral(" 1.") == nil || DicomJSON.jsonNumberLiteral("1.") == "1")
        #expect(DicomJSON.jsonNumberLiteral(".5") == "0.5")
    }
}
