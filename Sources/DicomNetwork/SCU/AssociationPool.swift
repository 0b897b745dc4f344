import NIOCore

/// Keeps associations to one remote AE open between operations, so a burst of C-FINDs or C-STOREs pays the
/// connect and A-ASSOCIATE round trips once.
///
/// Each pooled association lives in its own task (an ``Association`` is used by one task at a time); operations
/// are handed to an idle one, or to a new one while fewer than `maximumAssociations` are open, or wait. An
/// association that fails during an operation is aborted and dropped; one the peer closed while idle is replaced
/// before the operation starts.
///
/// ```swift
/// let pool = AssociationPool(client: client, contexts: [PresentationContextProposal(id: 1, abstractSyntax: InformationModel.studyRoot.find,
///                                                                                 transferSyntaxes: TransferSyntaxUID.uncompressed)])
/// let studies = try await pool.withAssociation { a in try await a.find(.studyRoot, identifier: keys) }
/// await pool.close()
/// ```
public actor AssociationPool {
    /// The remote AE and how to reach it.
    public let client: DicomClient
    /// Presentation contexts every pooled association proposes.
    public let contexts: [PresentationContextProposal]
    /// Role selections every pooled association proposes.
    public let roleSelections: [RoleSelection]
    /// At most this many associations are open at once.
    public let maximumAssociations: Int

    private var idle: [Worker] = []
    private var open = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var isClosed = false

    /// A pool for `client`'s remote AE.
    public init(client: DicomClient, contexts: [PresentationContextProposal], roleSelections: [RoleSelection] = [], maximumAssociations: Int = 4) {
        self.client = client
        self.contexts = contexts
        self.roleSelections = roleSelections
        self.maximumAssociations = max(1, maximumAssociations)
    }

    /// The number of associations open now (idle or busy).
    public var openAssociations: Int { open }

    /// Runs `body` on a pooled association. If `body` throws, that association is aborted and not reused.
    public func withAssociation<R: Sendable>(_ body: @escaping @Sendable (Association) async throws -> R) async throws -> R {
        // A stale idle association (closed by the peer's idle timeout) is replaced once per attempt.
        for _ in 0..<(maximumAssociations + 1) {
            let worker = try await checkout()
            do {
                let result = try await worker.perform(body)
                checkin(worker)
                return result
            } catch is StaleAssociation {
                drop(worker)
            } catch {
                drop(worker)
                throw error
            }
        }
        throw DicomNetworkError(.connectionClosed, "no usable association to \(client.calledAE)@\(client.host):\(client.port)")
    }

    /// Releases every idle association; busy ones are released when their operation ends. Later calls fail.
    public func close() async {
        isClosed = true
        let workers = idle
        idle = []
        for w in workers { await w.finish() }
        for w in waiting { w.resume() }
        waiting = []
    }

    private func checkout() async throws -> Worker {
        while true {
            if isClosed { throw DicomNetworkError(.connectionClosed, "the association pool is closed") }
            if let worker = idle.popLast() { return worker }
            if open < maximumAssociations {
                open += 1
                do {
                    return try await Worker.start(client: client, contexts: contexts, roleSelections: roleSelections)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    private func checkin(_ worker: Worker) {
        if isClosed {
            open -= 1
            Task { await worker.finish() }
        } else {
            idle.append(worker)
        }
        wakeOne()
    }

    private func drop(_ worker: Worker) {
        open -= 1
        Task { await worker.finish() }
        wakeOne()
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }
}

/// The pooled association had been closed by the peer before the operation started.
struct StaleAssociation: Error {}

/// One pooled association and the task that owns it; operations reach it as jobs through a stream.
final class Worker: Sendable {
    /// Runs on the association; returns whether the association may be reused.
    typealias Job = @Sendable (Association?) async -> Bool

    private let jobs: AsyncStream<Job>.Continuation
    private let task: Task<Void, Never>

    private init(jobs: AsyncStream<Job>.Continuation, task: Task<Void, Never>) {
        self.jobs = jobs
        self.task = task
    }

    /// Opens the association; returns once it is established, or throws why it could not be.
    static func start(client: DicomClient, contexts: [PresentationContextProposal], roleSelections: [RoleSelection]) async throws -> Worker {
        let (stream, continuation) = AsyncStream.makeStream(of: Job.self)
        let ready = AsyncStream.makeStream(of: Result<Void, Error>.self)
        let task = Task {
            do {
                try await client.withAssociation(contexts, roleSelections: roleSelections) { a in
                    ready.continuation.yield(.success(()))
                    for await job in stream {
                        guard await job(a) else { throw StaleAssociation() }
                    }
                }
            } catch {
                ready.continuation.yield(.failure(error))
            }
            // A worker is used by one caller at a time and a failed job drops it, so nothing is queued here any more.
            continuation.finish()
        }
        var iterator = ready.stream.makeAsyncIterator()
        guard let first = await iterator.next() else { throw DicomNetworkError(.connectionClosed, "association task ended") }
        try first.get()
        return Worker(jobs: continuation, task: task)
    }

    func perform<R: Sendable>(_ body: @escaping @Sendable (Association) async throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<R, Error>) in
            let job: Job = { a in
                guard let a, a.state == .established, a.channel.isActive else {
                    done.resume(throwing: StaleAssociation())
                    return false
                }
                do {
                    done.resume(returning: try await body(a))
                    return true
                } catch {
                    done.resume(throwing: error)
                    return false
                }
            }
            if case .terminated = jobs.yield(job) { done.resume(throwing: StaleAssociation()) }
        }
    }

    /// Ends the job stream: the owning task releases the association (or has already ended it).
    func finish() async {
        jobs.finish()
        await task.value
    }
}
