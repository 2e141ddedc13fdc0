import KafkaLog
import NIOConcurrencyHelpers

/// What a remote read gave a fetch within `remote.fetch.max.wait.ms`.
enum RemoteFetchOutcome: Sendable {
    case records(LogReadResult)
    /// Not done in time: the fetch answers without records; the read goes on and fills the cache.
    case timedOut
    case failed(any Error)
}

extension RemoteLogManager {
    /// Reads from the remote tier, giving up waiting after `remote.fetch.max.wait.ms`.
    /// A read that finishes after its fetch gave up closes its file handles.
    func readWithin(
        topic: Topic, partition: Int32, log: PartitionLog, offset: Int64, maxBytes: Int, minOneBatch: Bool, isolation: IsolationLevel
    ) async -> RemoteFetchOutcome {
        let read = Task {
            try await self.read(topic: topic, partition: partition, log: log, offset: offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                                isolation: isolation)
        }
        let timeoutMs = config.fetchMaxWaitMs
        return await withCheckedContinuation { (continuation: CheckedContinuation<RemoteFetchOutcome, Never>) in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try? await Task.sleep(for: .milliseconds(timeoutMs))
                once.resume(.timedOut)
            }
            Task {
                let result = await read.result
                timer.cancel()
                let outcome: RemoteFetchOutcome
                switch result {
                case .success(let records): outcome = .records(records)
                case .failure(let error): outcome = .failed(error)
                }
                if !once.resume(outcome), case .success(let late) = result { late.records.closeFileHandles() }
            }
        }
    }
}

/// Resumes a continuation with the first outcome only.
private final class ResumeOnce: Sendable {
    private let continuation: NIOLockedValueBox<CheckedContinuation<RemoteFetchOutcome, Never>?>

    init(_ continuation: CheckedContinuation<RemoteFetchOutcome, Never>) {
        self.continuation = NIOLockedValueBox(continuation)
    }

    /// Whether this call resumed it.
    @discardableResult
    func resume(_ outcome: RemoteFetchOutcome) -> Bool {
        guard let continuation = continuation.withLockedValue({ stored in
            defer { stored = nil }
            return stored
        }) else { return false }
        continuation.resume(returning: outcome)
        return true
    }
}
