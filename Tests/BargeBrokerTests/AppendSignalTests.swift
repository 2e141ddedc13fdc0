@testable import BargeBroker
import Testing

@Suite("Append signal for long-polling fetches", .timeLimit(.minutes(3)))
struct AppendSignalTests {
    let clock = ContinuousClock()

    @Test("a wait without appends lasts its timeout, and not less")
    func timeout() async {
        let signal = AppendSignal()
        let started = clock.now
        await signal.wait(after: signal.generation, timeout: .milliseconds(100))
        #expect(clock.now - started >= .milliseconds(100))
        #expect(signal.waiterCount == 0)
    }

    @Test("an append between reading the generation and waiting is not missed")
    func appendBeforeWait() async {
        let signal = AppendSignal()
        let generation = signal.generation
        signal.notify()
        let started = clock.now
        await signal.wait(after: generation, timeout: .seconds(120))
        #expect(clock.now - started < .seconds(60))
    }

    @Test("an append wakes every waiter early")
    func wakesWaiters() async {
        let signal = AppendSignal()
        let started = clock.now
        let generation = signal.generation
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask { await signal.wait(after: generation, timeout: .seconds(120)) }
            }
            await waitUntil { signal.waiterCount == 5 }
            signal.notify()
        }
        #expect(clock.now - started < .seconds(60))
        #expect(signal.waiterCount == 0)
    }

    @Test("cancelling a waiting task ends its wait")
    func cancellation() async {
        let signal = AppendSignal()
        let started = clock.now
        let waiter = Task { await signal.wait(after: signal.generation, timeout: .seconds(120)) }
        await waitUntil { signal.waiterCount == 1 }
        waiter.cancel()
        await waiter.value
        #expect(clock.now - started < .seconds(60))
        #expect(signal.waiterCount == 0)
    }

    /// Waits until `condition` holds, checking every 10 ms; records an issue after 60 s.
    private func waitUntil(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async {
        let deadline = clock.now + .seconds(60)
        while !condition() {
            guard clock.now < deadline else {
                Issue.record("condition not met within 60 s", sourceLocation: sourceLocation)
                return
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
