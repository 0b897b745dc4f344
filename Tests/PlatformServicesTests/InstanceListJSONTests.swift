import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// The series' instance list as the API sends it: written from the stored metadata text, it must say exactly what
/// encoding ``PlatformStore/instances(ofSeries:scope:)`` says.
@Suite struct InstanceListJSONTests {
    static func sortedJSON(_ page: Page<InstanceSummary>) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(page), as: UTF8.self)
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func thePageJSONSaysWhatTheDecodedInstancesSay(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            var image = TestInstance()
            image.instanceNumber = 2
            _ = try await store.ingest(bytes: try image.bytes(), source: "test")
            var first = image
            first.sopUID = UIDGenerator.make()
            first.instanceNumber = 1
            _ = try await store.ingest(bytes: try first.bytes(), source: "test")
            var document = image
            document.sopUID = UIDGenerator.make()
            document.sopClassUID = "1.2.840.10008.5.1.4.1.1.104.1"   // Encapsulated PDF: no image metadata
            document.pdf = Array("%PDF-1.4\n%%EOF\n".utf8)
            _ = try await store.ingest(bytes: try document.bytes(), source: "test")

            let expected = try await store.instances(ofSeries: image.seriesUID, scope: .all)
            #expect(expected.count == 3)
            #expect(expected.contains { $0.image == nil } && expected.contains { $0.image != nil })
            let json = try await store.instancesPageJSON(ofSeries: image.seriesUID, scope: .all)
            let decoded = try JSONDecoder().decode(Page<InstanceSummary>.self, from: Data(json))
            #expect(decoded.total == 3)
            #expect(decoded.items.map(\.sopInstanceUID) == expected.map(\.sopInstanceUID))
            #expect(try Self.sortedJSON(decoded) == (try Self.sortedJSON(Page(items: expected, total: expected.count))))
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func theFirstImageInstanceIsTheImageWithTheLowestNumberAndTheFirstListedOnATie(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            var document = TestInstance()
            document.instanceNumber = 0
            document.sopClassUID = "1.2.840.10008.5.1.4.1.1.104.1"   // Encapsulated PDF: no image, so never first
            document.pdf = Array("%PDF-1.4\n%%EOF\n".utf8)
            _ = try await store.ingest(bytes: try document.bytes(), source: "test")
            await #expect { try await store.firstImageInstance(ofSeries: document.seriesUID, scope: .all) } throws: { error in
                (error as? PlatformError)?.code == .notFound
            }
            var images: [TestInstance] = []
            for number in [5, 2, 9, 2] {
                var image = document
                image.sopUID = UIDGenerator.make()
                image.sopClassUID = "1.2.840.10008.5.1.4.1.1.2"
                image.pdf = nil
                image.instanceNumber = number
                images.append(image)
                _ = try await store.ingest(bytes: try image.bytes(), source: "test")
            }
            let listed = try await store.instances(ofSeries: document.seriesUID, scope: .all).filter { $0.image != nil }
            let expected = try #require(listed.first { $0.instanceNumber == 2 })
            let first = try await store.firstImageInstance(ofSeries: document.seriesUID, scope: .all)
            #expect(first.sopInstanceUID == expected.sopInstanceUID)
            #expect(first.seriesInstanceUID == document.seriesUID)
            await #expect { try await store.firstImageInstance(ofSeries: document.seriesUID, scope: .hospital("another")) } throws: { error in
                (error as? PlatformError)?.code == .notFound
            }
            await #expect { try await store.firstImageInstance(ofSeries: "1.2.3.4", scope: .all) } throws: { error in
                (error as? PlatformError)?.code == .notFound
            }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func anInvisibleOrUnknownSeriesIsNotFound(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            await #expect { try await store.instancesPageJSON(ofSeries: "1.2.3.4", scope: .all) } throws: { error in
                (error as? PlatformError)?.code == .notFound
            }
            let image = TestInstance()
            _ = try await store.ingest(bytes: try image.bytes(), source: "test")
            await #expect { try await store.instancesPageJSON(ofSeries: image.seriesUID, scope: .hospital("another")) } throws: { error in
                (error as? PlatformError)?.code == .notFound
            }
        }
    }

    @Test func stringsAreEscapedAsJSONRequires() throws {
        let value = "a\"b\\c\nd\u{01}\t张三 é/"
        var json = JSONText()
        json.raw("[")
        json.string(value)
        json.raw("]")
        #expect(try JSONDecoder().decode([String].self, from: Data(json.bytes)) == [value])
        #expect(!json.bytes.contains(0x0A) && !json.bytes.contains(0x01) && !json.bytes.contains(0x09))
    }
}
