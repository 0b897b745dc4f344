import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// The study index on both engines: ingest, deduplication, orders, reports, the worklist and its filters, scopes.
@Suite struct IndexStoreTests {
    @Test(arguments: TestDatabases.Engine.allCases)
    func ingestIndexesStudySeriesAndInstanceAndKeepsTheOriginal(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let instance = TestInstance()
        let bytes = try instance.bytes()
        let outcome = try await store.ingest(bytes: bytes, source: "test")
        #expect(outcome.kind == .stored)
        let study = try await store.study(instance.studyUID, scope: .all)
        #expect(study.patientName == "张三")
        #expect(study.patientId == "P1")
        #expect(study.studyDate == "2026-11-15")
        #expect(study.studyTime == "08:30:00")
        #expect(study.modality == "CT")
        #expect(study.status == .imaging)
        #expect(study.hospitalId == "h1")
        #expect(study.seriesCount == 1 && study.instanceCount == 1)
        let series = try await store.series(ofStudy: instance.studyUID, scope: .all)
        #expect(series.map(\.seriesInstanceUID) == [instance.seriesUID])
        #expect(series.first?.thumbnailInstanceUID == instance.sopUID)
        let instances = try await store.instances(ofSeries: instance.seriesUID, scope: .all)
        #expect(instances.count == 1)
        let image = try #require(instances.first?.image)
        #expect(image.rows == 4 && image.columns == 4 && image.bitsStored == 12 && image.pixelRepresentation == 1)
        #expect(image.rescaleIntercept == -1024 && image.pixelSpacing == [0.7, 0.7])
        #expect(image.windows.map(\.center) == [40, -600])
        let stored = try await store.storedInstance(instance.sopUID, scope: .all)
        #expect(try await store.blobs.get(stored.storageKey) == bytes)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aSecondCopyOfAnInstanceIsADuplicateAndTheOriginalStays(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        var instance = TestInstance()
        let original = try instance.bytes()
        _ = try await store.ingest(bytes: original, source: "test")
        instance.patientName = "Changed^Name"
        let outcome = try await store.ingest(bytes: try instance.bytes(), source: "test")
        #expect(outcome.kind == .duplicate)
        let stored = try await store.storedInstance(instance.sopUID, scope: .all)
        #expect(try await store.blobs.get(stored.storageKey) == original)
        #expect(try await store.study(instance.studyUID, scope: .all).instanceCount == 1)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func malformedObjectsAreRefusedWithATypedError(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        await #expect { try await store.ingest(bytes: Array("not dicom at all".utf8), source: "test") } throws: { error in
            (error as? PlatformError)?.code == .invalidDicom
        }
        var bad = TestInstance()
        bad.studyUID = "1.2.abc"
        await #expect { try await store.ingest(bytes: try bad.bytes(), source: "test") } throws: { error in
            (error as? PlatformError)?.code == .invalidDicom
        }
        let total = try await store.worklist(WorklistQuery(), scope: .all).total
        #expect(total == 0)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aScheduledOrderIsTakenOverByItsImagesAndThenByItsReport(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let order = try await store.scheduleOrder(ScheduledOrder(
            accessionNumber: "ACC-9", patientId: "P9", patientName: "Li^Si=李^四", modality: "MR", scheduledAt: 1_796_000_000,
            description: "Brain", department: "放射科", visitType: .inpatient))
        #expect(order.status == .scheduled)
        #expect(order.scheduledAt == 1_796_000_000)
        var instance = TestInstance()
        instance.accessionNumber = "ACC-9"
        instance.patientID = "P9"
        instance.patientName = "Li^Si=李^四"
        instance.modality = "MR"
        _ = try await store.ingest(bytes: try instance.bytes(), source: "test")
        let studies = try await store.worklist({ var q = WorklistQuery(); q.accessionNumber = "ACC-9"; return q }(), scope: .all)
        #expect(studies.total == 1)
        // The name index follows the takeover: the placeholder's entry went with it (trigram and short searches alike).
        for name in ["li si", "lisi", "李四", "李"] {
            let found = try await store.worklist({ var q = WorklistQuery(); q.name = name; return q }(), scope: .all)
            #expect(found.items.map(\.studyInstanceUID) == [instance.studyUID], "name \(name)")
        }
        let study = try #require(studies.items.first)
        #expect(study.studyInstanceUID == instance.studyUID)
        #expect(study.status == .imaging)
        #expect(study.visitType == .inpatient)
        #expect(study.scheduledAt == 1_796_000_000)
        #expect(study.imagedAt != nil)
        let report = try await store.attachReport(accessionNumber: "ACC-9", pdf: minimalPDF, text: "", title: "报告", author: "Dr", source: "test")
        #expect(report.studyInstanceUID == instance.studyUID)
        let reported = try await store.study(instance.studyUID, scope: .all)
        #expect(reported.status == .report)
        #expect(try await store.reports(ofStudy: instance.studyUID, scope: .all).map(\.id) == [report.id])
        // A late image does not take the exam back to `imaging`.
        var late = instance
        late.sopUID = UIDGenerator.make()
        late.instanceNumber = 2
        _ = try await store.ingest(bytes: try late.bytes(), source: "test")
        #expect(try await store.study(instance.studyUID, scope: .all).status == .report)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func anEncapsulatedPDFBecomesTheExamsReport(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let image = TestInstance()
        _ = try await store.ingest(bytes: try image.bytes(), source: "test")
        var document = TestInstance()
        document.studyUID = image.studyUID
        document.sopClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
        document.modality = "DOC"
        document.pdf = minimalPDF + [0x0A]
        let outcome = try await store.ingest(bytes: try document.bytes(), source: "test")
        #expect(outcome.isReport)
        let study = try await store.study(image.studyUID, scope: .all)
        #expect(study.status == .report)
        #expect(study.modality == "CT")
        #expect(study.modalities == ["CT", "DOC"])
        let reports = try await store.reports(ofStudy: image.studyUID, scope: .all)
        let (report, key) = try await store.report(try #require(reports.first).id, scope: .all)
        #expect(report.contentType == "application/pdf")
        let pdf = try await store.blobs.get(try #require(key))
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        #expect(String(decoding: pdf.suffix(7), as: UTF8.self).contains("%%EOF"))
        }
    }

    /// Six exams with known attributes for the filter tests.
    static func seedWorklist(_ store: PlatformStore) async throws -> [String: String] {
        var uids: [String: String] = [:]
        let rows: [(key: String, name: String, id: String, acc: String, date: String, modality: String, institution: String, cs: SpecificCharacterSet)] = [
            ("zhang", "Zhang^San=张^三", "P1", "A1", "20261101", "CT", "Demo General Hospital", .utf8),
            ("li", "Li^Si=李^四", "P2", "A2", "20261105", "MR", "Demo General Hospital", .utf8),
            ("wang", "王^芳", "P3", "A3", "20261110", "DX", "Demo General Hospital", SpecificCharacterSet(terms: ["GB18030"])),
            ("zhao", "Zhao^Liu", "P4", "A4", "20261120", "CT", "演示东院", .utf8),
            ("smith", "SMITH^John", "P5", "A5", "20261125", "CR", "Unknown Clinic", .default),
            ("zhang2", "Zhang^Wei=张^伟", "P6", "A6", "20261128", "CT", "Demo General Hospital", .utf8),
        ]
        for row in rows {
            var instance = TestInstance()
            instance.patientName = row.name
            instance.patientID = row.id
            instance.accessionNumber = row.acc
            instance.studyDate = row.date
            instance.modality = row.modality
            instance.institution = row.institution
            instance.characterSet = row.cs
            _ = try await store.ingest(bytes: try instance.bytes(), source: "test")
            uids[row.key] = instance.studyUID
        }
        try await store.setVisitType(.emergency, ofStudy: uids["li"]!)
        _ = try await store.attachReport(studyUID: uids["wang"]!, pdf: nil, text: "Normal chest.", title: "Report", author: "Dr", source: "test")
        return uids
    }

    @Test func keysWrittenBeforeMigration006AreSplitBetweenTheirForms() {
        #expect(NameSearchKeyUpgrade.split("zhangsan张三", shown: "张三") == "zhangsan|张三")
        #expect(NameSearchKeyUpgrade.split("张三zhangsan", shown: "张三") == "张三|zhangsan")
        #expect(NameSearchKeyUpgrade.split("smithjohn", shown: "SMITH John") == nil)
        #expect(NameSearchKeyUpgrade.split("zhangsan|张三", shown: "张三") == nil)
        #expect(NameSearchKeyUpgrade.split("", shown: "") == nil)
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func worklistFiltersSortAndPage(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let uids = try await Self.seedWorklist(store)
        func names(_ configure: (inout WorklistQuery) -> Void, scope: AccessScope = .all) async throws -> [String] {
            var query = WorklistQuery()
            configure(&query)
            return try await store.worklist(query, scope: scope).items.map(\.patientId)
        }
        // Newest first by default, all dates.
        #expect(try await names { _ in } == ["P6", "P5", "P4", "P3", "P2", "P1"])
        #expect(try await names { $0.modality = "ct" } == ["P6", "P4", "P1"])
        #expect(try await names { $0.dateFrom = "2026-11-05"; $0.dateTo = "2026-11-20" } == ["P4", "P3", "P2"])
        // Fuzzy name: any form, any case, full-width letters, spaces ignored.
        #expect(try await names { $0.name = "张" } == ["P6", "P1"])
        #expect(try await names { $0.name = "zhang" } == ["P6", "P1"])
        #expect(try await names { $0.name = "ＺＨＡＮＧ　ｓａｎ" } == ["P1"])
        #expect(try await names { $0.name = "ngsa" } == ["P1"])
        #expect(try await names { $0.name = "san张" } == [], "a substring never spans two forms of a name")
        #expect(try await names { $0.name = "\"zhang" } == [])
        #expect(try await names { $0.name = "王芳" } == ["P3"])
        #expect(try await names { $0.name = "%" } == [])
        // Exact name: one whole form, in either script; a part of a name is not enough.
        #expect(try await names { $0.nameExact = "zhang san" } == ["P1"])
        #expect(try await names { $0.nameExact = "张三" } == ["P1"])
        #expect(try await names { $0.nameExact = "张" } == [])
        #expect(try await names { $0.nameExact = "zhangsan张三" } == [])
        #expect(try await names { $0.nameExact = "王芳" } == ["P3"])
        #expect(try await names { $0.nameExact = "smith john" } == ["P5"])
        #expect(try await names { $0.patientId = "P2" } == ["P2"])
        #expect(try await names { $0.accessionNumber = "A4" } == ["P4"])
        #expect(try await names { $0.status = .report } == ["P3"])
        #expect(try await names { $0.visitType = .emergency } == ["P2"])
        #expect(try await names { $0.sort = .modality; $0.order = .asc } == ["P5", "P6", "P4", "P1", "P3", "P2"])
        #expect(try await names { $0.sort = .date; $0.order = .asc } == ["P1", "P2", "P3", "P4", "P5", "P6"])
        // Paging: totals stay, cursors walk the whole list once.
        var query = WorklistQuery()
        query.limit = 4
        let first = try await store.worklist(query, scope: .all)
        #expect(first.total == 6 && first.items.count == 4)
        let cursor = try #require(first.nextCursor)
        query.offset = try #require(WorklistCursor.decode(cursor))
        let second = try await store.worklist(query, scope: .all)
        #expect(second.items.count == 2 && second.nextCursor == nil)
        #expect(Set((first.items + second.items).map(\.studyInstanceUID)) == Set(uids.values))
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func scopesHideWhatAPrincipalMayNotSee(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let uids = try await Self.seedWorklist(store)
        // The East campus study belongs to h2; "Unknown Clinic" falls to the default hospital h1.
        let east = try await store.worklist(WorklistQuery(), scope: .hospital("h2"))
        #expect(east.items.map(\.patientId) == ["P4"])
        #expect(try await store.worklist(WorklistQuery(), scope: .hospital("h1")).total == 5)
        #expect(try await store.worklist(WorklistQuery(), scope: .study(uids["li"]!)).items.map(\.patientId) == ["P2"])
        let key = try #require(try await store.patientKey(ofStudy: uids["zhang"]!))
        #expect(try await store.worklist(WorklistQuery(), scope: .patient(patientKey: key)).items.map(\.patientId) == ["P1"])
        await #expect { try await store.study(uids["zhang"]!, scope: .hospital("h2")) } throws: { ($0 as? PlatformError)?.code == .notFound }
        let instances = try await store.series(ofStudy: uids["zhao"]!, scope: .hospital("h2"))
        #expect(instances.count == 1)
        await #expect { try await store.series(ofStudy: uids["zhao"]!, scope: .hospital("h1")) } throws: { ($0 as? PlatformError)?.code == .notFound }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func gb18030AndUTF8NamesIndexTheSame(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        for (terms, id) in [(["GB18030"], "G1"), (["ISO_IR 192"], "U1")] {
            var instance = TestInstance()
            instance.characterSet = SpecificCharacterSet(terms: terms)
            instance.patientName = "欧阳^娜娜"
            instance.patientID = id
            _ = try await store.ingest(bytes: try instance.bytes(), source: "test")
        }
        let page = try await store.worklist({ var q = WorklistQuery(); q.name = "欧阳"; return q }(), scope: .all)
        #expect(page.items.map(\.patientName) == ["欧阳娜娜", "欧阳娜娜"])
        }
    }
}
