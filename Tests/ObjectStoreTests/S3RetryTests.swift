@testable import ObjectStore
import Logging
import Testing

@Suite("S3 retries")
struct S3RetryTests {
    @Test("backoff doubles from the initial pause up to the cap, with jitter between half and all of it")
    func backoff() {
        let policy = S3RetryPolicy()
        #expect(policy.backoff(beforeRetry: 1, jitter: 1) == .milliseconds(100))
        #expect(policy.backoff(beforeRetry: 1, jitter: 0) == .milliseconds(50))
        #expect(policy.backoff(beforeRetry: 2, jitter: 1) == .milliseconds(200))
        #expect(policy.backoff(beforeRetry: 4, jitter: 0.5) == .milliseconds(600))
        #expect(policy.backoff(beforeRetry: 7, jitter: 1) == .seconds(5))
        #expect(policy.backoff(beforeRetry: 1000, jitter: 1) == .seconds(5))
        #expect(policy.backoff(beforeRetry: 3, jitter: 7) == .milliseconds(400))
        #expect(S3RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    /// Records the pauses a retrier takes instead of sleeping.
    private actor Pauses {
        var taken: [Duration] = []

        func add(_ pause: Duration) { taken.append(pause) }
    }

    @Test("retries .unavailable until it succeeds, pausing per the policy")
    func retriesUntilSuccess() async throws {
        let pauses = Pauses()
        let retrier = S3Retrier(policy: S3RetryPolicy(maxAttempts: 5), random: { 0 }, sleep: { await pauses.add($0) })
        var attempts = 0
        let result = try await retrier.run("test", logger: Logger(label: "test")) { () async throws -> String in
            attempts += 1
            if attempts < 4 { throw ObjectStoreError(.unavailable, "503") }
            return "ok"
        }
        #expect(result == "ok")
        #expect(attempts == 4)
        #expect(await pauses.taken == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
    }

    @Test("gives up after maxAttempts with the last error, and never retries other kinds")
    func givesUp() async {
        let pauses = Pauses()
        let retrier = S3Retrier(policy: S3RetryPolicy(maxAttempts: 3), random: { 1 }, sleep: { await pauses.add($0) })
        var attempts = 0
        await #expect {
            try await retrier.run("test", logger: Logger(label: "test")) { () async throws -> Void in
                attempts += 1
                throw ObjectStoreError(.unavailable, "attempt \(attempts)")
            }
        } throws: { ($0 as? ObjectStoreError)?.message == "attempt 3" }
        #expect(await pauses.taken == [.milliseconds(100), .milliseconds(200)])

        attempts = 0
        await #expect {
            try await retrier.run("test", logger: Logger(label: "test")) { () async throws -> Void in
                attempts += 1
                throw ObjectStoreError(.accessDenied, "no")
            }
        } throws: { ($0 as? ObjectStoreError)?.kind == .accessDenied }
        #expect(attempts == 1)
    }
}
