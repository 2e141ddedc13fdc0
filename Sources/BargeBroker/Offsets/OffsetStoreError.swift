/// An error raised by `CommittedOffsetStore`, with the Kafka error code a
/// broker answers with.
///
/// The kinds are behind a private enum so that new kinds never break callers;
/// compare with the static members (`error.kind == .metadataTooLarge`) or read
/// `message`, which names what was wrong and where.
struct OffsetStoreError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What kind of problem was found.
    struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case metadataTooLarge, nameTooLong, corrupt, storage
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A commit's metadata is longer than `offset.metadata.max.bytes`.
        /// Kafka: OFFSET_METADATA_TOO_LARGE (12).
        static let metadataTooLarge = Kind(.metadataTooLarge)
        /// A group id or topic name is longer than the file format holds (65535 UTF-8 bytes).
        /// Kafka: INVALID_COMMIT_OFFSET_SIZE (28), as for a commit too large to append.
        static let nameTooLong = Kind(.nameTooLong)
        /// The offsets file is not one this store wrote (bad header, or a
        /// checksummed record it cannot read); nothing was changed on disk.
        /// Kafka: KAFKA_STORAGE_ERROR (56).
        static let corrupt = Kind(.corrupt)
        /// A file operation failed (disk full, I/O error, permissions), or the
        /// store is closed or unusable after an earlier failure.
        /// Kafka: NOT_COORDINATOR (16), which Kafka answers an OffsetCommit
        /// with when its append fails with KAFKA_STORAGE_ERROR; clients retry.
        static let storage = Kind(.storage)

        var description: String { "\(backing)" }
    }

    /// What kind of problem was found.
    let kind: Kind
    /// A sentence naming what was wrong.
    let message: String

    /// An error of `kind`, with a sentence naming what was wrong.
    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The Kafka protocol error code for this error.
    var kafkaErrorCode: Int16 {
        switch kind {
        case .metadataTooLarge: 12
        case .nameTooLong: 28
        case .storage: 16
        default: 56
        }
    }

    var description: String { "OffsetStoreError(\(kind)): \(message)" }
}
