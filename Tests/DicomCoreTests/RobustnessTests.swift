import Foundation
import Testing
@testable import DicomCore

@Suite struct RobustnessTests {
    /// Every prefix of a real file up to its pixel data, then every 97th: each either fails with a typed error or
    /// yields elements that the full file also has, in the same order — nothing is invented, nothing crashes.
    @Test(arguments: ["CT_small.dcm", "rtplan.dcm", "MR_small_implicit.dcm", "image_dfl.dcm", "MR_small_bigendian.dcm", "nested_priv_SQ.dcm"])
    func everyTruncatedPrefixFailsCleanly(name: String) throws {
        let bytes = TestCorpus.bytes(TestCorpus.path(name))
        let full = try DicomFile(bytes: bytes)
        let fullTags = full.dataSet.elements.map(\.tag)
        let pixelStart = bytes.count - (full.dataSet[.pixelData]?.valueLength ?? 0)
        var length = 0
        var failures = 0
        while length < bytes.count {
            let result = DicomFile.readPartial(bytes: Array(bytes[0..<length]))
            if let error = result.error {
                failures += 1
                #expect(error.offset.map { $0 <= length } ?? true, "offset beyond input at prefix \(length)")
            }
            if let file = result.file {
                let tags = file.dataSet.elements.map(\.tag)
                #expect(Array(fullTags.prefix(tags.count)) == tags, "prefix \(length) invented or reordered elements")
            }
            length += length < pixelStart ? 1 : 97
        }
        #expect(failures > 0)
    }

    @Test func lengthLargerThanInputIsRejectedWithoutAllocating() {
        // (0010,0010) PN with a 16-bit length of 0xFFF0 in a 12-byte input.
        let bytes: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0xF0, 0xFF, 0x41, 0x42, 0x43, 0x44]
        let result = DicomFile.readPartial(bytes: bytes)
        #expect(result.error?.code == .lengthExceedsInput)
        #expect(result.error?.offset == 0)
    }

    @Test func deeplyNestedSequencesHitTheDepthLimit() {
        // Implicit VR: (0008,1115) Referenced Series Sequence nested 100 times, undefined lengths.
        var bytes: [UInt8] = []
        for _ in 0..<100 { bytes += [0x08, 0x00, 0x15, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF] }
        let result = DicomFile.readPartial(bytes: bytes)
        #expect(result.error?.code == .nestingTooDeep)
    }

    @Test func elementCountLimitStopsFloods() {
        var bytes: [UInt8] = []
        for i in 0..<200 { bytes += [0x09, 0x00, UInt8(i & 0xFF), 0x10 + UInt8(i >> 8), 0x00, 0x00, 0x00, 0x00] }
        var options = ParseOptions()
        options.maximumElementCount = 100
        let result = DicomFile.readPartial(bytes: bytes, options: options)
        #expect(result.error?.code == .tooManyElements)
        #expect(result.file?.dataSet.count == 100)
    }

    @Test func garbageIsNotMistakenForDicom() {
        let result = DicomFile.readPartial(bytes: Array("hello".utf8))
        #expect(result.error?.code == .readPreamble)
    }

    @Test func invalidExplicitVRIsATypedError() {
        // Explicit VR little endian meta says explicit; the second element's VR bytes are "??".
        var bytes: [UInt8] = [0x08, 0x00, 0x16, 0x00, 0x55, 0x49, 0x02, 0x00, 0x31, 0x00]
        bytes += [0x08, 0x00, 0x18, 0x00, 0x3F, 0x3F, 0x02, 0x00, 0x31, 0x00]
        let result = DicomFile.readPartial(bytes: bytes)
        #expect(result.error?.code == .invalidVR)
        #expect(result.file?.dataSet.count == 1)
    }

    @Test func deflateBombIsBounded() throws {
        var ds = DataSet()
        ds.set(DataElement(tag: Tag(0x0009, 0x1010), vr: .OB, bytes: [UInt8](repeating: 0, count: 1 << 20)))
        let file = DicomFile(dataSet: ds, transferSyntax: .deflatedExplicitVRLittleEndian)
        let bytes = try file.encoded()
        var options = ParseOptions()
        options.maximumInflatedSize = 1 << 16
        let result = DicomFile.readPartial(bytes: bytes, options: options)
        #expect(result.error?.code == .inflateFailed)
    }

    @Test func truncatedCorpusFilesKeepWhatWasRead() throws {
        let result = DicomFile.readPartial(contentsOf: TestCorpus.path("rtplan_truncated.dcm"))
        #expect(result.error?.code == .lengthExceedsInput)
        #expect((result.file?.dataSet.count ?? 0) > 10)
        let mr = DicomFile.readPartial(contentsOf: TestCorpus.path("MR_truncated.dcm"))
        #expect(mr.error?.code == .lengthExceedsInput)
        #expect(mr.file?.dataSet.string(.patientName) != nil)
    }
}

@Suite struct ElementOrderTests {
    @Test func outOfOrderElementsAreSortedAndTheLastDuplicateWins() throws {
        // Implicit VR LE: (0010,0020) "B", (0010,0010) "A", (0010,0020) "C".
        func element(_ e: UInt8, _ v: UInt8) -> [UInt8] { [0x10, 0x00, e, 0x00, 0x02, 0x00, 0x00, 0x00, v, 0x20] }
        let bytes = element(0x20, 0x42) + element(0x10, 0x41) + element(0x20, 0x43)
        let file = try DicomFile(bytes: bytes)
        #expect(file.dataSet.elements.map(\.tag) == [.patientName, .patientID])
        #expect(file.dataSet.string(.patientID) == "C")
    }

    /// Descending tags used to be inserted one by one; 200k of them must not take quadratic time (no timing asserted:
    /// with insertion this test ran for minutes).
    @Test func manyDescendingTagsParse() throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(200_000 * 8)
        for i in (0..<200_000).reversed() {
            let group = UInt16(0x0009 + 2 * (i >> 16)), element = UInt16(truncatingIfNeeded: i)
            bytes += [UInt8(group & 0xFF), UInt8(group >> 8), UInt8(element & 0xFF), UInt8(element >> 8), 0, 0, 0, 0]
        }
        let file = try DicomFile(bytes: bytes)
        #expect(file.dataSet.count == 200_000)
        #expect(file.dataSet.elements.first?.tag == Tag(0x0009, 0x0000))
    }
}

@Suite struct FuzzRegressionTests {
    /// Inputs the fuzzer or a review found troublesome, kept under Fixtures/fuzz: each must read or fail cleanly.
    @Test func savedFuzzInputsReadOrFailCleanly() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = TestCorpus.bytes(folder.appendingPathComponent(name).path)
            let result = DicomFile.readPartial(bytes: bytes)
            if let file = result.file, result.error == nil {
                #expect(throws: Never.self) { try DicomFile(bytes: try file.encoded(as: .explicitVRLittleEndian)) }
            }
        }
    }
}
