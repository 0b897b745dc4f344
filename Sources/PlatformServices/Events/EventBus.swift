import Synchronization

/// Something that happened that other parts (web sockets, caches, other portal nodes) may care about.
public enum PlatformEvent: Sendable, Hashable {
    /// An instance of a study arrived (first instance of a study included).
    case instanceStored(studyUID: String, sopInstanceUID: String)
    /// A study's status changed (scheduled → imaging → report).
    case studyStatusChanged(studyUID: String, status: StudyStatus)
}

/// Publish/subscribe between the platform's parts. In process now; PostgreSQL LISTEN/NOTIFY can share it across nodes.
public protocol EventBus: Sendable {
    /// Delivers `event` to current subscribers (never blocks the publisher).
    func publish(_ event: PlatformEvent)
    /// A stream of events published after the call; ends when the consumer stops iterating.
    func subscribe() -> AsyncStream<PlatformEvent>
}

/// An `EventBus` within one process.
public final class InProcessEventBus: EventBus {
    private let subscribers = Mutex<[Int: AsyncStream<PlatformEvent>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    /// Creates a bus with no subscribers.
    public init() {}

    public func publish(_ event: PlatformEvent) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(event) }
    }

    public func subscribe() -> AsyncStream<PlatformEvent> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<PlatformEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }
}
