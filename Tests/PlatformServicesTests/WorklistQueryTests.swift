import Foundation
import SQLKit
import Testing
@testable import PlatformServices

/// `PlatformStore.worklist` against a brute-force answer computed in Swift from every row, over generated exams: each
/// query shape of the store (count and walk at once, the collected name search, equality filters as seeks or as
/// plain filters) must give the same total and the same page, in the same order.
@Suite struct WorklistQueryTests {
    struct Row {
        var uid: String, name: String, nameSearch: String, modality: String, status: String, visit: String
        var date: String, time: String, patientID: String, accession: String
    }

    /// SQL TEXT order (BINARY collation: bytes of the UTF-8).
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    static func expected(_ rows: [Row], _ q: WorklistQuery) -> (total: Int, uids: [String]) {
        var matching = rows.filter { r in
            (q.modality.map { r.modality == $0.uppercased() } ?? true)
                && (q.dateFrom.map { r.date >= $0 } ?? true) && (q.dateTo.map { r.date <= $0 } ?? true)
                && (q.name.map(SearchText.normalize).map { $0.isEmpty || r.nameSearch.contains($0) } ?? true)
                && (q.nameExact.map { r.nameSearch.split(separator: SearchText.formSeparator).prefix(2).contains(Substring(SearchText.normalize($0))) } ?? true)
                && (q.patientId.map { r.patientID == $0 } ?? true) && (q.accessionNumber.map { r.accession == $0 } ?? true)
                && (q.status.map { r.status == $0.rawValue } ?? true) && (q.visitType.map { r.visit == $0.rawValue } ?? true)
        }
        // Ascending order; descending is its exact reverse.
        func key(_ r: Row) -> [String] {
            switch q.sort {
            case .date: return [r.date, r.time, r.uid]
            case .name: return [r.name]
            case .modality: return [r.modality]
            case .status: return [r.status]
            }
        }
        matching.sort { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return ka.lexicographicallyPrecedes(kb, by: less) }
            // Equal sort key: newest first.
            let ta = [a.date, a.time, a.uid], tb = [b.date, b.time, b.uid]
            return tb.lexicographicallyPrecedes(ta, by: less)
        }
        if q.order == .desc { matching.reverse() }
        let page = matching.dropFirst(q.offset).prefix(q.limit)
        return (matching.count, page.map(\.uid))
    }

    static func query(_ configure: (inout WorklistQuery) -> Void) -> WorklistQuery {
        var q = WorklistQuery()
        configure(&q)
        return q
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func everyQueryShapeGivesTheBruteForceAnswer(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let database = store.database
        try await SyntheticWorklist(studies: 3_000, seed: 7).fill(store, hospitalID: "h1")
        let rows = try await database.read { db in
            try await db.raw("""
                SELECT study_uid, patient_name, name_search, modality, status, visit_type, study_date, study_time, patient_id,
                  accession_number FROM studies
                """).all().map { r in
                Row(uid: try r.decode(column: "study_uid", as: String.self), name: try r.decode(column: "patient_name", as: String.self),
                    nameSearch: try r.decode(column: "name_search", as: String.self), modality: try r.decode(column: "modality", as: String.self),
                    status: try r.decode(column: "status", as: String.self), visit: try r.decode(column: "visit_type", as: String.self),
                    date: try r.decode(column: "study_date", as: String.self), time: try r.decode(column: "study_time", as: String.self),
                    patientID: try r.decode(column: "patient_id", as: String.self), accession: try r.decode(column: "accession_number", as: String.self))
            }
        }
        #expect(rows.count == 3_000)
        let somePatient = rows[17].patientID, someAccession = rows[42].accession, someName = rows[5].name
        let queries: [WorklistQuery] = [
            Self.query { _ in },
            Self.query { $0.order = .asc },
            Self.query { $0.modality = "ct" },
            Self.query { $0.dateFrom = "2026-01-01"; $0.dateTo = "2026-06-30" },
            Self.query { $0.modality = "MR"; $0.dateFrom = "2025-01-01"; $0.dateTo = "2025-12-31" },
            Self.query { $0.name = "zhang" },                     // many matches: counted, then walked
            Self.query { $0.name = "a" },                         // most exams: walked
            Self.query { $0.name = "xiaoting" },                  // none
            Self.query { $0.name = "王"; $0.offset = 20 },        // few: collected from the short-gram index and sorted
            Self.query { $0.name = "王伟" },                      // two characters: the short-gram index
            Self.query { $0.name = "伟"; $0.sort = .name },
            Self.query { $0.name = "an" },                        // two characters in most names: counted through the index
            Self.query { $0.name = "ang"; $0.modality = "CT" },   // three: trigrams on SQLite, pg_trgm on PostgreSQL
            Self.query { $0.name = "i张" },                       // spans two forms: never matches
            Self.query { $0.name = "z" },                         // one ASCII letter: no index, a scan
            Self.query { $0.name = "wei"; $0.sort = .name; $0.order = .desc },
            Self.query { $0.name = "li"; $0.sort = .modality; $0.offset = 4_000 },   // past the end
            Self.query { $0.nameExact = "张伟" },
            Self.query { $0.nameExact = "Zhang Wei" },
            Self.query { $0.nameExact = someName },
            Self.query { $0.patientId = somePatient },
            Self.query { $0.accessionNumber = someAccession },
            Self.query { $0.status = .imaging },
            Self.query { $0.status = .report; $0.visitType = .inpatient; $0.modality = "CT" },
            Self.query { $0.visitType = .emergency; $0.order = .asc },
            Self.query { $0.sort = .name },
            Self.query { $0.sort = .name; $0.order = .desc },
            Self.query { $0.sort = .name; $0.order = .desc; $0.status = .report },
            Self.query { $0.sort = .modality },
            Self.query { $0.sort = .modality; $0.order = .desc; $0.status = .imaging },
            Self.query { $0.sort = .modality; $0.modality = "US" },
            Self.query { $0.sort = .status },
            Self.query { $0.sort = .status; $0.order = .desc; $0.modality = "CT" },
            Self.query { $0.sort = .status; $0.status = .report; $0.offset = 100 },
            Self.query { $0.offset = 50 },
            Self.query { $0.offset = 2_950; $0.limit = 100 },
            Self.query { $0.limit = 200; $0.sort = .name; $0.offset = 1_000 },
        ]
        for q in queries {
            let page = try await store.worklist(q, scope: .all)
            let want = Self.expected(rows, q)
            #expect(page.total == want.total, "total of \(q)")
            #expect(page.items.map(\.studyInstanceUID) == want.uids, "page of \(q)")
        }
        // A department's scope sees only its exams.
        let scoped = try await store.worklist(Self.query { $0.limit = 500 }, scope: .department(hospitalId: "h1", department: "Radiology"))
        #expect(scoped.total > 0 && scoped.items.allSatisfy { $0.department == "Radiology" })
        // Renaming a patient's exams moves their short grams with them (the update trigger).
        let renamed = rows[0]
        try await database.write { db in
            try await db.raw("UPDATE studies SET name_search = 'qq|鑫鑫' WHERE study_uid = \(bind: renamed.uid)").run()
        }
        for name in ["鑫鑫", "qq"] {
            let found = try await store.worklist(Self.query { $0.name = name }, scope: .all)
            #expect(found.items.map(\.studyInstanceUID) == [renamed.uid] && found.total == 1, "\(name): \(found.items.map(\.patientName)) of \(found.total)")
        }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func migration009IndexesTheShortGramsOfExamsAlreadyStored(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        let database = store.database
        try await SyntheticWorklist(studies: 400, seed: 3).fill(store, hospitalID: "h1")
        // Back to a database written before migration 009, with its exams in place; then migrate.
        try await database.write { db in
            let undo = engine == .sqlite
                ? ["DROP TRIGGER studies_name_short_grams_insert", "DROP TRIGGER studies_name_short_grams_delete",
                   "DROP TRIGGER studies_name_short_grams_update", "DROP TABLE studies_name_short_grams", "DROP TABLE name_gram_positions"]
                : ["DROP TRIGGER studies_name_short_grams_sync ON studies", "DROP FUNCTION studies_name_short_grams_sync()",
                   "DROP TABLE studies_name_short_grams"]
            for statement in undo + ["DELETE FROM mi_migrations WHERE name = '009_name_short_grams'"] {
                try await db.raw(SQLQueryString(statement)).run()
            }
        }
        try await database.migrate()
        let keys = try await database.read { db in
            try await db.raw("SELECT study_uid, name_search FROM studies").all().map {
                (uid: try $0.decode(column: "study_uid", as: String.self), key: try $0.decode(column: "name_search", as: String.self))
            }
        }
        for name in ["王伟", "伟", "张", "ng", "秀英", "ei"] {
            var query = WorklistQuery()
            query.name = name
            query.limit = WorklistQuery.maximumLimit
            let found = try await store.worklist(query, scope: .all)
            let want = Set(keys.filter { $0.key.contains(name) }.map(\.uid))
            #expect(found.total == want.count, "total for \(name)")
            #expect(want.count > WorklistQuery.maximumLimit || Set(found.items.map(\.studyInstanceUID)) == want, "exams for \(name)")
        }
        }
    }

    /// The worklist's totals of status, modality and visit-type filters (alone and together, in every scope that
    /// names only hospitals and departments) against a count of the rows, read through the group counts of
    /// migration 010.
    static func expectTotalsMatchTheRows(_ store: PlatformStore, _ context: String) async throws {
        let rows = try await store.database.read { db in
            try await db.raw("SELECT hospital_id, department, status, modality, visit_type FROM studies").all().map { r in
                [try r.decode(column: "hospital_id", as: String.self), try r.decode(column: "department", as: String.self),
                 try r.decode(column: "status", as: String.self), try r.decode(column: "modality", as: String.self),
                 try r.decode(column: "visit_type", as: String.self)]
            }
        }
        let scopes: [(AccessScope, ([String]) -> Bool)] = [
            (.all, { _ in true }),
            (.hospital("h1"), { $0[0] == "h1" }),
            (.hospital("h2"), { $0[0] == "h2" }),
            (.department(hospitalId: "h1", department: "Radiology"), { $0[0] == "h1" && $0[1] == "Radiology" }),
        ]
        for (scope, visible) in scopes {
            for status in [nil, .scheduled, .imaging, .report] as [StudyStatus?] {
                for modality in [nil, "CT", "MR"] {
                    for visit in [nil, .inpatient, .emergency] as [VisitType?] {
                        var q = WorklistQuery()
                        q.status = status; q.modality = modality; q.visitType = visit; q.limit = 1
                        let want = rows.filter { r in
                            visible(r) && (status.map { r[2] == $0.rawValue } ?? true) && (modality.map { r[3] == $0 } ?? true)
                                && (visit.map { r[4] == $0.rawValue } ?? true)
                        }.count
                        let total = try await store.worklist(q, scope: scope).total
                        #expect(total == want, "\(context): total of \(scope) \(String(describing: status)) \(modality ?? "-") \(String(describing: visit))")
                    }
                }
            }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func totalsFromTheGroupCountsFollowEveryInsertUpdateAndDelete(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        try await SyntheticWorklist(studies: 600, seed: 11).fill(store, hospitalID: "h1")
        try await SyntheticWorklist(studies: 200, seed: 12).fill(store, hospitalID: "h2")
        try await Self.expectTotalsMatchTheRows(store, "after the fill")
        let uids = try await store.database.read { db in
            try await db.raw("SELECT study_uid FROM studies WHERE hospital_id = 'h1' ORDER BY study_uid").all()
                .map { try $0.decode(column: "study_uid", as: String.self) }
        }
        try await store.database.write { db in
            // Each column of a group changes, one exam at a time and many at once; updates that change nothing.
            try await db.raw("UPDATE studies SET status = 'scheduled' WHERE study_uid = \(bind: uids[0])").run()
            try await db.raw("UPDATE studies SET modality = 'MR', visit_type = 'emergency' WHERE study_uid IN (\(binds: Array(uids[1...40])))").run()
            try await db.raw("UPDATE studies SET department = 'Radiology' WHERE study_uid IN (\(binds: Array(uids[41...60])))").run()
            try await db.raw("UPDATE studies SET hospital_id = 'h2' WHERE study_uid = \(bind: uids[61])").run()
            try await db.raw("UPDATE studies SET status = status, instance_count = instance_count + 1 WHERE study_uid IN (\(binds: Array(uids[62...70])))").run()
            try await db.raw("DELETE FROM studies WHERE study_uid IN (\(binds: Array(uids[71...90])))").run()
        }
        try await Self.expectTotalsMatchTheRows(store, "after the changes")
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func migration010CountsTheExamsAlreadyStored(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
        try await SyntheticWorklist(studies: 500, seed: 5).fill(store, hospitalID: "h1")
        try await store.database.write { db in
            let undo = engine == .sqlite
                ? ["DROP TRIGGER studies_counts_insert", "DROP TRIGGER studies_counts_delete", "DROP TRIGGER studies_counts_update"]
                : ["DROP TRIGGER studies_counts_sync ON studies", "DROP FUNCTION studies_counts_sync()"]
            for statement in undo + ["DROP TABLE studies_counts", "DELETE FROM mi_migrations WHERE name = '010_worklist_counts'"] {
                try await db.raw(SQLQueryString(statement)).run()
            }
        }
        try await store.database.migrate()
        try await Self.expectTotalsMatchTheRows(store, "after migrating")
        }
    }

    @Test func thePlannersEstimateOfANameSearchIsReadOnPostgreSQL() async throws {
        try await TestDatabases.withStore(.postgres) { store in
        try await SyntheticWorklist(studies: 300, seed: 9).fill(store, hospitalID: "h1")
        let common = try await store.estimatedRows(where: "name_search LIKE \(bind: "%a%") ESCAPE '!'")
        let none = try await store.estimatedRows(where: "name_search LIKE \(bind: "%qqqqqq%") ESCAPE '!'")
        #expect(common.map { $0 > 30 } == true, "\(String(describing: common))")
        #expect(none.map { $0 < 30 } == true, "\(String(describing: none))")
        }
    }
}
