import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// `FolderImport` into a real store (SQLite in a temporary folder), with generated instances.
@Suite struct FolderImportTests {
    /// A temporary folder with an opened store (one hospital) and a folder of files to import.
    final class Fixture: Sendable {
        let root: URL
        let input: URL
        let store: PlatformStore

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("mi-import-\(UUID().uuidString)")
            input = root.appendingPathComponent("input")
            try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
            let database = try await PlatformDatabase.open(url: "sqlite:" + root.appendingPathComponent("index.sqlite").path)
            try await database.migrate()
            store = PlatformStore(database: database, blobs: try FileBlobStore(root: root.appendingPathComponent("storage")))
            try await store.upsertHospital(id: "h1", name: "Test Hospital", departments: ["Radiology"])
        }

        var destination: StoreImportDestination { StoreImportDestination(store: store, identity: "test-store") }

        func close() async {
            await store.database.close()
            try? FileManager.default.removeItem(at: root)
        }

        /// Writes `count` small CT instances of one study under `folder` (relative), in nested series folders.
        func writeSeries(_ count: Int, study: String = "1.2.826.0.1.3680043.10.1", patientID: String = "P1", in folder: String = "") throws {
            for n in 1...count {
                let series = n % 2 == 0 ? "\(study).1" : "\(study).2"
                let url = input.appendingPathComponent(folder).appendingPathComponent("series\(n % 2)/IM\(n).dcm")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(FolderImportTests.instance(study: study, series: series, sop: "\(study).9.\(n)", patientID: patientID, number: n)).write(to: url)
            }
        }

        func write(_ bytes: [UInt8], to relative: String) throws {
            let url = input.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }

        func run(jobs: Int = 3, journal: URL? = nil) async throws -> ImportSummary {
            try await FolderImport(folder: input, destination: destination, options: .init(jobs: jobs, journal: journal)).run()
        }
    }

    /// A 4x4 16-bit CT instance in Explicit VR Little Endian.
    static func instance(study: String, series: String, sop: String, patientID: String, number: Int) throws -> [UInt8] {
        var ds = DataSet()
        try ds.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try ds.setString(sop, for: .sopInstanceUID)
        try ds.setString(study, for: .studyInstanceUID)
        try ds.setString(series, for: .seriesInstanceUID)
        try ds.setString(patientID, for: .patientID)
        try ds.setString("Zhang^Wei", for: .patientName)
        try ds.setString("20260115", for: .studyDate)
        try ds.setString("CT", for: .modality)
        try ds.setString("ACC-\(patientID)", for: .accessionNumber)
        try ds.setString("Test Hospital", for: Tag(0x0008, 0x0080))
        try ds.setString(String(number), for: .instanceNumber)
        try ds.setInt(4, for: .rows)
        try ds.setInt(4, for: .columns)
        try ds.setInt(16, for: .bitsAllocated)
        try ds.setInt(12, for: .bitsStored)
        try ds.setInt(11, for: .highBit)
        try ds.setInt(0, for: .pixelRepresentation)
        try ds.setInt(1, for: .samplesPerPixel)
        try ds.setString("MONOCHROME2", for: .photometricInterpretation)
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: (0..<32).map { UInt8(($0 + number) & 0xFF) }))
        return try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).encoded()
    }

    @Test func importingTheSameFolderTwiceSkipsEveryFileTheSecondTime() async throws {
        let f = try await Fixture()
        try f.writeSeries(12)
        let first = try await f.run()
        #expect(first.stored == 12)
        #expect(first.duplicates == 0 && first.failed == 0 && first.skipped == 0)
        #expect(first.progress.filesTotal == 12)

        let second = try await f.run()
        #expect(second.skipped == 12)
        #expect(second.progress.processed == 0)
        #expect(second.stored == 0 && second.failed == 0)

        let page = try await f.store.worklist(WorklistQuery(), scope: .all)
        #expect(page.total == 1)
        #expect(page.items.first?.instanceCount == 12)
        #expect(page.items.first?.seriesCount == 2)
        // What the viewer asks next, in every scope form (their SQL once lacked a space before the scope condition).
        for scope in [AccessScope.all, .hospital("h1"), .department(hospitalId: "h1", department: "")] {
            let stored = try await f.store.storedInstance("1.2.826.0.1.3680043.10.1.9.3", scope: scope)
            #expect(stored.studyInstanceUID == "1.2.826.0.1.3680043.10.1")
            #expect(try await f.store.patientHistory(ofStudy: "1.2.826.0.1.3680043.10.1", scope: scope).isEmpty)
        }
        await f.close()
    }

    @Test func withoutTheJournalEveryFileComesBackAsADuplicate() async throws {
        let f = try await Fixture()
        try f.writeSeries(6)
        _ = try await f.run()
        let fresh = try await f.run(journal: f.root.appendingPathComponent("other.journal"))
        #expect(fresh.duplicates == 6)
        #expect(fresh.stored == 0 && fresh.skipped == 0)
        let page = try await f.store.worklist(WorklistQuery(), scope: .all)
        #expect(page.items.first?.instanceCount == 6)
        await f.close()
    }

    @Test func aCorruptFileIsReportedAndTheRestAreImported() async throws {
        let f = try await Fixture()
        try f.writeSeries(8)
        try f.write(Array("this is not DICOM at all".utf8), to: "series0/README.dcm")
        var truncated = try Self.instance(study: "1.2.3.4", series: "1.2.3.4.1", sop: "1.2.3.4.1.1", patientID: "P2", number: 1)
        truncated.removeLast(truncated.count - 200)
        try f.write(truncated, to: "broken/truncated.dcm")
        var noUID = DataSet()
        try noUID.setString("CT", for: .modality)
        try f.write(try DicomFile(dataSet: noUID, transferSyntax: .explicitVRLittleEndian).encoded(), to: "broken/no-uids.dcm")

        let summary = try await f.run(jobs: 4)
        #expect(summary.stored == 8)
        #expect(summary.failed == 3)
        #expect(Set(summary.failures.map(\.path)) == ["series0/README.dcm", "broken/truncated.dcm", "broken/no-uids.dcm"])
        #expect(summary.failures.allSatisfy { !$0.reason.isEmpty })
        #expect(summary.failures.first { $0.path == "broken/no-uids.dcm" }?.reason.contains("UID") == true)

        // Failed files are not journaled: a rerun tries them again and skips the rest.
        let again = try await f.run()
        #expect(again.skipped == 8)
        #expect(again.failed == 3)
        await f.close()
    }

    @Test func aChangedFileIsImportedAgainAndDicomdirIsLeftOut() async throws {
        let f = try await Fixture()
        try f.writeSeries(3)
        try f.write(Array("DICOMDIR placeholder".utf8), to: "DICOMDIR")
        let first = try await f.run()
        #expect(first.stored == 3 && first.failed == 0)
        #expect(first.ignored == ["DICOMDIR"])
        // Rewritten later (same SOP Instance UID): the journal entry no longer matches; the store keeps the original.
        try f.write(try Self.instance(study: "1.2.826.0.1.3680043.10.1", series: "1.2.826.0.1.3680043.10.1.2", sop: "1.2.826.0.1.3680043.10.1.9.1",
                                      patientID: "P1", number: 1), to: "series1/IM1.dcm")
        let url = f.input.appendingPathComponent("series1/IM1.dcm")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: url.path)
        let second = try await f.run()
        #expect(second.skipped == 2)
        #expect(second.duplicates == 1)
        await f.close()
    }

    @Test func theJournalIgnoresATornLastLineAndRoundTripsOddPaths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("j.journal")
        let odd = ImportJournal.Key(path: "a\tb\\c\nd/e.dcm", size: 10, modified: 42)
        do {
            let journal = try ImportJournal(url: url)
            journal.record(odd, outcome: "stored")
            journal.record(.init(path: "plain.dcm", size: 5, modified: 7), outcome: "duplicate")
        }
        // A crash mid-record: a line without its newline.
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        handle.write(Data("99\t1\tstored\ttorn.d".utf8))
        try handle.close()

        let reopened = try ImportJournal(url: url)
        #expect(reopened.count == 2)
        #expect(reopened.contains(odd))
        #expect(reopened.contains(.init(path: "plain.dcm", size: 5, modified: 7)))
        #expect(!reopened.contains(.init(path: "plain.dcm", size: 6, modified: 7)))
        #expect(!reopened.contains(.init(path: "torn.d", size: 99, modified: 1)))
        // The torn line was closed: a new record reads back.
        reopened.record(.init(path: "after.dcm", size: 1, modified: 1), outcome: "stored")
        #expect(try ImportJournal(url: url).contains(.init(path: "after.dcm", size: 1, modified: 1)))
    }

    @Test func progressShowsRatesAndAnEstimate() {
        let p = ImportProgress(filesTotal: 300, bytesTotal: 300_000_000, skipped: 100, bytesSkipped: 100_000_000, processed: 50,
                               bytesProcessed: 50_000_000, stored: 49, duplicates: 0, failed: 1, elapsed: 10)
        #expect(p.filesDone == 150)
        #expect(p.filesPerSecond == 5)
        #expect(p.megabytesPerSecond == 5)
        #expect(p.secondsLeft == 30)
        #expect(p.line == "import: 150/300 files (50%), 5.0 files/s, 5.0 MB/s, ETA 0:30, 1 failed")
        let bar = p.bar(width: 100)
        #expect(bar.hasPrefix("[" + String(repeating: "#", count: bar.dropFirst().prefix { $0 == "#" }.count)))
        #expect(bar.contains("150/300") && bar.contains("ETA 0:30") && bar.contains("1 failed"))
        #expect(ImportProgress.duration(3725) == "1:02:05")
        #expect(ImportProgress.duration(nil) == "--:--")
    }
}
