import Foundation
import SQLKit

/// A hospital with its departments, as sign-up and patient pick lists show them.
public struct Hospital: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// Other Institution Names (0008,0080) its studies arrive with.
    public var aliases: [String]
    public var departments: [String]
}

extension PlatformStore {
    // MARK: Hospitals

    /// Every hospital, the default (first) one first, with its departments.
    public func hospitals() async throws -> [Hospital] {
        try await database.read { db in
            let rows = try await db.raw("SELECT id, name, aliases FROM hospitals ORDER BY position, name").all()
            let departments = try await db.raw("SELECT hospital_id, name FROM departments ORDER BY name").all()
            var byHospital: [String: [String]] = [:]
            for row in departments {
                byHospital[try row.decode(column: "hospital_id", as: String.self), default: []].append(try row.decode(column: "name", as: String.self))
            }
            return try rows.map { row in
                let id = try row.decode(column: "id", as: String.self)
                return Hospital(id: id, name: try row.decode(column: "name", as: String.self),
                                aliases: (try row.decode(column: "aliases", as: String.self)).split(separator: "\n").map(String.init),
                                departments: byHospital[id] ?? [])
            }
        }
    }

    /// Adds a hospital (or updates its aliases and departments). `aliases` are other Institution Names it goes by.
    @discardableResult
    public func upsertHospital(id: String, name: String, aliases: [String] = [], departments: [String]) async throws -> Hospital {
        let now = Clock.epochSeconds()
        try await database.write { db in
            let position = try await db.raw("SELECT COUNT(*) AS n FROM hospitals").first()?.decode(column: "n", as: Int.self) ?? 0
            let existing = try await db.raw("SELECT id FROM hospitals WHERE id = \(bind: id)").first()
            if existing == nil {
                try await db.raw("""
                    INSERT INTO hospitals (id, name, aliases, position, created_at)
                    VALUES (\(bind: id), \(bind: name), \(bind: aliases.joined(separator: "\n")), \(bind: position), \(bind: now))
                    """).run()
            } else {
                try await db.raw("UPDATE hospitals SET name = \(bind: name), aliases = \(bind: aliases.joined(separator: "\n")) WHERE id = \(bind: id)").run()
            }
            for department in departments {
                try await db.raw("""
                    INSERT INTO departments (hospital_id, name) VALUES (\(bind: id), \(bind: department)) ON CONFLICT DO NOTHING
                    """).run()
            }
        }
        return Hospital(id: id, name: name, aliases: aliases, departments: departments)
    }

    /// The hospital an Institution Name belongs to: a match on name or alias (normalised), else the default hospital.
    func hospitalID(forInstitution institution: String, in db: any SQLDatabase) async throws -> String {
        let rows = try await db.raw("SELECT id, name, aliases FROM hospitals ORDER BY position").all()
        guard let first = rows.first else { throw PlatformError(.storageFailure, "no hospital is configured") }
        let wanted = SearchText.normalize(institution)
        if !wanted.isEmpty {
            for row in rows {
                let names = [try row.decode(column: "name", as: String.self)]
                    + (try row.decode(column: "aliases", as: String.self)).split(separator: "\n").map(String.init)
                if names.contains(where: { SearchText.normalize($0) == wanted }) { return try row.decode(column: "id", as: String.self) }
            }
        }
        return try first.decode(column: "id", as: String.self)
    }

    // MARK: Worklist

    static let studyColumns = """
        study_uid, accession_number, patient_name, patient_id, patient_sex, patient_birth_date, study_date, study_time,
        modality, modalities, description, body_part, referring_physician, status, visit_type, hospital_id, institution,
        department, series_count, instance_count, scheduled_at, imaged_at, reported_at
        """

    static func decodeStudy(_ row: any SQLRow) throws -> StudySummary {
        StudySummary(
            studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
            accessionNumber: try row.decode(column: "accession_number", as: String.self),
            patientName: try row.decode(column: "patient_name", as: String.self),
            patientId: try row.decode(column: "patient_id", as: String.self),
            patientSex: try row.decode(column: "patient_sex", as: String.self),
            patientBirthDate: try row.decode(column: "patient_birth_date", as: String.self),
            studyDate: try row.decode(column: "study_date", as: String.self),
            studyTime: try row.decode(column: "study_time", as: String.self),
            modality: try row.decode(column: "modality", as: String.self),
            modalities: (try row.decode(column: "modalities", as: String.self)).split(separator: "\\").map(String.init),
            description: try row.decode(column: "description", as: String.self),
            bodyPart: try row.decode(column: "body_part", as: String.self),
            referringPhysician: try row.decode(column: "referring_physician", as: String.self),
            status: StudyStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .imaging,
            visitType: VisitType(rawValue: try row.decode(column: "visit_type", as: String.self)),
            hospitalId: try row.decode(column: "hospital_id", as: String.self),
            institution: try row.decode(column: "institution", as: String.self),
            department: try row.decode(column: "department", as: String.self),
            seriesCount: try row.decode(column: "series_count", as: Int.self),
            instanceCount: try row.decode(column: "instance_count", as: Int.self),
            scheduledAt: try row.decode(column: "scheduled_at", as: Int64?.self),
            imagedAt: try row.decode(column: "imaged_at", as: Int64?.self),
            reportedAt: try row.decode(column: "reported_at", as: Int64?.self))
    }

    /// The condition that limits studies to what `scope` may see; `alias` qualifies the columns (`s.`) in joins.
    static func scopeCondition(_ scope: AccessScope, alias: String = "") -> SQLQueryString {
        switch scope {
        case .all: return "1 = 1"
        case .hospital(let id): return "\(unsafeRaw: alias)hospital_id = \(bind: id)"
        case .department(let id, let name):
            return "(\(unsafeRaw: alias)hospital_id = \(bind: id) AND \(unsafeRaw: alias)department = \(bind: name))"
        case .patient(let key): return "\(unsafeRaw: alias)patient_key = \(bind: key)"
        case .study(let uid): return "\(unsafeRaw: alias)study_uid = \(bind: uid)"
        }
    }

    /// The worklist: exams visible to `scope` that match `query`, sorted and paged, with the total count.
    ///
    /// Sorting by name, modality or status puts the newest exam first among equal keys; the descending order is
    /// the exact reverse of the ascending one. Each order is the order of one index of migration 005.
    public func worklist(_ query: WorklistQuery, scope: AccessScope) async throws -> Page<StudySummary> {
        // Equality filters on the few-valued columns, as index seeks for the count and for a sort by date (whose
        // indexes have the date right after them), and as plain filters when the page is sorted by another key:
        // the planner cannot see that `status = 'report'` is 98% of the rows (SQLite keeps an average per column),
        // and would seek by status and sort 98,000 rows instead of walking the sort key's index, which carries the
        // column and filters on the way (`x || ''` is the same value but no index key, in both engines).
        func conditions(seekable: Bool) -> [SQLQueryString] {
            func few(_ column: String, _ value: String) -> SQLQueryString {
                seekable ? "\(unsafeRaw: column) = \(bind: value)" : "\(unsafeRaw: column) || '' = \(bind: value)"
            }
            var conditions: [SQLQueryString] = [Self.scopeCondition(scope)]
            if let modality = query.modality { conditions.append(few("modality", modality.uppercased())) }
            if let from = query.dateFrom { conditions.append("study_date >= \(bind: from)") }
            if let to = query.dateTo { conditions.append("study_date <= \(bind: to)") }
            if let name = query.name.map(SearchText.normalize), !name.isEmpty {
                conditions.append("name_search LIKE \(bind: "%" + Self.escapeLike(name) + "%") ESCAPE '!'")
            }
            if let exact = query.nameExact.map(SearchText.normalize) {
                // One whole form of the name (the key is the forms joined by "|"): a seek in each expression index
                // of migration 008, on the first and the second form.
                conditions.append("""
                    (\(unsafeRaw: Self.nameForm(1, database.engine)) = \(bind: exact) OR \(unsafeRaw: Self.nameForm(2, database.engine)) = \(bind: exact))
                    """)
            }
            if let id = query.patientId { conditions.append("patient_id = \(bind: id)") }
            if let accession = query.accessionNumber { conditions.append("accession_number = \(bind: accession)") }
            if let status = query.status { conditions.append(few("status", status.rawValue)) }
            if let visit = query.visitType { conditions.append(few("visit_type", visit.rawValue)) }
            return conditions
        }
        let asc = query.order == .asc
        let forward = asc ? "ASC" : "DESC", backward = asc ? "DESC" : "ASC"
        let orderBy: String, sortColumn: String
        switch query.sort {
        case .date: sortColumn = "study_date"
        case .name: sortColumn = "patient_name"
        case .modality: sortColumn = "modality"
        case .status: sortColumn = "status"
        }
        if query.sort == .date {
            orderBy = "study_date \(forward), study_time \(forward), study_uid \(forward)"
        } else {
            orderBy = "\(sortColumn) \(forward), study_date \(backward), study_time \(backward), study_uid \(backward)"
        }
        // A name substring is counted by the filter, not through the name's index: the count runs only for names
        // with more than `collectLimit` matches, where thousands of postings joined back to their rows cost more CPU
        // than the scan (measured at 100,000 exams on SQLite: "zhang", 5,713 matches).
        let countWhere = conditions(seekable: true).joined(separator: " AND ")
        var pageConditions = conditions(seekable: query.sort == .date)
        // The sort key's own equality filter stays a seek: it is the index's first column.
        if query.sort == .modality, let modality = query.modality { pageConditions.append("modality = \(bind: modality.uppercased())") }
        if query.sort == .status, let status = query.status { pageConditions.append("status = \(bind: status.rawValue)") }
        let pageWhere = pageConditions.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), WorklistQuery.maximumLimit), offset = max(query.offset, 0)
        // When every filter is a column of the per-group counts (migration 010), the total is their sum: a few hundred
        // rows instead of up to every exam.
        let countsServe = query.dateFrom == nil && query.dateTo == nil && query.name.map(SearchText.normalize)?.isEmpty != false
            && query.nameExact == nil && query.patientId == nil && query.accessionNumber == nil && Self.countsServe(scope)
        let count: @Sendable () async throws -> Int = { [database] in
            try await database.read { db in
                if countsServe {
                    return try await db.raw("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM studies_counts WHERE " + countWhere)
                        .first()?.decode(column: "n", as: Int.self) ?? 0
                }
                return try await db.raw("SELECT COUNT(*) AS n FROM studies WHERE " + countWhere).first()?.decode(column: "n", as: Int.self) ?? 0
            }
        }
        // The page finds its keys first and reads only those rows from the table. Usually the keys come from a walk
        // along the sort key's index (it carries the filter columns and stops after OFFSET + LIMIT matches).
        let walk: SQLQueryString = "SELECT study_uid FROM studies WHERE " + pageWhere
            + " ORDER BY \(unsafeRaw: orderBy) LIMIT \(literal: limit) OFFSET \(literal: offset)"
        let page: @Sendable (SQLQueryString) async throws -> [StudySummary] = { [database] keys in
            try await database.read { db in
                try await db.raw("SELECT \(unsafeRaw: Self.studyColumns) FROM studies WHERE study_uid IN (" + keys + ")"
                                 + " ORDER BY \(unsafeRaw: orderBy)").all().map(Self.decodeStudy)
            }
        }
        let total: Int, items: [StudySummary]
        let name = query.name.map(SearchText.normalize) ?? ""
        // A name PostgreSQL's trigram index serves (no `nameIndexLookup`) that the planner expects in more than
        // `collectLimit` exams ("zhang": 5,995 expected, 5,713 of 100,000) is counted and walked at once: collecting
        // 2,001 rows first would cost a third of the count for nothing, and the walk finds a common name's page early.
        // A wrong estimate only picks the slower path.
        var skipCollect = false
        if !name.isEmpty && database.engine == .postgres && nameIndexLookup(name) == nil {
            skipCollect = try await estimatedRows(where: pageWhere) ?? 0 > Self.collectLimit
        }
        let collected = name.isEmpty || skipCollect ? nil
            : try await nameMatches(where: pageWhere, name: name, sortColumn: query.sort == .date ? nil : sortColumn)
        if let few = collected {
            // A substring of the name matches anywhere from no exam to most of them: a walk for a rare name would
            // read the whole sort index. When there are few matches (found through the name's index, or one scan
            // where it has none) they are collected, sorted here, and counted.
            total = few.count
            // The ascending order of `orderBy`, with TEXT compared as SQL compares it (UTF-8 bytes); descending is its
            // reverse.
            func before(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
            func ascending(_ a: (uid: String, key: String, recency: [String]), _ b: (uid: String, key: String, recency: [String])) -> Bool {
                if query.sort == .date { return a.recency.lexicographicallyPrecedes(b.recency, by: before) }
                if !a.key.utf8.elementsEqual(b.key.utf8) { return before(a.key, b.key) }
                return b.recency.lexicographicallyPrecedes(a.recency, by: before)   // newest first among equal keys
            }
            let ordered = few.sorted { asc ? ascending($0, $1) : ascending($1, $0) }
            let uids = ordered.dropFirst(offset).prefix(limit).map(\.uid)
            items = uids.isEmpty ? [] : try await page("SELECT study_uid FROM studies WHERE study_uid IN (\(binds: Array(uids)))")
        } else {
            // The count and the page at once, on two connections.
            async let counted = count()
            async let paged = page(walk)
            (total, items) = try await (counted, paged)
        }
        let next = offset + items.count < total ? WorklistCursor.encode(offset: offset + items.count) : nil
        return Page(items: items, total: total, nextCursor: next)
    }

    /// The planner's estimate of the studies matching `condition` (PostgreSQL's `EXPLAIN`, first node); nil when
    /// the plan shows none.
    func estimatedRows(where condition: SQLQueryString) async throws -> Int? {
        let plan = try await database.read { db in
            try await db.raw("EXPLAIN SELECT 1 FROM studies WHERE " + condition).first()?.decode(column: "QUERY PLAN", as: String.self)
        }
        guard let plan, let rows = plan.range(of: " rows=") else { return nil }
        return Int(plan[rows.upperBound...].prefix(while: \.isNumber))
    }

    /// Whether `scope`'s condition names only columns the per-group counts of migration 010 keep (hospital, department).
    static func countsServe(_ scope: AccessScope) -> Bool {
        switch scope {
        case .all, .hospital, .department: return true
        case .patient, .study: return false
        }
    }

    /// Up to this many matches of a name search are collected and sorted rather than counted and walked in order.
    static let collectLimit = 2_000

    /// The matches of `pageWhere` (which has a name substring) when there are at most `collectLimit`: UID, sort key
    /// and recency (date, time, UID); nil when there are more.
    /// A name with an index (`nameIndexLookup`) first asks it for its exams, stopping after `collectLimit + 1`: a
    /// rare name is found by seeks, and a common one gives up at once (it is counted and walked along the sort index
    /// instead). Other names (PostgreSQL's trigram index serves their LIKE) collect straight from `pageWhere`.
    private func nameMatches(where pageWhere: SQLQueryString, name: String, sortColumn: String?) async throws
        -> [(uid: String, key: String, recency: [String])]? {
        let columns = "study_uid, study_date, study_time" + (sortColumn.map { ", \($0) AS sort_key" } ?? "")
        let lookup = nameIndexLookup(name)
        let rows = try await database.read { db -> [any SQLRow]? in
            if let lookup {
                let candidates = try await db.raw(lookup + " LIMIT \(literal: Self.collectLimit + 1)").all()
                    .map { try $0.decode(column: "study_uid", as: String.self) }
                guard candidates.count <= Self.collectLimit else { return nil }
                if candidates.isEmpty { return [] }
                return try await db.raw("SELECT \(unsafeRaw: columns) FROM studies WHERE study_uid IN (\(binds: candidates)) AND " + pageWhere).all()
            }
            return try await db.raw("SELECT \(unsafeRaw: columns) FROM studies WHERE " + pageWhere + " LIMIT \(literal: Self.collectLimit + 1)").all()
        }
        guard let rows, rows.count <= Self.collectLimit else { return nil }
        return try rows.map { row in
            let uid = try row.decode(column: "study_uid", as: String.self)
            let recency = [try row.decode(column: "study_date", as: String.self), try row.decode(column: "study_time", as: String.self), uid]
            // Sorting by date: the recency is the key.
            let key = sortColumn == nil ? "" : try row.decode(column: "sort_key", as: String.self)
            return (uid, key, recency)
        }
    }

    /// The longest name search key whose every short gram migration 009 indexes (its table of positions).
    static let longestNameKey = 1024

    /// A query of the UIDs of the exams whose name search key contains `name` (normalised), from an index: SQLite's
    /// trigram table (migration 008) for three characters or more; the short-gram table (migration 009, both
    /// engines) for two characters, or for one character above U+007F. Nil when no index serves the name: then
    /// PostgreSQL's pg_trgm index serves the LIKE by itself, or the search scans. Characters are Unicode scalars, as
    /// SQL's `length` and `substr` count them.
    func nameIndexLookup(_ name: String) -> SQLQueryString? {
        guard !name.contains(SearchText.formSeparator) else { return nil }
        let scalars = name.unicodeScalars
        switch scalars.count {
        case 3...:
            guard database.engine == .sqlite else { return nil }
            let phrase = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return "SELECT study_uid FROM studies_name_grams WHERE studies_name_grams MATCH \(bind: phrase)"
        case 2:
            return "SELECT study_uid FROM studies_name_short_grams WHERE gram = \(bind: name)"
        case 1 where scalars.first!.value > 127:
            return "SELECT study_uid FROM studies_name_short_grams WHERE gram = \(bind: name)"
        default:
            return nil
        }
    }

    /// Form `n` (1 or 2) of a name search key, as the expression indexes of migration 008 spell it.
    static func nameForm(_ n: Int, _ engine: PlatformDatabase.Engine) -> String {
        switch (engine, n) {
        case (.postgres, _): return "split_part(name_search, '|', \(n))"
        case (.sqlite, 1): return "substr(name_search, 1, instr(name_search || '|', '|') - 1)"
        default:
            let rest = "substr(name_search, instr(name_search || '|', '|') + 1)"
            return "substr(\(rest), 1, instr(\(rest) || '|', '|') - 1)"
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
    }

    /// One exam, if `scope` may see it; `notFound` otherwise (a caller must not learn that a hidden exam exists).
    public func study(_ uid: String, scope: AccessScope) async throws -> StudySummary {
        let row = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.studyColumns) FROM studies WHERE study_uid = \(bind: uid) AND " + Self.scopeCondition(scope)).first()
        }
        guard let row else { throw PlatformError(.notFound, "no study \(uid)") }
        return try Self.decodeStudy(row)
    }

    /// Other exams of the same patient (same hospital), newest first, within `scope`.
    public func patientHistory(ofStudy uid: String, scope: AccessScope) async throws -> [StudySummary] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.studyColumns) FROM studies WHERE patient_key =
                  (SELECT patient_key FROM studies WHERE study_uid = \(bind: uid)) AND study_uid <> \(bind: uid)
                """ + " AND " + Self.scopeCondition(scope) + " ORDER BY study_date DESC, study_time DESC").all().map(Self.decodeStudy)
        }
    }

    /// The patient key (hospital + Patient ID) of a study.
    public func patientKey(ofStudy uid: String) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT patient_key FROM studies WHERE study_uid = \(bind: uid)").first()?.decode(column: "patient_key", as: String.self)
        }
    }

    /// The series of a visible study, by series number.
    public func series(ofStudy uid: String, scope: AccessScope) async throws -> [SeriesSummary] {
        _ = try await study(uid, scope: scope)
        return try await database.read { db in
            let rows = try await db.raw("""
                SELECT series_uid, study_uid, modality, series_number, description, body_part, instance_count FROM series
                WHERE study_uid = \(bind: uid) ORDER BY series_number, created_at
                """).all()
            var result: [SeriesSummary] = []
            for row in rows {
                let seriesUID = try row.decode(column: "series_uid", as: String.self)
                let count = try row.decode(column: "instance_count", as: Int.self)
                let middle = try await db.raw("""
                    SELECT sop_uid FROM instances WHERE series_uid = \(bind: seriesUID)
                    ORDER BY instance_number, sop_uid LIMIT 1 OFFSET \(literal: max(0, count / 2))
                    """).first()?.decode(column: "sop_uid", as: String.self)
                result.append(SeriesSummary(
                    seriesInstanceUID: seriesUID, studyInstanceUID: uid,
                    modality: try row.decode(column: "modality", as: String.self),
                    seriesNumber: try row.decode(column: "series_number", as: Int?.self),
                    description: try row.decode(column: "description", as: String.self),
                    bodyPart: try row.decode(column: "body_part", as: String.self),
                    instanceCount: count, thumbnailInstanceUID: middle))
            }
            return result
        }
    }

    /// The instances of a visible series, in Instance Number order, with the viewer's metadata.
    public func instances(ofSeries uid: String, scope: AccessScope) async throws -> [InstanceSummary] {
        let decoder = JSONDecoder()
        return try await instanceRows(ofSeries: uid, scope: scope).map { row in
            InstanceSummary(
                sopInstanceUID: row.sopUID, seriesInstanceUID: row.seriesUID, studyInstanceUID: row.studyUID,
                sopClassUID: row.sopClassUID, instanceNumber: row.instanceNumber, numberOfFrames: row.frameCount,
                transferSyntaxUID: row.transferSyntax, size: row.size,
                image: row.metadata.isEmpty ? nil : try decoder.decode(InstanceMetadata.self, from: Data(row.metadata.utf8)))
        }
    }

    /// ``instances(ofSeries:scope:)`` as the API's page, `{"items":[…],"total":n}` in UTF-8 JSON, each item as
    /// ``InstanceSummary`` encodes it: the stored metadata goes in as the text it was stored as. Decoding and
    /// encoding it again with Foundation's JSON coders took about 40 ms of a 240-slice series' list, before the
    /// viewer could ask for its first frame.
    public func instancesPageJSON(ofSeries uid: String, scope: AccessScope) async throws -> [UInt8] {
        let rows = try await instanceRows(ofSeries: uid, scope: scope)
        var json = JSONText()
        json.bytes.reserveCapacity(rows.reduce(32) { $0 + $1.metadata.utf8.count + 400 })
        json.raw("{\"items\":[")
        for (index, row) in rows.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{")
            if !row.metadata.isEmpty {
                // Our own encoder wrote it at ingest (IndexEntry): an object, passed through as it is.
                guard row.metadata.utf8.first == UInt8(ascii: "{"), row.metadata.utf8.last == UInt8(ascii: "}") else {
                    throw PlatformError(.storageFailure, "instance \(row.sopUID): stored metadata is not a JSON object")
                }
                json.raw("\"image\":")
                json.raw(row.metadata)
                json.raw(",")
            }
            if let number = row.instanceNumber { json.raw("\"instanceNumber\":\(number),") }
            json.raw("\"numberOfFrames\":\(row.frameCount),\"seriesInstanceUID\":")
            json.string(row.seriesUID)
            json.raw(",\"size\":\(row.size),\"sopClassUID\":")
            json.string(row.sopClassUID)
            json.raw(",\"sopInstanceUID\":")
            json.string(row.sopUID)
            json.raw(",\"studyInstanceUID\":")
            json.string(row.studyUID)
            json.raw(",\"transferSyntaxUID\":")
            json.string(row.transferSyntax)
            json.raw("}")
        }
        json.raw("],\"total\":\(rows.count)}")
        return json.bytes
    }

    /// One row of a series' instance list, the metadata as stored (JSON text, empty for non-image objects).
    private struct InstanceRow {
        var sopUID, seriesUID, studyUID, sopClassUID, transferSyntax, metadata: String
        var instanceNumber: Int?
        var frameCount: Int
        var size: Int64
    }

    /// The rows of a visible series' instances in Instance Number order (not found when the series is not there or
    /// not visible in `scope`).
    private func instanceRows(ofSeries uid: String, scope: AccessScope) async throws -> [InstanceRow] {
        let studyUID = try await database.read { db in
            try await db.raw("SELECT study_uid FROM series WHERE series_uid = \(bind: uid)").first()?.decode(column: "study_uid", as: String.self)
        }
        guard let studyUID else { throw PlatformError(.notFound, "no series \(uid)") }
        _ = try await study(studyUID, scope: scope)
        return try await database.read { db in
            try await db.raw("""
                SELECT sop_uid, series_uid, study_uid, sop_class_uid, instance_number, frame_count, transfer_syntax, size, metadata
                FROM instances WHERE series_uid = \(bind: uid) ORDER BY instance_number, sop_uid
                """).all().map { row in
                InstanceRow(
                    sopUID: try row.decode(column: "sop_uid", as: String.self),
                    seriesUID: try row.decode(column: "series_uid", as: String.self),
                    studyUID: try row.decode(column: "study_uid", as: String.self),
                    sopClassUID: try row.decode(column: "sop_class_uid", as: String.self),
                    transferSyntax: try row.decode(column: "transfer_syntax", as: String.self),
                    metadata: try row.decode(column: "metadata", as: String.self),
                    instanceNumber: try row.decode(column: "instance_number", as: Int?.self),
                    frameCount: try row.decode(column: "frame_count", as: Int.self),
                    size: try row.decode(column: "size", as: Int64.self))
            }
        }
    }

    /// The instance a viewer shows first in a visible series: the first image instance (one with image metadata) in
    /// Instance Number order, an instance without a number counting as 0 and ties going to the one
    /// ``instances(ofSeries:scope:)`` lists first. This is how the web viewer stacks a series (`viewer/stack.js`),
    /// so a client can ask for the first frame before it has the instance list.
    /// - Throws: ``PlatformError`` `.notFound` when the series is unknown, outside `scope`, or holds no image.
    public func firstImageInstance(ofSeries uid: String, scope: AccessScope) async throws -> StoredInstance {
        var first: InstanceRow?
        for row in try await instanceRows(ofSeries: uid, scope: scope) where !row.metadata.isEmpty {
            if let best = first, (best.instanceNumber ?? 0) <= (row.instanceNumber ?? 0) { continue }
            first = row
        }
        guard let first else { throw PlatformError(.notFound, "series \(uid) holds no image") }
        return try await storedInstance(first.sopUID, scope: scope)
    }

    /// Where a visible instance's file is.
    public func storedInstance(_ sopUID: String, scope: AccessScope) async throws -> StoredInstance {
        let row = try await database.read { db in
            try await db.raw("""
                SELECT i.sop_uid, i.study_uid, i.series_uid, i.storage_key, i.transfer_syntax, i.frame_count, s.patient_id, s.hospital_id
                FROM instances i JOIN studies s ON s.study_uid = i.study_uid WHERE i.sop_uid = \(bind: sopUID)
                """ + " AND " + Self.scopeCondition(scope, alias: "s.")).first()
        }
        guard let row else { throw PlatformError(.notFound, "no instance \(sopUID)") }
        return StoredInstance(sopInstanceUID: sopUID, studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
                              seriesInstanceUID: try row.decode(column: "series_uid", as: String.self),
                              storageKey: try row.decode(column: "storage_key", as: String.self),
                              transferSyntaxUID: try row.decode(column: "transfer_syntax", as: String.self),
                              frameCount: try row.decode(column: "frame_count", as: Int.self),
                              patientId: try row.decode(column: "patient_id", as: String.self),
                              hospitalId: try row.decode(column: "hospital_id", as: String.self))
    }
}

/// Opaque paging cursors: the offset, base64url'd, so clients do not build them.
public enum WorklistCursor {
    /// Encodes an offset.
    public static func encode(offset: Int) -> String {
        Data("o:\(offset)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Decodes a cursor; nil when it is not one of ours.
    public static func decode(_ cursor: String) -> Int? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.hasPrefix("o:"),
              let offset = Int(text.dropFirst(2)), offset >= 0 else { return nil }
        return offset
    }
}
