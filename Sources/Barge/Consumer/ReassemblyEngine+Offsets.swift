import RdKafka

extension ReassemblyEngine {
    /// Commits, and waits for, the safe offsets of every partition read,
    /// counting every event handed out so far as handled.
    func commit() async throws {
        acknowledgeHandedOut()
        let offsets = state.commitOffsets()
        guard !offsets.isEmpty, offsets != lastCommitted else { return }
        try await consumer.commit(offsets)
        lastCommitted = offsets
        lastCommit = .now
    }

    /// Starts a commit of handled messages when the interval has passed.
    func commitIfDue() async {
        guard ContinuousClock.now - lastCommit >= configuration.commitInterval else { return }
        lastCommit = .now
        let offsets = state.commitOffsets()
        guard !offsets.isEmpty, offsets != lastCommitted else { return }
        do {
            try consumer.commitAsync(offsets)
            lastCommitted = offsets
        } catch {
            logger.warning("commit failed: \(error)")
        }
    }

    /// The rebalance hook: before revoked partitions go, commits what was
    /// handled in them (not for lost ones: they belong to another member
    /// already) and forgets their state.
    func rebalanced(_ event: KafkaRebalanceEvent) async {
        guard event.kind != .assigned, !isClosed else { return }
        let partitions = Set(event.partitions)
        if event.kind == .revoked {
            let offsets = state.commitOffsets(only: partitions)
            if !offsets.isEmpty {
                do { try await consumer.commit(offsets) } catch { logger.warning("commit on revoke failed: \(error)") }
            }
        }
        try? await perform(state.drop(partitions))
        lastCommitted.removeAll { partitions.contains($0.topicPartition) }
    }
}
