import Barge

/// What a use case's producers sent and its consumers verified, keyed by
/// message id: a payload counts as verified when Barge ended it without an
/// error (size and SHA-256 checked) and its digest is the one the producer
/// computed.
actor DemoTally {
    private var sent: [BargeMessageID: BargeDigest] = [:]
    private var received: [BargeMessageID: BargeDigest] = [:]
    private(set) var failures: [String] = []
    private(set) var duplicates = 0

    func sent(_ receipt: BargeReceipt) {
        sent(id: receipt.id, sha256: receipt.sha256)
    }

    /// Records a payload sent as message `id` (the bridge names the messages it makes).
    func sent(id: BargeMessageID, sha256: BargeDigest) {
        sent[id] = sha256
    }

    /// Records a verified payload.
    func received(_ info: BargeMessageInfo) {
        guard let id = info.id, let digest = info.sha256 else {
            failures.append("a message without id or digest at \(info.topicPartition)@\(info.offset)")
            return
        }
        if received.updateValue(digest, forKey: id) != nil { duplicates += 1 }
    }

    func failed(_ what: String) {
        failures.append(what)
    }

    var receivedCount: Int { received.count }

    /// Whether every payload sent arrived with its digest and nothing failed.
    var allVerified: Bool {
        failures.isEmpty && !sent.isEmpty && sent == received
    }
}
