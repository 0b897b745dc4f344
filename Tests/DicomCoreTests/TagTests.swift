import Testing
@testable import DicomCore

@Suite struct TagTests {
    @Test func tagsOrderByGroupThenElement() {
        #expect(Tag(0x0008, 0xFFFF) < Tag(0x0010, 0x0000))
        #expect(Tag(0x0010, 0x0010) < Tag(0x0010, 0x0020))
    }

    @Test func tagPrintsLikeDcmdump() {
        #expect(Tag(0x7FE0, 0x0010).description == "(7FE0,0010)")
        #expect(Tag(0x0010, 0x0010).jsonKey == "00100010")
    }

    @Test func privateCreatorOfPrivateElement() {
        #expect(Tag(0x0029, 0x1010).privateCreatorTag == Tag(0x0029, 0x0010))
        #expect(Tag(0x0029, 0x0010).isPrivateCreator)
        #expect(!Tag(0x0008, 0x0010).isPrivate)
    }

    @Test func everyVRRoundTripsThroughItsBytes() {
        #expect(VR.allCases.count == 34)
        for vr in VR.allCases {
            let (a, b) = vr.bytes
            #expect(VR(a, b) == vr)
        }
    }
}
