import Testing
@testable import DicomCore

@Suite struct PrivateDictionaryTests {
    @Test func agfaIdentificationCodeIsSHAsPydicomReadsIt() throws {
        // pydicom 3.0.2: private_dictionaries["AGFA"]["0019xx10"] == ("SH", "1", "Private Identification Code", "")
        let entry = try #require(PrivateDictionary.entry(creator: "AGFA", tag: Tag(0x0019, 0x1010)))
        #expect(entry.tag == Tag(0x0019, 0x1010))
        #expect(entry.vr == .SH)
        #expect(entry.alternativeVRs.isEmpty)
        #expect(entry.vm == "1")
        #expect(entry.name == "Private Identification Code")
        #expect(entry.keyword.isEmpty)
        #expect(!entry.isRetired)
    }

    @Test func gemsEntryMatchesInAnyBlockAndCarriesTheActualTag() throws {
        let block10 = try #require(PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019, 0x1023)))
        #expect(block10.name == "Table Speed [mm/rotation]")
        #expect(block10.vr == .DS)
        let block42 = try #require(PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019, 0x4223)))
        #expect(block42.tag == Tag(0x0019, 0x4223))
        #expect(block42.name == block10.name)
        // Same creator and low byte, other group: not this element.
        #expect(PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0021, 0x1023)) == nil)
    }

    @Test func unknownCreatorOrElementIsNil() {
        #expect(PrivateDictionary.entry(creator: "NO SUCH CREATOR", tag: Tag(0x0019, 0x1010)) == nil)
        #expect(PrivateDictionary.entry(creator: "", tag: Tag(0x0019, 0x1010)) == nil)
        #expect(PrivateDictionary.entry(creator: "AGFA", tag: Tag(0x0019, 0x10FE)) == nil)
    }

    @Test func creatorMatchesExactlyExceptTrailingSpaces() {
        #expect(PrivateDictionary.entry(creator: "AGFA ", tag: Tag(0x0019, 0x1010))?.vr == .SH)
        #expect(PrivateDictionary.entry(creator: "AGFA   ", tag: Tag(0x0019, 0x1010))?.vr == .SH)
        #expect(PrivateDictionary.entry(creator: "agfa", tag: Tag(0x0019, 0x1010)) == nil)
        #expect(PrivateDictionary.entry(creator: " AGFA", tag: Tag(0x0019, 0x1010)) == nil)
        // GDCM has both spellings, with different data.
        #expect(PrivateDictionary.entry(creator: "SPI RELEASE 1", tag: Tag(0x0011, 0x1020))?.vr == .CS)
        #expect(PrivateDictionary.entry(creator: "SPI Release 1", tag: Tag(0x0011, 0x1020))?.vr == .LO)
    }

    @Test func elementsNoCreatorReservesAreNil() {
        // (0019,0010) is the Private Creator itself and (0019,0023) is reserved (PS3.5 §7.8.1).
        #expect(PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019, 0x0010)) == nil)
        #expect(PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019, 0x0023)) == nil)
    }

    @Test func tagListedWithoutBlockMatchesAnyBlock() throws {
        // GDCM lists Canon's TOSHIBA_MEC_MR3^10 tags as (0009,0002) and so on.
        let entry = try #require(PrivateDictionary.entry(creator: "TOSHIBA_MEC_MR3^10", tag: Tag(0x0009, 0x1002)))
        #expect(entry.vr == .SH)
        #expect(entry.tag == Tag(0x0009, 0x1002))
    }

    @Test func blockSpecificEntryWinsInItsBlockOnly() {
        // ELSCINT1 lists (01F1,1004) apart from (01F1,xx04); pydicom tries the exact tag first.
        #expect(PrivateDictionary.entry(creator: "ELSCINT1", tag: Tag(0x01F1, 0x1004))?.name == "Angular Sampling")
        #expect(PrivateDictionary.entry(creator: "ELSCINT1", tag: Tag(0x01F1, 0x1104))?.name == "Angular Sampling Density")
    }

    @Test func repeatingGroupMaskMatchesAnyGroupWithItsHighByte() throws {
        let entry = try #require(PrivateDictionary.entry(creator: "PAPYRUS 3.0", tag: Tag(0x6001, 0x1010)))
        #expect(entry.name == "Overlay Rows")
        #expect(entry.vr == .US)
        #expect(PrivateDictionary.entry(creator: "PAPYRUS 3.0", tag: Tag(0x6031, 0x1110))?.name == "Overlay Rows")
        #expect(PrivateDictionary.entry(creator: "DLX_ANNOT_01", tag: Tag(0x7001, 0x1004))?.vr == .ST)
        #expect(PrivateDictionary.entry(creator: "PAPYRUS 3.0", tag: Tag(0x6101, 0x1010)) == nil)
    }

    @Test func multipleVRsSplitLikeTheStandardDictionary() throws {
        let rawData = try #require(PrivateDictionary.entry(creator: "FDMS 1.0", tag: Tag(0x0027, 0x10A3)))
        #expect(rawData.allowedVRs == [.US, .SS])
        // GDCM writes this one "OB_OW".
        let original = try #require(PrivateDictionary.entry(creator: "TOSHIBA_MEC_OT3", tag: Tag(0x7019, 0x1080)))
        #expect(original.allowedVRs == [.OB, .OW])
    }

    @Test func tableHasMoreThan10000Entries() {
        let table = PrivateDictionary.table
        #expect(table.count > 10000)
        #expect(table.byCreator.count == 448)   // 449 in pydicom; BioPri3D has only whole-block entries
        let indexed = table.byCreator.values.reduce(0) {
            $0 + $1.byTag.count + $1.byGroupElement.count + $1.byGroupHighElement.count
        }
        #expect(indexed == table.count, "every row is reachable by exactly one key")
        #expect(PrivateDictionary.source == "GDCM via pydicom 3.0.2")
    }
}
