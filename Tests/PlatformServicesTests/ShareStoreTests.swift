import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// Time-limited shares and consult messages, on both engines: expiry with an injected clock, revocation, view
/// counts, enumeration resistance, access codes and their throttling, who may share and who may talk.
@Suite struct ShareStoreTests {
    static let doctor = Principal(userId: "doctor-1", name: "doctor", roles: [.doctor], scope: .hospital("h1"), clientId: "mi-web")
    static let otherHospitalDoctor = Principal(userId: "doctor-2", name: "doctor2", roles: [.doctor], scope: .hospital("h2"), clientId: "mi-web")

    /// 张三's exam and a patient session for him.
    static func patientWithExam(_ store: PlatformStore) async throws -> (exam: TestInstance, patient: Principal) {
        let exam = try await PatientAccessStoreTests.seedExam(store)
        let found = try await store.retrievePatientExam(PatientAccessStoreTests.rightDetails, clientKey: "test")
        return (exam, try #require(try await store.principal(forLinkToken: found.session.accessToken)))
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aShareReadsTheOneExamUntilItExpiresThenIsGone(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        let before = Clock.epochSeconds()
        let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 3600), by: patient)
        #expect((before + 3600...Clock.epochSeconds() + 3600).contains(share.expiresAtEpoch), "an hour from when it was made")
        #expect(!share.requiresAccessCode && share.viewCount == 0)
        #expect(try await store.shareLinkState(token: share.token) == .active(requiresAccessCode: false))
        let opened = try await store.openShare(token: share.token, accessCode: nil, clientKey: "c")
        #expect(opened.exam.studyInstanceUID == exam.studyUID && opened.exam.patientName == "张*")
        for token in [share.token, opened.accessToken] {
            let principal = try #require(try await store.principal(forLinkToken: token))
            #expect(principal.scope == .study(exam.studyUID) && principal.roles.isEmpty && principal.link == .share(id: share.id))
        }
        try await Clock.$taskOffset.withValue(3601) { () async throws in
            await #expect { try await store.openShare(token: share.token, accessCode: nil, clientKey: "c") } throws: { ($0 as? PlatformError)?.code == .gone }
            for token in [share.token, opened.accessToken] {
                await #expect { try await store.principal(forLinkToken: token) } throws: { ($0 as? PlatformError)?.code == .gone }
            }
            #expect(try await store.shareLinkState(token: share.token) == .gone)
            #expect(try await store.shares(ownedBy: patient).isEmpty)   // expired shares leave the list
        }
        #expect(try await store.shares(ownedBy: patient).map(\.id) == [share.id])
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func revokingEndsTheShareAtOnceForTheLinkAndEverySession(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 86_400), by: patient)
        let opened = try await store.openShare(token: share.token, accessCode: nil, clientKey: "c")
        // Only the owner revokes: to anyone else the share does not exist.
        await #expect { try await store.revokeShare(id: share.id, by: Self.doctor) } throws: { ($0 as? PlatformError)?.code == .notFound }
        let revoked = try await store.revokeShare(id: share.id, by: patient)
        #expect(revoked.revoked)
        await #expect { try await store.openShare(token: share.token, accessCode: nil, clientKey: "c") } throws: { ($0 as? PlatformError)?.code == .gone }
        for token in [share.token, opened.accessToken] {
            await #expect { try await store.principal(forLinkToken: token) } throws: { ($0 as? PlatformError)?.code == .gone }
        }
        #expect(try await store.shares(ownedBy: patient).isEmpty)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func viewCountsRiseOnEachOpening(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, _) = try await Self.patientWithExam(store)
        let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 600), by: Self.doctor)
        for _ in 0..<3 { _ = try await store.openShare(token: share.token, accessCode: nil, clientKey: "c") }
        let listed = try await store.shares(ownedBy: Self.doctor)
        #expect(listed.map(\.viewCount) == [3])
        #expect(listed.first?.lastViewedAt != nil)
        #expect(listed.first?.token == share.token)   // the owner sees the link again
        #expect(try await store.share(id: share.id, ownedBy: Self.doctor).viewCount == 3)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func sharesCannotBeEnumerated(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        var tokens = Set<String>()
        for _ in 0..<20 {
            let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 600), by: patient)
            #expect(Base64URL.decode(share.token)?.count == 32)   // 256 random bits
            tokens.insert(share.token)
            // Neither the id nor a near miss of the token opens anything.
            for guess in [share.id, String(share.token.dropLast()) + (share.token.hasSuffix("A") ? "B" : "A")] {
                await #expect { try await store.openShare(token: guess, accessCode: nil, clientKey: "c") } throws: { ($0 as? PlatformError)?.code == .notFound }
                #expect(try await store.principal(forLinkToken: guess) == nil)
                #expect(try await store.shareLinkState(token: guess) == .gone)
            }
        }
        #expect(tokens.count == 20)
        // The table has digests and sealed copies, never a token in the clear.
        let rows = try await store.database.read { db in try await db.raw("SELECT token_hash, token_sealed FROM shares").all() }
        for row in rows {
            let hash = try row.decode(column: "token_hash", as: String.self), sealed = try row.decode(column: "token_sealed", as: String.self)
            #expect(!tokens.contains(hash) && !tokens.contains(sealed) && tokens.allSatisfy { !sealed.contains($0) })
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func accessCodesAreCheckedAndThrottled(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 86_400, accessCode: "4821"), by: patient)
        #expect(share.requiresAccessCode)
        #expect(try await store.shareLinkState(token: share.token) == .active(requiresAccessCode: true))
        await #expect { try await store.openShare(token: share.token, accessCode: nil, clientKey: "c") } throws: {
            ($0 as? PlatformError)?.code == .unauthenticated
        }
        // The link alone is no bearer token when a code protects the share.
        await #expect { try await store.principal(forLinkToken: share.token) } throws: { ($0 as? PlatformError)?.code == .unauthenticated }
        for code in ["0000", "1111", "2222", "3333", "4444"] {
            await #expect { try await store.openShare(token: share.token, accessCode: code, clientKey: "c") } throws: {
                ($0 as? PlatformError)?.code == .forbidden
            }
        }
        await #expect { try await store.openShare(token: share.token, accessCode: "4821", clientKey: "another-client") } throws: {
            ($0 as? PlatformError)?.code == .tooManyRequests
        }
        let opened = try await Clock.$taskOffset.withValue(AttemptLimit.shareAccessCode.lockout + 1) {
            try await store.openShare(token: share.token, accessCode: "4821", clientKey: "another-client")
        }
        #expect(try await store.principal(forLinkToken: opened.accessToken)?.scope == .study(exam.studyUID))
        #expect(try await store.shares(ownedBy: patient).first?.viewCount == 1)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aShareSurvivesOnlySoManyWrongCodesInItsLife(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 7 * 86_400, accessCode: "123456"), by: patient)
        var offset: Int64 = 0
        for attempt in 0..<Share.maximumCodeFailures {
            if attempt % AttemptLimit.shareAccessCode.failures == 0 { offset += AttemptLimit.shareAccessCodeClient.lockout + 1 }
            try await Clock.$taskOffset.withValue(offset) { () async throws in
                await #expect { try await store.openShare(token: share.token, accessCode: "000000", clientKey: "c\(attempt)") } throws: {
                    ($0 as? PlatformError)?.code == .forbidden
                }
            }
        }
        try await Clock.$taskOffset.withValue(offset + AttemptLimit.shareAccessCodeClient.lockout + 1) { () async throws in
            await #expect { try await store.openShare(token: share.token, accessCode: "123456", clientKey: "fresh") } throws: {
                ($0 as? PlatformError)?.code == .tooManyRequests
            }
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func sharesEndBetweenAMinuteAheadAndThePolicysMaximum(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        func attempt(_ request: ShareRequest) async -> PlatformError? {
            do { _ = try await store.createShare(request, by: patient); return nil } catch { return error as? PlatformError }
        }
        let uid = exam.studyUID
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 59))?.parameter == "expiresIn")
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 60)) == nil)
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresAt: Clock.epochSeconds() + 30))?.parameter == "expiresAt")
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresAt: Clock.epochSeconds() + 3 * 86_400)) == nil)
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 30 * 86_400)) == nil)
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 30 * 86_400 + 1))?.parameter == "expiresIn")
        #expect(await attempt(ShareRequest(studyInstanceUID: uid))?.code == .invalidArgument)
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 600, expiresAt: Clock.epochSeconds() + 600))?.code == .invalidArgument)
        for code in ["123", "1234567", "12a4", "１２３４"] {
            #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 600, accessCode: code))?.parameter == "accessCode")
        }
        var policy = try await store.securityPolicy()
        policy.shareMaximumSeconds = 86_400
        try await store.setSecurityPolicy(policy)
        #expect(await attempt(ShareRequest(studyInstanceUID: uid, expiresIn: 86_401))?.parameter == "expiresIn")
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func onlyPatientsOnTheirOwnExamsAndDoctorsInScopeShare(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (_, patient) = try await Self.patientWithExam(store)
        let other = try await PatientAccessStoreTests.seedExam(store) { $0.patientID = "P2"; $0.accessionNumber = "A2" }
        func code(_ principal: Principal, _ uid: String) async -> PlatformError.Code? {
            do { _ = try await store.createShare(ShareRequest(studyInstanceUID: uid, expiresIn: 600), by: principal); return nil } catch {
                return (error as? PlatformError)?.code
            }
        }
        #expect(await code(patient, other.studyUID) == .notFound)
        #expect(await code(Self.doctor, other.studyUID) == nil)
        #expect(await code(Self.otherHospitalDoctor, other.studyUID) == .notFound)
        let admin = Principal(userId: "a", name: "admin", roles: [.administrator], scope: .all, clientId: "mi-web")
        let integration = Principal(userId: nil, name: "mi-integration", roles: [.integration], scope: .all, clientId: "mi-integration")
        #expect(await code(admin, other.studyUID) == .forbidden)
        #expect(await code(integration, other.studyUID) == .forbidden)
        let share = try await store.createShare(ShareRequest(studyInstanceUID: other.studyUID, expiresIn: 600), by: Self.doctor)
        let recipient = try #require(try await store.principal(forLinkToken: share.token))
        #expect(await code(recipient, other.studyUID) == .forbidden)   // no sharing a share
        // The patient's list and the doctor's are their own.
        #expect(try await store.shares(ownedBy: patient).isEmpty)
        let doctorsShares = try await store.shares(ownedBy: Self.doctor)
        #expect(doctorsShares.count == 2 && doctorsShares.contains { $0.id == share.id })
        }
    }

    // MARK: Consultation

    @Test(arguments: TestDatabases.Engine.allCases)
    func aPatientAndTheReadingDoctorsExchangeMessagesWithUnreadCounts(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let (exam, patient) = try await Self.patientWithExam(store)
        let first = try await store.postConsultMessage(studyUID: exam.studyUID, body: "  结节需要复查吗？ ", by: patient)
        #expect(first.author == .patient && first.body == "结节需要复查吗？" && first.authorName == "张三")
        _ = try await store.postConsultMessage(studyUID: exam.studyUID, body: "还有一个问题", by: patient)
        let unread = try await store.unreadConsults(for: Self.doctor)
        #expect(unread.map(\.studyInstanceUID) == [exam.studyUID])
        #expect(unread.first?.unread == 2 && unread.first?.patientName == "张三")
        #expect(try await store.unreadConsults(for: Self.otherHospitalDoctor).isEmpty)
        #expect(try await store.markConsultRead(studyUID: exam.studyUID, by: Self.doctor) == 2)
        #expect(try await store.unreadConsults(for: Self.doctor).isEmpty)
        let reply = try await store.postConsultMessage(studyUID: exam.studyUID, body: "建议6个月后复查。", by: Self.doctor)
        #expect(reply.author == .doctor)
        #expect(try await store.unreadConsults(for: patient).map(\.unread) == [1])
        let thread = try await store.consultMessages(studyUID: exam.studyUID, for: patient)
        #expect(thread.map(\.author) == [.patient, .patient, .doctor])
        #expect(thread[0].readAt != nil && thread[2].readAt == nil)
        // Outside the thread: other hospitals' doctors, share recipients, bad bodies.
        await #expect { try await store.consultMessages(studyUID: exam.studyUID, for: Self.otherHospitalDoctor) } throws: {
            ($0 as? PlatformError)?.code == .notFound
        }
        let share = try await store.createShare(ShareRequest(studyInstanceUID: exam.studyUID, expiresIn: 600), by: patient)
        let recipient = try #require(try await store.principal(forLinkToken: share.token))
        await #expect { try await store.postConsultMessage(studyUID: exam.studyUID, body: "hi", by: recipient) } throws: {
            ($0 as? PlatformError)?.code == .forbidden
        }
        await #expect { try await store.postConsultMessage(studyUID: exam.studyUID, body: "   ", by: patient) } throws: {
            ($0 as? PlatformError)?.parameter == "body"
        }
        await #expect { try await store.postConsultMessage(studyUID: exam.studyUID, body: String(repeating: "长", count: 2001), by: patient) } throws: {
            ($0 as? PlatformError)?.parameter == "body"
        }
        }
    }
}
