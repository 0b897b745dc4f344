import Testing
@testable import DicomCore

@Suite struct DataDictionaryTests {
    @Test func patientNameIsPNAndCurrent() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0010, 0x0010)))
        #expect(entry.tag == .patientName)
        #expect(entry.vr == .PN)
        #expect(entry.alternativeVRs.isEmpty)
        #expect(entry.vm == "1")
        #expect(entry.name == "Patient's Name")
        #expect(entry.keyword == "PatientName")
        #expect(!entry.isRetired)
    }

    @Test func pixelDataIsOBWithOWAlternative() throws {
        let entry = try #require(DataDictionary.entry(for: .pixelData))
        #expect(entry.keyword == "PixelData")
        #expect(entry.vr == .OB)
        #expect(entry.alternativeVRs == [.OW])
        #expect(entry.allowedVRs == [.OB, .OW])
    }

    @Test func overlayDataInAnyOverlayGroupResolvesThroughMask() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x6002, 0x3000)))
        #expect(entry.keyword == "OverlayData")
        #expect(entry.tag == Tag(0x6000, 0x3000))
        #expect(entry.vr == .OB && entry.alternativeVRs == [.OW])
        #expect(DataDictionary.entry(for: Tag(0x601E, 0x0010))?.keyword == "OverlayRows")
        #expect(DataDictionary.entry(for: Tag(0x5004, 0x0005))?.keyword == "CurveDimensions")
        #expect(DataDictionary.entry(for: Tag(0x7F02, 0x0010))?.keyword == "VariablePixelData")
    }

    @Test func repeatingGroupsStayInTheirEvenRange() {
        // PS3.5 §7.6: overlay groups are the even groups 6000-601E; odd groups are private.
        #expect(DataDictionary.entry(for: Tag(0x6003, 0x3000)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x6020, 0x3000)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x5020, 0x0005)) == nil)
    }

    @Test func repeatingElementsResolveThroughMask() {
        #expect(DataDictionary.entry(for: Tag(0x0020, 0x3105))?.keyword == "SourceImageIDs")
        #expect(DataDictionary.entry(for: Tag(0x0028, 0x0430))?.keyword == "RowsForNthOrderCoefficients")
        #expect(DataDictionary.entry(for: Tag(0x1000, 0x0120))?.keyword == "EscapeTriplet")
        #expect(DataDictionary.entry(for: Tag(0x1000, 0x0125))?.keyword == "ShiftTableTriplet")
        #expect(DataDictionary.entry(for: Tag(0x1010, 0x1234))?.keyword == "ZonalMap")
    }

    @Test func repeatingEntryCarriesFirstTagThatResolvesToIt() {
        #expect(DataDictionary.entry(forKeyword: "OverlayData")?.tag == Tag(0x6000, 0x3000))
        // (0028,0400) is Transform Label and (1000,0000) is a group length, so the ranges start one step later.
        #expect(DataDictionary.entry(forKeyword: "RowsForNthOrderCoefficients")?.tag == Tag(0x0028, 0x0410))
        #expect(DataDictionary.entry(forKeyword: "EscapeTriplet")?.tag == Tag(0x1000, 0x0010))
        #expect(DataDictionary.entry(for: Tag(0x0028, 0x0400))?.keyword == "TransformLabel")
    }

    @Test func exactEntryWinsOverRepeatingMask() {
        // (7FE0,0010) also matches the retired (7Fxx,0010) Variable Pixel Data mask.
        #expect(DataDictionary.entry(for: Tag(0x7FE0, 0x0010))?.keyword == "PixelData")
    }

    @Test func smallestImagePixelValueIsUSOrSS() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0028, 0x0106)))
        #expect(entry.keyword == "SmallestImagePixelValue")
        #expect(entry.vr == .US)
        #expect(entry.alternativeVRs == [.SS])
    }

    @Test func threeWayVRKeepsPS3Order() throws {
        let entry = try #require(DataDictionary.entry(forKeyword: "GrayLookupTableData"))
        #expect(entry.vr == .US)
        #expect(entry.alternativeVRs == [.SS, .OW])
    }

    @Test func retiredTagIsFlagged() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0008, 0x0040)))
        #expect(entry.keyword == "DataSetType")
        #expect(entry.isRetired)
        #expect(DataDictionary.entry(for: Tag(0x0000, 0x0001))?.isRetired == true)
    }

    @Test func itemAndDelimitersHaveNoVR() throws {
        for tag in [Tag.item, .itemDelimitationItem, .sequenceDelimitationItem] {
            let entry = try #require(DataDictionary.entry(for: tag))
            #expect(!entry.hasVR)
            #expect(entry.vr == .UN)
        }
        #expect(DataDictionary.entry(for: .item)?.keyword == "Item")
        #expect(DataDictionary.entry(for: .pixelData)?.hasVR == true)
    }

    @Test func groupLengthOfAnyGroupIsUL() throws {
        let generic = try #require(DataDictionary.entry(for: Tag(0x0010, 0x0000)))
        #expect(generic.tag == Tag(0x0010, 0x0000))
        #expect(generic.vr == .UL && generic.vm == "1")
        #expect(generic.keyword == "GenericGroupLength")
        #expect(generic.name == "Group Length")
        #expect(DataDictionary.entry(for: Tag(0x6002, 0x0000))?.keyword == "GenericGroupLength")
        #expect(DataDictionary.entry(for: Tag(0x1010, 0x0000))?.keyword == "GenericGroupLength")
        #expect(DataDictionary.entry(for: Tag(0x0029, 0x0000))?.keyword == "PrivateGroupLength")
        // Group lengths PS3.6 and PS3.7 name keep their own entries.
        #expect(DataDictionary.entry(for: .fileMetaInformationGroupLength)?.keyword == "FileMetaInformationGroupLength")
        #expect(DataDictionary.entry(for: Tag(0x0000, 0x0000))?.keyword == "CommandGroupLength")
    }

    @Test func privateCreatorIsLOAndOtherPrivateTagsAreUnknown() throws {
        let creator = try #require(DataDictionary.entry(for: Tag(0x0029, 0x0010)))
        #expect(creator.tag == Tag(0x0029, 0x0010))
        #expect(creator.vr == .LO)
        #expect(creator.name == "Private Creator")
        #expect(DataDictionary.entry(for: Tag(0x0029, 0x00FF))?.vr == .LO)
        #expect(DataDictionary.entry(for: Tag(0x0029, 0x1010)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x0029, 0x0005)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x0008, 0x9999)) == nil)
    }

    @Test func everyKeywordRoundTrips() throws {
        var withKeyword = 0
        for entry in DataDictionary.allEntries where !entry.keyword.isEmpty {
            withKeyword += 1
            let found = try #require(DataDictionary.entry(forKeyword: entry.keyword))
            #expect(found == entry)
            #expect(DataDictionary.entry(for: found.tag) == entry, "\(entry.tag) \(entry.keyword)")
        }
        #expect(withKeyword > 4000)
    }

    @Test func dictionaryHasMoreThan4000SortedEntries() {
        #expect(DataDictionary.allEntries.count > 4000)
        let table = DataDictionary.table
        #expect(table.tags.count == table.entries.count)
        #expect(zip(table.tags, table.tags.dropFirst()).allSatisfy { $0 < $1 })
        #expect(table.repeaters.count > 80)
        #expect(DataDictionary.source == "pydicom 3.0.2")
    }

    @Test func unknownKeywordIsNil() {
        #expect(DataDictionary.entry(forKeyword: "NoSuchKeyword") == nil)
        #expect(DataDictionary.entry(forKeyword: "") == nil)
    }
}

@Suite struct UIDRegistryTests {
    @Test(arguments: [
        ("1.2.840.10008.1.2", "Implicit VR Little Endian", "ImplicitVRLittleEndian"),
        ("1.2.840.10008.1.2.1", "Explicit VR Little Endian", "ExplicitVRLittleEndian"),
        ("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", "DeflatedExplicitVRLittleEndian"),
        ("1.2.840.10008.1.2.2", "Explicit VR Big Endian", "ExplicitVRBigEndian"),
        ("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", "JPEGBaseline8Bit"),
        ("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", "JPEG2000Lossless"),
        ("1.2.840.10008.1.2.5", "RLE Lossless", "RLELossless"),
    ])
    func transferSyntaxResolvesWithItsName(uid: String, name: String, keyword: String) throws {
        let entry = try #require(UIDRegistry.entry(for: uid))
        #expect(entry.uid == uid)
        #expect(entry.name == name)
        #expect(entry.keyword == keyword)
        #expect(entry.type == .transferSyntax)
        #expect(UIDRegistry.entry(forKeyword: keyword) == entry)
    }

    @Test func explicitBigEndianIsRetired() {
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.2")?.isRetired == true)
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.1")?.isRetired == false)
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2")?.info == "Default Transfer Syntax for DICOM")
    }

    @Test func ctImageStorageResolves() throws {
        let entry = try #require(UIDRegistry.entry(for: "1.2.840.10008.5.1.4.1.1.2"))
        #expect(entry.name == "CT Image Storage")
        #expect(entry.keyword == "CTImageStorage")
        #expect(entry.type == .sopClass)
        #expect(entry.type == "SOP Class")
        #expect(!entry.isRetired)
    }

    @Test func paddedUIDResolves() {
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.1\0")?.keyword == "ExplicitVRLittleEndian")
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.1 ")?.keyword == "ExplicitVRLittleEndian")
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.1.") == nil)
        #expect(UIDRegistry.entry(for: "") == nil)
    }

    @Test func allOfTypeListsOnlyThatType() {
        let syntaxes = UIDRegistry.all(ofType: .transferSyntax)
        #expect(syntaxes.count > 40)
        #expect(syntaxes.allSatisfy { $0.type == .transferSyntax })
        #expect(syntaxes.contains { $0.uid == "1.2.840.10008.1.2.4.50" })
        #expect(UIDRegistry.all(ofType: .sopClass).count > 250)
        #expect(UIDRegistry.all(ofType: "No Such Type").isEmpty)
    }

    @Test func everyUIDAndKeywordRoundTrips() throws {
        #expect(UIDRegistry.allEntries.count > 400)
        for entry in UIDRegistry.allEntries {
            #expect(UIDRegistry.entry(for: entry.uid) == entry)
            #expect(!entry.name.isEmpty || entry.isRetired)
            if !entry.keyword.isEmpty {
                #expect(UIDRegistry.entry(forKeyword: entry.keyword) == entry)
            }
        }
    }
}
