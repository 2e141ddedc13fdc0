import Barge

/// `barge receive --json`: one line per payload received, skipped or failed.
struct ReceiveEvent: Encodable {
    /// `received`, `skipped` or `failed`.
    var event: String
    var id: String?
    var topic: String?
    var partition: Int32?
    var offset: Int64?
    var size: Int64?
    var sha256: String?
    var file: String?
    /// For `failed`: the failure's kind (corrupt, missingChunk, expired, ...) and message.
    var kind: String?
    var message: String?
    /// For `received`: why the payload is not under its sender's file name, if it is not.
    var note: String?

    init(received id: String, info: BargeMessageInfo, verified: BargeMessageInfo, file: String, note: String?) {
        event = "received"
        self.id = id
        topic = info.topic
        partition = info.partition
        offset = info.offset
        size = verified.size ?? 0
        sha256 = verified.sha256.map { "\($0)" }
        self.file = file
        self.note = note
    }

    init(skipped id: String, file: String) {
        event = "skipped"
        self.id = id
        self.file = file
    }

    init(failure: BargeConsumerError) {
        event = "failed"
        id = failure.id?.text
        topic = failure.topicPartition?.topic
        partition = failure.topicPartition?.partition
        offset = failure.firstOffset
        kind = "\(failure.kind)"
        message = failure.message
    }
}
