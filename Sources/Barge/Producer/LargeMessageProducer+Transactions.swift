import KafkaValues

extension LargeMessageProducer {
    /// Runs `body` in one Kafka transaction: every message it sends (each
    /// record of a chunked message, each claim-check reference) becomes
    /// visible to read_committed consumers when `body` returns and the
    /// commit succeeds, or never, if `body` throws or the commit fails
    /// (the transaction is aborted and the error rethrown). A producer that
    /// dies midway leaves nothing a read_committed consumer sees: the
    /// coordinator aborts its transaction at its timeout or when the next
    /// producer with the same transactional id starts.
    ///
    /// ```swift
    /// try await producer.inTransaction {
    ///     _ = try await producer.send(contentsOf: "video.mp4", topic: "media")
    ///     _ = try await producer.send(contentsOf: "thumbnail.jpg", topic: "media")
    /// }
    /// ```
    ///
    /// Transactions of one producer run one after another: a second
    /// `inTransaction` waits for the first. Sends from other tasks while one
    /// runs join it. Claim-check objects of an aborted transaction stay in
    /// the store, unreferenced for read_committed readers, until the
    /// claim-check janitor removes them. Throws `BargeProducerError`
    /// (`.invalidArgument`) when the transport is not transactional.
    public func inTransaction<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        guard let transport = producer as? any TransactionalProducerTransport else {
            throw BargeProducerError(.invalidArgument, "sending in a transaction needs a transactional producer (set its transactional id)")
        }
        await transactionGate.enter()
        do {
            let result = try await Self.run(body, in: transport)
            await transactionGate.leave()
            return result
        } catch {
            await transactionGate.leave()
            throw error
        }
    }

    private static func run<Result: Sendable>(
        _ body: () async throws -> Result, in transport: any TransactionalProducerTransport
    ) async throws -> Result {
        try await transport.beginTransaction()
        let result: Result
        do {
            result = try await body()
        } catch {
            try? await transport.abortTransaction()
            throw error
        }
        do {
            try await transport.commitTransaction()
        } catch {
            try? await transport.abortTransaction()
            throw error
        }
        return result
    }
}

/// Lets one task at a time through, the others in arrival order.
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
