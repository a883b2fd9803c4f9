import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends due webhook deliveries: each as a POST with the subscription's token or headers, answered
/// within the timeout or retried on the schedule; redirects are not followed. Woken by the store
/// when an event is emitted and by a timer when a retry falls due (and once a minute, for the
/// effective-date events).
final class WebhookDispatcher: Sendable {
    private let store: SandboxStore
    private let http: HTTPClient
    private let wake: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let loop = TaskHolder()
    private let timer = WakeTimer()

    init(store: SandboxStore) {
        self.store = store
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        (wake, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func start() async {
        await store.setWebhookWake(continuation)
        let (wake, continuation, store) = (wake, continuation, store)
        loop.set(Task { [self] in
            let minute = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(60))
                    continuation.yield()
                }
            }
            for await _ in wake {
                if Task.isCancelled { break }
                let (due, nextDue) = await store.takeDueDeliveries(at: Date())
                for delivery in due { Task { await self.send(delivery) } }
                if let nextDue { schedule(at: nextDue) }
            }
            minute.cancel()
        })
        continuation.yield()
    }

    func shutdown() async {
        continuation.finish()
        loop.cancel()
        try? await http.shutdown()
    }

    /// Wakes the loop at `instant`, unless a wake at that time or earlier is already pending (one
    /// sleeping task per earliest due time, not one per pass).
    private func schedule(at instant: Date) {
        guard timer.claim(instant) else { return }
        let (continuation, timer) = (continuation, timer)
        Task {
            let wait = instant.timeIntervalSinceNow
            if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
            timer.release(instant)
            continuation.yield()
        }
    }

    private func send(_ delivery: SandboxStore.Delivery) async {
        var status: Int?
        var failure: String?
        for _ in 0..<delivery.copies {
            var request = HTTPClientRequest(url: delivery.url)
            request.method = .POST
            for (name, value) in delivery.headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: delivery.body))
            do {
                let response = try await http.execute(request, timeout: .milliseconds(Int64(delivery.timeoutMs)))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                status = Int(response.status.code)
                failure = nil
            } catch {
                status = nil
                failure = String(describing: error).prefix(200).description
            }
        }
        await store.recordDelivery(eventID: delivery.eventID, status: status, error: failure, at: Date())
        continuation.yield()
    }
}

/// Holds the dispatcher's loop task so it can be cancelled from a `Sendable` class.
final class TaskHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func set(_ task: Task<Void, Never>) { lock.withLock { self.task = task } }
    func cancel() { lock.withLock { task?.cancel() } }
}

/// The earliest pending wake of the dispatcher.
final class WakeTimer: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: Date?

    /// Whether a wake at `instant` should be scheduled: no wake at that time or earlier is pending.
    func claim(_ instant: Date) -> Bool {
        lock.withLock {
            if let pending, pending <= instant { return false }
            pending = instant
            return true
        }
    }

    func release(_ instant: Date) {
        lock.withLock { if pending == instant { pending = nil } }
    }
}
