import KafkaValues

extension ReassemblyEngine {
    /// Commits, and waits for, the safe offsets of every partition read;
    /// with `acknowledging`, every event handed out so far counts as handled.
    func commit(acknowledging: Bool = true) async throws {
        if acknowledging { acknowledgeHandedOut() }
        let offsets = state.commitOffsets()
        guard !offsets.isEmpty, configuration.commitsOffsets else { return }
        try await consumer.commit(offsets)
        lastCommitted = offsets
        lastCommit = .now
    }

    /// What ``commit(acknowledging:)`` would commit, every event handed out
    /// counted as handled, without committing it.
    func handledOffsets() -> [KafkaPartitionOffset] {
        acknowledgeHandedOut()
        return state.commitOffsets()
    }

    /// Starts a commit of handled messages when the interval has passed.
    func commitIfDue() async {
        guard configuration.commitsOffsets, ContinuousClock.now - lastCommit >= configuration.commitInterval else { return }
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
        let partitions = Set(event.partitions)
        guard event.kind != .assigned else {
            assigned.formUnion(partitions)
            return
        }
        assigned.subtract(partitions)
        guard !isClosed else { return }
        if event.kind == .revoked, configuration.commitsOffsets {
            let offsets = state.commitOffsets(only: partitions)
            if !offsets.isEmpty {
                do { try await consumer.commit(offsets) } catch { logger.warning("commit on revoke failed: \(error)") }
            }
        }
        try? await perform(state.drop(partitions))
        lastCommitted.removeAll { partitions.contains($0.topicPartition) }
    }
}

extension ReassemblyEngine {
    /// The consumer was assigned exactly `partitions` (no group rebalances).
    func assignedExplicitly(_ partitions: Set<KafkaTopicPartition>) async {
        let dropped = assigned.subtracting(partitions)
        assigned = partitions
        try? await perform(state.drop(dropped))
    }
}
