import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// Patient links (QR), their second factor, manual retrieval and patient sessions, on both engines.
@Suite struct PatientAccessStoreTests {
    /// 张三 (P1, born 1980-01-01) with a CT on 2026-11-15, accession A1, at h1 ("Demo General Hospital").
    static func seedExam(_ store: PlatformStore, _ configure: (inout TestInstance) -> Void = { _ in }) async throws -> TestInstance {
        var instance = TestInstance()
        configure(&instance)
        _ = try await store.ingest(bytes: try instance.bytes(), source: "test")
        return instance
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aLinkOpensTheExamWithTheNameMaskedAndItsStatusSteps(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let exam = try await Self.seedExam(store)
        let issued = try await store.createPatientLink(accessionNumber: "A1", createdBy: "ris")
        #expect(issued.link.studyInstanceUID == exam.studyUID)
        #expect(Base64URL.decode(issued.token)?.count == 32)   // 256 bits
        let opened = try await store.openPatientLink(token: issued.token)
        #expect(opened.exam.patientName == "张*")
        #expect(opened.exam.hospital == .init(id: "h1", name: "演示总医院"))
        #expect(opened.exam.status == .imaging)
        #expect(opened.exam.steps.map(\.step) == [.scheduled, .imaging, .report])
        #expect(opened.exam.steps.map(\.done) == [true, true, false])
        #expect(opened.exam.steps.map(\.current) == [false, true, false])
        #expect(opened.exam.steps[1].at != nil)
        #expect(opened.verification == .birthDate)
        #expect(try await store.patientLinks(ofStudy: exam.studyUID).first?.openCount == 1)
        // The database keeps the digest only.
        let stored = try await store.database.read { db in try await db.raw("SELECT * FROM patient_links").all() }
        #expect(stored.count == 1)
        #expect(try stored[0].decode(column: "token_hash", as: String.self) == SecureRandom.digest(issued.token))
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func theRightBirthDateStartsAPatientSessionScopedToThatPatientAndAWrongOneDoesNot(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let exam = try await Self.seedExam(store)
        var other = TestInstance()
        other.patientID = "P2"
        other.patientName = "Li^Si=李^四"
        other.accessionNumber = "A2"
        _ = try await store.ingest(bytes: try other.bytes(), source: "test")
        let issued = try await store.createPatientLink(studyUID: exam.studyUID, createdBy: "ris")
        await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: "19800102", phoneLast4: nil) } throws: {
            ($0 as? PlatformError)?.code == .unauthenticated
        }
        await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: nil, phoneLast4: "1234") } throws: {
            ($0 as? PlatformError)?.code == .invalidArgument
        }
        // Full-width digits are the same digits.
        let entry = try await store.verifyPatientLink(token: issued.token, birthDate: "１９８００１０１", phoneLast4: nil)
        #expect(entry.session.studyInstanceUID == exam.studyUID && entry.session.hospitalId == "h1")
        #expect(entry.exam.patientName == "张*")
        let principal = try #require(try await store.principal(forLinkToken: entry.session.accessToken))
        #expect(principal.scope == .patient(patientKey: "h1/P1"))
        #expect(principal.roles == [.patient] && principal.userId == nil)
        #expect(principal.link == .patientSession(patientKey: "h1/P1", linkId: issued.link.id))
        // The session sees this patient's exams, not the other patient's.
        #expect(try await store.worklist(WorklistQuery(), scope: principal.scope).items.map(\.studyInstanceUID) == [exam.studyUID])
        await #expect { try await store.study(other.studyUID, scope: principal.scope) } throws: { ($0 as? PlatformError)?.code == .notFound }
        // Sessions are short-lived.
        try await Clock.$taskOffset.withValue(PatientSession.lifetime + 1) { () async throws in
            await #expect { try await store.principal(forLinkToken: entry.session.accessToken) } throws: {
                ($0 as? PlatformError)?.code == .unauthenticated
            }
        }
        // Unknown tokens are not ours.
        #expect(try await store.principal(forLinkToken: SecureRandom.token()) == nil)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func wrongSecondFactorsLockTheLinkForAWhile(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        _ = try await Self.seedExam(store)
        let issued = try await store.createPatientLink(accessionNumber: "A1", createdBy: "ris")
        for _ in 0..<AttemptLimit.patientVerification.failures {
            await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: "20000101", phoneLast4: nil) } throws: {
                ($0 as? PlatformError)?.code == .unauthenticated
            }
        }
        // Locked: even the right answer waits.
        await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: "19800101", phoneLast4: nil) } throws: {
            ($0 as? PlatformError)?.code == .tooManyRequests
        }
        try await Clock.$taskOffset.withValue(AttemptLimit.patientVerification.lockout + 1) { () async throws in
            _ = try await store.verifyPatientLink(token: issued.token, birthDate: "1980-01-01", phoneLast4: nil)
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aHospitalCanAskForThePhonesLastFourDigitsInstead(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        _ = try await Self.seedExam(store)
        try await store.setPatientVerification(hospitalId: "h1", method: .phoneLast4)
        #expect(try await store.patientVerification(hospitalId: "h1") == .phoneLast4)
        #expect(try await store.patientVerification(hospitalId: "h2") == .birthDate)
        let issued = try await store.createPatientLink(accessionNumber: "A1", createdBy: "ris")
        #expect(try await store.openPatientLink(token: issued.token).verification == .phoneLast4)
        // No phone on file: nothing matches.
        await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: nil, phoneLast4: "1234") } throws: {
            ($0 as? PlatformError)?.code == .unauthenticated
        }
        try await store.setPatientPhone(patientKey: "h1/P1", phone: "13800001234")
        await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: "19800101", phoneLast4: nil) } throws: {
            ($0 as? PlatformError)?.code == .invalidArgument
        }
        await #expect { try await store.verifyPatientLink(token: issued.token, birthDate: nil, phoneLast4: "4321") } throws: {
            ($0 as? PlatformError)?.code == .unauthenticated
        }
        _ = try await store.verifyPatientLink(token: issued.token, birthDate: nil, phoneLast4: "1234")
        await #expect { try await store.setPatientVerification(hospitalId: "nope", method: .none) } throws: {
            ($0 as? PlatformError)?.code == .notFound
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aRevokedLinkIsGoneAndItsSessionsEnd(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        _ = try await Self.seedExam(store)
        let issued = try await store.createPatientLink(accessionNumber: "A1", createdBy: "ris")
        let entry = try await store.verifyPatientLink(token: issued.token, birthDate: "19800101", phoneLast4: nil)
        try await store.revokePatientLink(id: issued.link.id)
        await #expect { try await store.openPatientLink(token: issued.token) } throws: { ($0 as? PlatformError)?.code == .gone }
        await #expect { try await store.principal(forLinkToken: entry.session.accessToken) } throws: {
            ($0 as? PlatformError)?.code == .unauthenticated
        }
        await #expect { try await store.openPatientLink(token: SecureRandom.token()) } throws: { ($0 as? PlatformError)?.code == .notFound }
        await #expect { try await store.createPatientLink(accessionNumber: "NOPE", createdBy: "ris") } throws: {
            ($0 as? PlatformError)?.code == .notFound
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aLinkMadeForAnOrderFollowsTheExamWhenItsImagesArrive(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let order = try await store.scheduleOrder(ScheduledOrder(accessionNumber: "ACC-9", patientId: "P9", patientName: "Li^Si=李^四",
                                                                 patientBirthDate: "19900202", modality: "MR", scheduledAt: 1_796_000_000))
        let issued = try await store.createPatientLink(accessionNumber: "ACC-9", createdBy: "ris")
        #expect(issued.link.studyInstanceUID == order.studyInstanceUID)
        #expect(try await store.openPatientLink(token: issued.token).exam.steps.map(\.current) == [true, false, false])
        let image = try await Self.seedExam(store) { $0.accessionNumber = "ACC-9"; $0.patientID = "P9"; $0.patientName = "Li^Si=李^四"; $0.modality = "MR" }
        let opened = try await store.openPatientLink(token: issued.token)
        #expect(opened.exam.studyInstanceUID == image.studyUID)
        #expect(opened.exam.patientName == "李*")
        #expect(opened.exam.status == .imaging)
        }
    }

    // MARK: Manual retrieval

    static let rightDetails = PatientRetrievalRequest(name: "张三", hospitalId: "h1", examNumber: "A1", examDate: "2026-11-15")

    @Test(arguments: TestDatabases.Engine.allCases)
    func manualRetrievalMatchesExactlyAfterNormalisation(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let exam = try await Self.seedExam(store) { $0.accessionNumber = "CT-2026-a1" }
        let variants = [
            PatientRetrievalRequest(name: "张三", hospitalId: "h1", examNumber: "CT-2026-a1", examDate: "2026-11-15"),
            PatientRetrievalRequest(name: " 张 三 ", hospitalId: "h1", examNumber: "ＣＴ－２０２６－Ａ１", examDate: "20261115"),
            PatientRetrievalRequest(name: "ZHANG SAN", hospitalId: "h1", examNumber: "ct 2026 a1".replacingOccurrences(of: " ", with: "-"), examDate: "２０２６-１１-１５"),
            PatientRetrievalRequest(name: "ｚｈａｎｇ　ｓａｎ", hospitalId: "h1", examNumber: "P1", examDate: "2026-11-15"),   // the Patient ID
        ]
        for request in variants {
            let found = try await store.retrievePatientExam(request, clientKey: "198.51.100.7")
            #expect(found.exam.studyInstanceUID == exam.studyUID)
            #expect(found.session.studyInstanceUID == exam.studyUID)
            let principal = try #require(try await store.principal(forLinkToken: found.session.accessToken))
            #expect(principal.scope == .patient(patientKey: "h1/P1"))
            #expect(principal.link == .patientSession(patientKey: "h1/P1", linkId: nil))
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func everyWrongDetailGivesTheSameGenericFailure(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        _ = try await Self.seedExam(store)
        let right = Self.rightDetails
        var wrongs: [PatientRetrievalRequest] = []
        for change in 0..<5 {
            var request = right
            switch change {
            case 0: request.name = "张四"
            case 1: request.name = "张"             // a prefix is not the name
            case 2: request.hospitalId = "h2"
            case 3: request.examNumber = "A12"
            default: request.examDate = "2026-11-16"
            }
            wrongs.append(request)
        }
        wrongs.append(PatientRetrievalRequest(name: "张三", hospitalId: "no-such-hospital", examNumber: "A1", examDate: "2026-11-15"))
        var answers = Set<String>()
        for request in wrongs {
            do {
                _ = try await store.retrievePatientExam(request, clientKey: "client-\(UUID())")
                Issue.record("a wrong detail found the exam: \(request)")
            } catch let error as PlatformError {
                answers.insert("\(error.code.rawValue): \(error.message)")
            }
        }
        #expect(answers == ["not_found: \(PlatformStore.retrievalFailureMessage)"])
        _ = try await store.retrievePatientExam(right, clientKey: "client-ok")
        await #expect { try await store.retrievePatientExam(PatientRetrievalRequest(name: "", hospitalId: "h1", examNumber: "A1", examDate: "2026-11-15"),
                                                             clientKey: "x") } throws: { ($0 as? PlatformError)?.parameter == "name" }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func retrievalIsThrottledPerClient(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        _ = try await Self.seedExam(store)
        var wrong = Self.rightDetails
        wrong.examNumber = "A9"
        for _ in 0..<AttemptLimit.patientRetrieval.failures {
            await #expect { try await store.retrievePatientExam(wrong, clientKey: "203.0.113.9") } throws: { ($0 as? PlatformError)?.code == .notFound }
        }
        // That client now waits, even with the right details; another client does not.
        await #expect { try await store.retrievePatientExam(Self.rightDetails, clientKey: "203.0.113.9") } throws: {
            ($0 as? PlatformError)?.code == .tooManyRequests
        }
        _ = try await store.retrievePatientExam(Self.rightDetails, clientKey: "203.0.113.10")
        try await Clock.$taskOffset.withValue(AttemptLimit.patientRetrieval.lockout + 1) { () async throws in
            _ = try await store.retrievePatientExam(Self.rightDetails, clientKey: "203.0.113.9")
        }
        }
    }

    @Test func namesAreMaskedButTheirFirstCharacter() {
        #expect(PatientNameMask.mask("张三") == "张*")
        #expect(PatientNameMask.mask("欧阳娜娜") == "欧***")
        #expect(PatientNameMask.mask("Zhang San") == "Z*******")
        #expect(PatientNameMask.mask("王") == "王*")
        #expect(PatientNameMask.mask("") == "")
    }

    @Test func typedDatesAreCheckedDates() {
        #expect(PatientTextMatching.compactDate("2026-11-15") == "20261115")
        #expect(PatientTextMatching.compactDate("２０２６１１１５") == "20261115")
        #expect(PatientTextMatching.compactDate("2026-02-29") == nil)
        #expect(PatientTextMatching.compactDate("2028-02-29") == "20280229")
        #expect(PatientTextMatching.compactDate("20261315") == nil)
        #expect(PatientTextMatching.compactDate("1115") == nil)
    }
}
