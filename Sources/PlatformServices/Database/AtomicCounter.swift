import Synchronization

/// A monotonically increasing counter shared between tasks.
final class ManagedAtomicCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue & Int.max }
}
