import Foundation
import SQLKit

/// Fills the index with generated exams (patients and studies, no images) for benchmarks and load tests: realistic
/// spreads of modality, date, status, visit type and Chinese/pinyin names, written with multi-row INSERTs in large
/// transactions (100,000 studies take seconds, where ingesting that many objects would take hours).
///
/// ```swift
/// let report = try await SyntheticWorklist(studies: 100_000, seed: 1).fill(store, hospitalID: "bench")
/// ```
///
/// The output is deterministic for a seed. Identifiers carry a prefix (`SYN`) so generated rows are recognisable.
public struct SyntheticWorklist: Sendable {
    /// Studies to generate.
    public var studies: Int
    /// Patients they belong to (about three exams each by default).
    public var patients: Int
    /// The PRNG seed.
    public var seed: UInt64
    /// Exam dates are spread over this many days ending `lastDay` (YYYY-MM-DD).
    public var days: Int = 6 * 365
    public var lastDay = "2026-12-31"

    public init(studies: Int, patients: Int? = nil, seed: UInt64 = 1) {
        self.studies = studies
        self.patients = patients ?? max(1, studies * 3 / 10)
        self.seed = seed
    }

    /// Rows per INSERT statement (25 columns each: within SQLite's and PostgreSQL's bind limits).
    static let rowsPerStatement = 400
    /// Rows per transaction.
    static let rowsPerTransaction = 10_000

    /// Inserts the patients and studies into `hospitalID` (created when missing), then refreshes the planner's
    /// statistics (`ANALYZE`), as a steady-state database would have them. Returns the number of studies written.
    @discardableResult
    public func fill(_ store: PlatformStore, hospitalID: String = "synthetic") async throws -> Int {
        if try await !store.hospitals().contains(where: { $0.id == hospitalID }) {
            try await store.upsertHospital(id: hospitalID, name: "Synthetic Hospital \(hospitalID)", departments: Self.departments)
        }
        var rng = SplitMix64(seed: seed)
        let people = (0..<patients).map { index in Self.person(index, &rng) }
        let now = Clock.epochSeconds()

        for start in stride(from: 0, to: people.count, by: Self.rowsPerTransaction) {
            let chunk = people[start..<min(start + Self.rowsPerTransaction, people.count)]
            try await store.database.write { db in
                for statement in stride(from: chunk.startIndex, to: chunk.endIndex, by: Self.rowsPerStatement) {
                    let values: [SQLQueryString] = chunk[statement..<min(statement + Self.rowsPerStatement, chunk.endIndex)].map { p in
                        """
                        (\(bind: "\(hospitalID)/\(p.id)"), \(bind: hospitalID), \(bind: p.id), \(bind: PatientNameFormatting.display(p.name)), \
                        \(bind: PatientNameFormatting.searchKey(p.name)), \(bind: p.birthDate), \(bind: p.sex), \(bind: now))
                        """
                    }
                    try await db.raw("INSERT INTO patients (key, hospital_id, patient_id, name, name_search, birth_date, sex, created_at) VALUES "
                                     + values.joined(separator: ", ")).run()
                }
            }
        }

        let first = Self.dayNumber(lastDay) - days + 1
        for start in stride(from: 0, to: studies, by: Self.rowsPerTransaction) {
            let end = min(start + Self.rowsPerTransaction, studies)
            var rows: [StudyRow] = []
            rows.reserveCapacity(end - start)
            for index in start..<end { rows.append(Self.study(index, people: people, firstDay: first, days: days, &rng)) }
            let batch = rows
            try await store.database.write { db in
                for statement in stride(from: 0, to: batch.count, by: Self.rowsPerStatement) {
                    let values: [SQLQueryString] = batch[statement..<min(statement + Self.rowsPerStatement, batch.count)].map { s in
                        let p = people[s.patient]
                        return """
                            (\(bind: s.uid), \(bind: "\(hospitalID)/\(p.id)"), \(bind: hospitalID), \(bind: s.accession), \(bind: s.date), \
                            \(bind: s.time), \(bind: s.modality), \(bind: s.modality), \(bind: s.description), \(bind: s.referring), \
                            \(bind: s.department), \(bind: s.visitType), \(bind: s.status), \(bind: PatientNameFormatting.display(p.name)), \
                            \(bind: PatientNameFormatting.searchKey(p.name)), \(bind: p.id), \(bind: p.sex), \(bind: p.birthDate), \
                            \(bind: "Synthetic Hospital"), \(bind: s.bodyPart), \(bind: s.series), \(bind: s.instances), \
                            \(bind: s.status == "scheduled" ? nil : Optional(now)), \(bind: now), \(bind: now))
                            """
                    }
                    try await db.raw("""
                        INSERT INTO studies (study_uid, patient_key, hospital_id, accession_number, study_date, study_time, modality,
                          modalities, description, referring_physician, department, visit_type, status, patient_name, name_search,
                          patient_id, patient_sex, patient_birth_date, institution, body_part, series_count, instance_count,
                          imaged_at, created_at, updated_at) VALUES
                        """ + values.joined(separator: ", ")).run()
                }
            }
        }
        // Steady-state statistics (PostgreSQL's autovacuum would get there; VACUUM also sets the visibility map that
        // index-only scans need, and cannot run in a transaction).
        switch store.database.engine {
        case .sqlite: try await store.database.write { db in try await db.raw("ANALYZE").run() }
        case .postgres: try await store.database.read { db in try await db.raw("VACUUM ANALYZE").run() }
        }
        return studies
    }

    // MARK: Generation

    struct Person { var id: String; var name: String; var birthDate: String; var sex: String }
    struct StudyRow {
        var uid: String, accession: String, patient: Int, date: String, time: String, modality: String, description: String
        var referring: String, department: String, visitType: String, status: String, bodyPart: String, series: Int, instances: Int
    }

    static let surnames: [(String, String)] = [
        ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"), ("Huang", "黄"), ("Zhao", "赵"),
        ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"),
        ("He", "何"), ("Gao", "高"), ("Lin", "林"), ("Luo", "罗"), ("Zheng", "郑"), ("Liang", "梁"), ("Xie", "谢"), ("Song", "宋"),
        ("Tang", "唐"), ("Han", "韩"), ("Feng", "冯"), ("Deng", "邓"), ("Cao", "曹"), ("Peng", "彭"), ("Zeng", "曾"), ("Xiao", "肖"),
    ]
    static let givenNames: [(String, String)] = [
        ("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Min", "敏"), ("Jing", "静"), ("Li", "丽"), ("Qiang", "强"), ("Lei", "磊"),
        ("Jun", "军"), ("Yang", "洋"), ("Yong", "勇"), ("Yan", "艳"), ("Jie", "杰"), ("Juan", "娟"), ("Tao", "涛"), ("Ming", "明"),
        ("Chao", "超"), ("Xiuying", "秀英"), ("Xia", "霞"), ("Ping", "平"), ("Gang", "刚"), ("Guiying", "桂英"), ("Hua", "华"),
        ("Jianhua", "建华"), ("Hui", "慧"), ("Xin", "鑫"), ("Yu", "宇"), ("Hao", "浩"), ("Kai", "凯"), ("Lan", "兰"), ("Bo", "博"),
        ("Zhiqiang", "志强"), ("Haiyan", "海燕"), ("Dan", "丹"), ("Ning", "宁"), ("Rui", "瑞"), ("Shu", "淑"), ("Tingting", "婷婷"),
    ]
    /// Modality, weight, descriptions with body parts, series and instance ranges.
    static let modalities: [(String, Int, [(String, String)], ClosedRange<Int>, ClosedRange<Int>)] = [
        ("CT", 30, [("CT CHEST WITHOUT CONTRAST", "CHEST"), ("CT HEAD", "HEAD"), ("CT ABDOMEN WITH CONTRAST", "ABDOMEN")], 2...6, 100...1200),
        ("MR", 14, [("MR BRAIN", "BRAIN"), ("MR KNEE", "KNEE"), ("MR LUMBAR SPINE", "LSPINE")], 4...12, 100...900),
        ("DX", 20, [("CHEST PA", "CHEST"), ("HAND AP", "HAND"), ("KNEE AP/LAT", "KNEE")], 1...2, 1...3),
        ("CR", 10, [("CHEST PA", "CHEST"), ("PELVIS AP", "PELVIS")], 1...2, 1...3),
        ("US", 14, [("US ABDOMEN", "ABDOMEN"), ("US THYROID", "NECK"), ("US OBSTETRIC", "PELVIS")], 1...3, 10...80),
        ("MG", 5, [("MAMMOGRAPHY SCREENING", "BREAST")], 1...1, 4...4),
        ("PT", 3, [("PET-CT WHOLE BODY", "WHOLEBODY")], 3...6, 300...1500),
        ("NM", 2, [("BONE SCAN", "WHOLEBODY")], 1...3, 2...20),
        ("XA", 2, [("CORONARY ANGIOGRAPHY", "HEART")], 4...15, 50...400),
    ]
    static let departments = ["Radiology", "Cardiology", "Respiratory", "Neurology", "Orthopaedics", "Emergency", "Check-up"]
    static let doctors = ["Li Na", "Wang Qiang", "Chen Jie", "Zhao Min", "Sun Hua", "Zhou Lei", "Wu Fang", "Xu Jun"]

    static func person(_ index: Int, _ rng: inout SplitMix64) -> Person {
        let surname = surnames[rng.weightedSurname(count: surnames.count)]
        let given = givenNames[rng.next(givenNames.count)]
        let year = 1930 + rng.next(90), month = 1 + rng.next(12), day = 1 + rng.next(28)
        return Person(id: String(format: "SYN%07d", index + 1), name: "\(surname.0)^\(given.0)=\(surname.1)^\(given.1)",
                      birthDate: String(format: "%04d-%02d-%02d", year, month, day), sex: rng.next(2) == 0 ? "M" : "F")
    }

    static func study(_ index: Int, people: [Person], firstDay: Int, days: Int, _ rng: inout SplitMix64) -> StudyRow {
        var pick = rng.next(modalities.reduce(0) { $0 + $1.1 })
        var m = modalities[0]
        for candidate in modalities { if pick < candidate.1 { m = candidate; break }; pick -= candidate.1 }
        let (description, bodyPart) = m.2[rng.next(m.2.count)]
        let dayNumber = firstDay + rng.next(days)
        let age = firstDay + days - 1 - dayNumber
        // Recent exams are still being read or not yet done; old ones are reported.
        let roll = rng.next(100)
        let status = age < 2 ? (roll < 30 ? "scheduled" : roll < 80 ? "imaging" : "report") : age < 14 ? (roll < 20 ? "imaging" : "report") : (roll < 2 ? "imaging" : "report")
        let visit = rng.next(100)
        let series = m.3.lowerBound + rng.next(m.3.count)
        return StudyRow(
            uid: "2.25.1\(String(format: "%012d", index + 1))\(String(format: "%06d", Int(rng.next(1_000_000))))",
            accession: String(format: "SYNA%08d", index + 1), patient: rng.next(people.count),
            date: dayString(dayNumber), time: String(format: "%02d:%02d:%02d", 7 + rng.next(14), rng.next(60), rng.next(60)),
            modality: m.0, description: description, referring: doctors[rng.next(doctors.count)],
            department: departments[rng.next(departments.count)],
            visitType: visit < 50 ? "outpatient" : visit < 75 ? "inpatient" : visit < 90 ? "emergency" : "checkup",
            status: status, bodyPart: bodyPart, series: status == "scheduled" ? 0 : series,
            instances: status == "scheduled" ? 0 : m.4.lowerBound + rng.next(m.4.count))
    }

    /// Days since 1970-01-01 of a YYYY-MM-DD date (proleptic Gregorian).
    static func dayNumber(_ iso: String) -> Int {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        var (y, m) = (parts[0], parts[1])
        let d = parts[2]
        if m <= 2 { y -= 1; m += 12 }
        let era = y / 400, yoe = y - era * 400
        let doy = (153 * (m - 3) + 2) / 5 + d - 1
        return era * 146_097 + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719_468
    }

    /// The YYYY-MM-DD of a day number.
    static func dayString(_ days: Int) -> String {
        let z = days + 719_468, era = z / 146_097, doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9
        return String(format: "%04d-%02d-%02d", yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence on every platform.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound.
    mutating func next(_ bound: Int) -> Int { Int(nextUInt64() % UInt64(bound)) }

    /// Common surnames come first in the table and are drawn more often (a rough Zipf-like spread).
    mutating func weightedSurname(count: Int) -> Int {
        let u = Double(nextUInt64() >> 11) / Double(1 << 53)
        return min(count - 1, Int(Double(count) * u * u))
    }
}
