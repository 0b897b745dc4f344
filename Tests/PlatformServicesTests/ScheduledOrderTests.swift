import Testing
@testable import PlatformServices

@Suite struct ScheduledOrderTests {
    static let hospital = "orders-general"

    static func order(accession: String, studyUID: String? = nil) -> ScheduledOrder {
        ScheduledOrder(accessionNumber: accession, patientId: "P7", patientName: "Li^Si", modality: "MR", scheduledAt: 1_767_225_600,
                       hospitalId: hospital, studyInstanceUID: studyUID)
    }

    @Test func aKnownAccessionNumberUpdatesItsExam() async throws {
        try await withTestStore(hospital: Self.hospital) { store in
            let first = try await store.scheduleOrder(Self.order(accession: "B1", studyUID: "1.2.840.99.1"))
            let again = try await store.scheduleOrder(Self.order(accession: "B1", studyUID: "1.2.840.99.1"))
            #expect(again.studyInstanceUID == first.studyInstanceUID)
        }
    }

    /// The API fuzz run found a 500 (UNIQUE constraint) here.
    @Test func anOrderNamingAnotherExamsStudyUIDIsAConflict() async throws {
        try await withTestStore(hospital: Self.hospital) { store in
            _ = try await store.scheduleOrder(Self.order(accession: "B1", studyUID: "1.2.840.99.1"))
            await #expect { try await store.scheduleOrder(Self.order(accession: "B2", studyUID: "1.2.840.99.1")) } throws: { error in
                (error as? PlatformError)?.code == .conflict && (error as? PlatformError)?.parameter == "studyInstanceUID"
            }
        }
    }
}
