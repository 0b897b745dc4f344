import Foundation
import Testing
@testable import PlatformServices

/// Ingest writes the file under a key of its own while it reads the header; the index row commits only once the file
/// is kept, and a duplicate or a failure removes only its own copy.
@Suite struct IngestDurabilityTests {
    /// A file store whose device flush fails after the bytes are written (a failing disk): it removes the file and
    /// throws, as `putNew` must.
    struct FlushFailingStore: BlobStore {
        let files: FileBlobStore
        func put(_ key: String, bytes: [UInt8]) async throws { try await files.put(key, bytes: bytes) }
        func put(_ key: String, movingFileAt source: URL) async throws { try await files.put(key, movingFileAt: source) }
        func get(_ key: String) async throws -> [UInt8] { try await files.get(key) }
        func localPath(_ key: String) -> String? { files.localPath(key) }
        func exists(_ key: String) async -> Bool { await files.exists(key) }
        func delete(_ key: String) async throws { try await files.delete(key) }
        func putNew(_ key: String, bytes: [UInt8]) async throws {
            try await files.putNew(key, bytes: bytes)
            try await Task.sleep(for: .milliseconds(20))   // meanwhile the index transaction has run its statements
            try await files.delete(key)
            throw PlatformError(.storageFailure, "I/O error")
        }
    }

    /// The DICOM files in the store's folder, wherever they are.
    private func files(_ store: PlatformStore) throws -> [String] {
        let root = try #require(store.blobs as? FileBlobStore).root
        return try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".dcm") }
    }

    @Test func temporaryFilesOfAPutACrashInterruptedAreRemovedWhenTheStoreOpensAndYoungOnesStay() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let incoming = root.appendingPathComponent(".incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        let stale = incoming.appendingPathComponent("stale").path, young = incoming.appendingPathComponent("young").path
        #expect(FileManager.default.createFile(atPath: stale, contents: Data([1, 2, 3])))
        #expect(FileManager.default.createFile(atPath: young, contents: Data([4])))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -2 * FileBlobStore.staleTemporaryAge)], ofItemAtPath: stale)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: young)
        _ = try FileBlobStore(root: root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path) == ["young"])
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aMovedFileThatIsRefusedGoesBackWhereItWasAndADuplicateLeavesNoSecondCopy(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("move-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // An Encapsulated PDF without its document: the header reads, the index refuses it after the move.
            var report = TestInstance()
            report.sopClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
            let bytes = try report.bytes()
            let path = folder.appendingPathComponent("report.dcm").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            await #expect { try await store.ingest(fileAt: path, source: "test", move: true) } throws: { error in
                (error as? PlatformError)?.code == .invalidDicom
            }
            #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == bytes, "the caller's file is back, whole")
            #expect(try files(store).isEmpty, "and not kept in the store")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.dcm"])
            // A good file moves in; the same object moved in again is a duplicate and leaves no second copy.
            let image = TestInstance()
            let first = folder.appendingPathComponent("a.dcm").path, second = folder.appendingPathComponent("b.dcm").path
            try Data(try image.bytes()).write(to: URL(fileURLWithPath: first))
            try Data(try image.bytes()).write(to: URL(fileURLWithPath: second))
            #expect(try await store.ingest(fileAt: first, source: "test", move: true).kind == .stored)
            #expect(!FileManager.default.fileExists(atPath: first))
            #expect(try await store.ingest(fileAt: second, source: "test", move: true).kind == .duplicate)
            #expect(try files(store).count == 1)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func anObjectWhoseFileCannotBeKeptIsNotIndexed(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let files = try #require(store.blobs as? FileBlobStore)
            let failing = PlatformStore(database: store.database, blobs: FlushFailingStore(files: files), hasher: PasswordHasher(cost: 4))
            let instance = TestInstance()
            await #expect { try await failing.ingest(bytes: try instance.bytes(), source: "test") } throws: { error in
                (error as? PlatformError)?.code == .storageFailure
            }
            #expect(try await !store.instanceExists(instance.sopUID))
            await #expect(throws: PlatformError.self) { try await store.study(instance.studyUID, scope: .all) }
            #expect(try self.files(store).isEmpty)
            // The sender retries: now the file is kept and indexed.
            #expect(try await store.ingest(bytes: try instance.bytes(), source: "test").kind == .stored)
            #expect(try await store.study(instance.studyUID, scope: .all).instanceCount == 1)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func duplicatesAndUnreadableObjectsLeaveNoFileBehind(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let instance = TestInstance()
            #expect(try await store.ingest(bytes: try instance.bytes(), source: "test").kind == .stored)
            #expect(try await store.ingest(bytes: try instance.bytes(), source: "test").kind == .duplicate)
            await #expect(throws: PlatformError.self) { try await store.ingest(bytes: Array("DICM? no".utf8), source: "test") }
            #expect(try files(store).count == 1)
            let stored = try await store.storedInstance(instance.sopUID, scope: .all)
            #expect(try await store.blobs.get(stored.storageKey) == (try instance.bytes()))
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func concurrentIngestsOfOneSeriesKeepEveryInstance(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let first = TestInstance()
            let instances = (1...12).map { n in
                var instance = TestInstance()
                instance.studyUID = first.studyUID
                instance.seriesUID = first.seriesUID
                instance.instanceNumber = n
                return instance
            }
            let kinds = try await withThrowingTaskGroup(of: IngestOutcome.Kind.self) { group in
                for instance in instances + instances {   // each one twice, at the same time
                    let bytes = try instance.bytes()
                    group.addTask { try await store.ingest(bytes: bytes, source: "test").kind }
                }
                return try await group.reduce(into: [IngestOutcome.Kind]()) { $0.append($1) }
            }
            #expect(kinds.filter { $0 == .stored }.count == 12 && kinds.filter { $0 == .duplicate }.count == 12)
            #expect(try await store.study(first.studyUID, scope: .all).instanceCount == 12)
            #expect(try await store.instances(ofSeries: first.seriesUID, scope: .all).count == 12)
            #expect(try files(store).count == 12)
        }
    }

    @Test func newObjectsGoUnderTheirDayOfArrivalWithANameOfTheirOwn() {
        let arrival = Date(timeIntervalSince1970: 1_796_083_200)   // 2026-12-01T00:00:00Z
        let a = PlatformStore.newStorageKey(now: arrival), b = PlatformStore.newStorageKey(now: arrival)
        #expect(a.hasPrefix("dicom/2026/12/01/") && a.hasSuffix(".dcm"))
        #expect(a != b)
        #expect((try? validateBlobKey(a)) != nil)
    }
}
