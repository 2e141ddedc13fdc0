import NIOConcurrencyHelpers
@testable import RdKafka
import Testing

@Suite("ByteBudget: bounded in-flight bytes")
struct ByteBudgetTests {
    @Test("acquires within the limit at once and waits beyond it until a release")
    func waitsForRelease() async throws {
        let budget = ByteBudget(limit: 100)
        try await budget.acquire(60)
        try await budget.acquire(40)
        #expect(budget.inFlight == 100)
        let granted = NIOLockedValueBox(false)
        let waiter = Task {
            try await budget.acquire(30)
            granted.withLockedValue { $0 = true }
        }
        try await eventually { budget.waiterCount == 1 }
        #expect(granted.withLockedValue { $0 } == false)
        #expect(budget.inFlight == 100)
        budget.release(40)
        try await waiter.value
        #expect(granted.withLockedValue { $0 })
        #expect(budget.inFlight == 90)
    }

    @Test("waiters are served in arrival order: a small request does not overtake a large one")
    func fifo() async throws {
        let budget = ByteBudget(limit: 100)
        try await budget.acquire(100)
        let order = NIOLockedValueBox<[Int]>([])
        let large = Task { try await budget.acquire(80); order.withLockedValue { $0.append(80) } }
        try await eventually { budget.waiterCount == 1 }
        let small = Task { try await budget.acquire(10); order.withLockedValue { $0.append(10) } }
        try await eventually { budget.waiterCount == 2 }
        // 10 bytes would fit now, but the small request waits behind the large one
        // (release grants at once, so nothing granted here means nothing granted at all).
        budget.release(30)
        #expect(budget.waiterCount == 2)
        #expect(budget.inFlight == 70)
        #expect(order.withLockedValue { $0 }.isEmpty)
        budget.release(70)
        try await large.value
        try await small.value
        #expect(order.withLockedValue { $0 } == [80, 10])
    }

    @Test("a request larger than the limit passes when nothing else is in flight")
    func oversized() async throws {
        let budget = ByteBudget(limit: 10)
        try await budget.acquire(1000)
        #expect(budget.inFlight == 1000)
        budget.release(1000)
        #expect(budget.inFlight == 0)
    }

    @Test("a cancelled waiter throws and lets the next one through")
    func cancellation() async throws {
        let budget = ByteBudget(limit: 10)
        try await budget.acquire(10)
        let cancelled = Task { try await budget.acquire(5) }
        try await eventually { budget.waiterCount == 1 }
        let next = Task { try await budget.acquire(5) }
        try await eventually { budget.waiterCount == 2 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(budget.waiterCount == 1)
        budget.release(5)
        try await next.value
        #expect(budget.inFlight == 10)
    }
}
