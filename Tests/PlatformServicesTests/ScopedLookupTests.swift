import DicomCore
import Testing
@testable import PlatformServices

/// Look-ups that add the caller's scope to a hand-written SQL statement: the scope condition must join the statement
/// as SQL, whatever the scope (the API fuzz run found `... AND1 = 1` for `.all`).
@Suite struct ScopedLookupTests {
    static let hospital = "scope-general"

    @Test func patientHistoryListsThePatientsOtherExamsInEveryScope() async throws {
        try await withTestStore(hospital: Self.hospital) { store in
            let first = try await store.scheduleOrder(Self.order(accession: "A1"))
            let second = try await store.scheduleOrder(Self.order(accession: "A2"))
            for scope in [AccessScope.all, .hospital(Self.hospital), .department(hospitalId: Self.hospital, department: "放射科"),
                          .patient(patientKey: "\(Self.hospital)/P1")] {
                let history = try await store.patientHistory(ofStudy: first.studyInstanceUID, scope: scope)
                #expect(history.map(\.studyInstanceUID) == [second.studyInstanceUID], "scope \(scope.stored)")
            }
            #expect(try await store.patientHistory(ofStudy: first.studyInstanceUID, scope: .hospital("elsewhere")).isEmpty)
        }
    }

    @Test func storedInstanceIsFoundWithinTheScopeAndHiddenOutsideIt() async throws {
        try await withTestStore(hospital: Self.hospital) { store in
            let outcome = try await store.ingest(bytes: try Self.instance(sop: "1.2.3.4.5.6", study: "1.2.3.4", series: "1.2.3.4.5"), source: "test")
            for scope in [AccessScope.all, .hospital(Self.hospital), .study("1.2.3.4")] {
                let instance = try await store.storedInstance(outcome.sopInstanceUID, scope: scope)
                #expect(instance.studyInstanceUID == "1.2.3.4", "scope \(scope.stored)")
            }
            await #expect { try await store.storedInstance(outcome.sopInstanceUID, scope: .hospital("elsewhere")) } throws: { error in
                (error as? PlatformError)?.code == .notFound
            }
        }
    }

    // MARK: Support

    static func order(accession: String) -> ScheduledOrder {
        ScheduledOrder(accessionNumber: accession, patientId: "P1", patientName: "Zhang^San", modality: "CT", scheduledAt: 1_767_225_600,
                       department: "放射科", hospitalId: hospital)
    }

    /// A header-only CT instance (no pixels): enough to be indexed.
    static func instance(sop: String, study: String, series: String) throws -> [UInt8] {
        var d = DataSet()
        try d.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try d.setString(sop, for: .sopInstanceUID)
        try d.setString("CT", for: .modality)
        try d.setString("P1", for: .patientID)
        try d.setString(study, for: .studyInstanceUID)
        try d.setString(series, for: .seriesInstanceUID)
        return try DicomFile(dataSet: d, transferSyntax: .explicitVRLittleEndian).encoded()
    }
}
