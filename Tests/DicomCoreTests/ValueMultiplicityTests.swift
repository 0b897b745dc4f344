import Testing
@testable import DicomCore

@Suite struct ValueMultiplicityTests {
    @Test func notationsOfPS36Parse() throws {
        let one = try #require(ValueMultiplicity("1"))
        #expect(one.allows(1) && !one.allows(2) && !one.allows(0))
        let range = try #require(ValueMultiplicity("1-3"))
        #expect(range.allows(3) && !range.allows(4))
        let open = try #require(ValueMultiplicity("1-n"))
        #expect(open.allows(1000) && open.description == "1-n")
        let pairs = try #require(ValueMultiplicity("2-2n"))
        #expect(pairs.allows(4) && !pairs.allows(3) && pairs.description == "2-2n")
        #expect(ValueMultiplicity("n-1") == nil)
    }

    @Test func everyDictionaryMultiplicityParses() {
        for entry in DataDictionary.allEntries {
            #expect(ValueMultiplicity(entry.vm) != nil, "\(entry.tag) \(entry.vm)")
        }
    }
}
