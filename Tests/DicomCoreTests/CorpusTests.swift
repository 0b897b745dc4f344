import Foundation
import Testing
@testable import DicomCore

@Suite struct CorpusTests {
    /// Files of the pydicom corpus that must fail, with the error their name (or content) implies.
    static let expectedFailures: [String: DicomError.Code] = [
        "MR_truncated.dcm": .lengthExceedsInput,        // Pixel Data cut short
        "rtplan_truncated.dcm": .lengthExceedsInput,    // a sequence cut short
        "no_meta.dcm": .lengthExceedsInput,             // a stray byte before the first tag; DCMTK rejects it too
    ]

    /// Every file parses, or fails with the typed error its name implies, keeping what it read before the failure.
    @Test func everyCorpusFileParsesOrFailsAsItsNameImplies() {
        let files = TestCorpus.allFiles()
        #expect(files.count > 90)
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let result = DicomFile.readPartial(contentsOf: path)
            if let expected = CorpusTests.expectedFailures[name] {
                #expect(result.error?.code == expected, "\(name): \(String(describing: result.error))")
            } else {
                #expect(result.error == nil, "\(name): \(String(describing: result.error))")
                #expect((result.file?.dataSet.count ?? 0) > 0, "\(name) read no elements")
            }
        }
    }

    /// A header-only read gives exactly the elements before Pixel Data that a full read gives.
    @Test func headerOnlyReadsAgreeWithFullReads() throws {
        for path in TestCorpus.allFiles() {
            let name = URL(fileURLWithPath: path).lastPathComponent
            guard CorpusTests.expectedFailures[name] == nil else { continue }
            let full = try DicomFile.read(contentsOf: path)
            let header = try DicomFile.read(contentsOf: path, upTo: .pixelData)
            let expected = DataSet(full.dataSet.elements.filter { $0.tag < .pixelData })
            #expect(DataSetComparison.differences(expected, header.dataSet, comparingVRs: true).isEmpty, "\(name)")
        }
    }
}
