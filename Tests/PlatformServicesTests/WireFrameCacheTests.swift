import ImagingKit
import Testing
@testable import PlatformServices

/// The viewer's frame cache keeps what was served until its byte budget is spent, then forgets the least recently used.
@Suite struct WireFrameCacheTests {
    static func instance(_ n: Int, syntax: String = "1.2.840.10008.1.2.1") -> StoredInstance {
        StoredInstance(sopInstanceUID: "1.2.3.\(n)", studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.0",
                       storageKey: "dicom/1.2.3/1.2.3.0/1.2.3.\(n).dcm", transferSyntaxUID: syntax, frameCount: 1,
                       patientId: "P", hospitalId: "h1")
    }

    static func piece(_ size: Int) throws -> Gzip.Piece { try Gzip.Piece(stored: [UInt8](repeating: 7, count: size)) }

    @Test func aKeptFrameIsFoundUnderItsObjectSyntaxAndNumberOnly() async throws {
        let cache = WireFrameCache(budget: 10_000)
        let piece = try Self.piece(100)
        await cache.insert(piece, for: .init(Self.instance(1), frame: 1))
        #expect(await cache.piece(.init(Self.instance(1), frame: 1)) == piece)
        #expect(await cache.piece(.init(Self.instance(1), frame: 2)) == nil)
        #expect(await cache.piece(.init(Self.instance(2), frame: 1)) == nil)
        #expect(await cache.piece(.init(Self.instance(1, syntax: "1.2.840.10008.1.2.4.80"), frame: 1)) == nil, "a transcoded object is another entry")
    }

    @Test func pastTheBudgetTheLeastRecentlyUsedFramesGoFirst() async throws {
        let cache = WireFrameCache(budget: 1_000)
        for n in 1...9 { await cache.insert(try Self.piece(95), for: .init(Self.instance(n), frame: 1)) } // 100 bytes each
        _ = await cache.piece(.init(Self.instance(1), frame: 1))   // frame 1 is now the most recently used
        await cache.insert(try Self.piece(195), for: .init(Self.instance(10), frame: 1))
        let usage = await cache.usage
        #expect(usage.bytes <= 750)
        #expect(await cache.piece(.init(Self.instance(1), frame: 1)) != nil)
        #expect(await cache.piece(.init(Self.instance(10), frame: 1)) != nil)
        #expect(await cache.piece(.init(Self.instance(2), frame: 1)) == nil)
        #expect(await cache.piece(.init(Self.instance(9), frame: 1)) != nil)
    }

    /// Counts the calls of a `make`.
    actor Calls {
        var count = 0
        func add() { count += 1 }
    }

    @Test func concurrentRequestsForAFrameBeingMadeWaitForItAndAFailureIsTriedAgain() async throws {
        let cache = WireFrameCache(budget: 10_000)
        let calls = Calls()
        let key = WireFrameCache.Key(Self.instance(1), frame: 1)
        let made = try Self.piece(100)
        let pieces = try await withThrowingTaskGroup(of: Gzip.Piece.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await cache.piece(key) {
                        await calls.add()
                        try await Task.sleep(for: .milliseconds(100))
                        return made
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(pieces == Array(repeating: made, count: 8))
        #expect(await calls.count == 1, "read and decoded once")
        #expect(await cache.piece(key) == made)

        struct Refused: Error {}
        let other = WireFrameCache.Key(Self.instance(2), frame: 1)
        await #expect(throws: Refused.self) { try await cache.piece(other) { await calls.add(); throw Refused() } }
        #expect(try await cache.piece(other) { await calls.add(); return made } == made, "the next caller tries again")
        #expect(await calls.count == 3)
    }

    @Test func aFrameLargerThanTheBudgetIsNotKept() async throws {
        let cache = WireFrameCache(budget: 50)
        await cache.insert(try Self.piece(95), for: .init(Self.instance(1), frame: 1))
        #expect(await cache.usage.frames == 0)
    }
}
