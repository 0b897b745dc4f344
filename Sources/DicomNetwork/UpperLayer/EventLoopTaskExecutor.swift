import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop, so a task that prefers it runs on its channel's own thread.
///
/// An association's task that runs on the cooperative pool hops threads twice per DIMSE exchange: the event loop
/// wakes the task when a response arrives, and the task wakes the event loop to write the next request. With the
/// task on the channel's event loop both hand-overs stay on one thread (NIO runs writes from its own loop inline),
/// which is what a lock-step protocol such as synchronous C-STORE (one outstanding operation) waits on.
/// Only for tasks whose work between awaits is short: a job here holds up every channel on that loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
