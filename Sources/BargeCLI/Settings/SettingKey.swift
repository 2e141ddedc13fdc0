import Foundation

/// A setting the Kafka-facing commands (send, receive, topics) take from a
/// flag, an environment variable or a config file, in that order.
enum SettingKey: String, CaseIterable, Sendable {
    case bootstrapServers = "bootstrap-servers"
    case topic
    case group
    case store
    case encryptionKeyFile = "encryption-key-file"
    case onBadRecord = "on-bad-record"

    /// The key in a config file: the flag's name, `bootstrap-servers`.
    var fileKey: String { rawValue }

    /// The flag, `--bootstrap-servers`.
    var flag: String { "--" + rawValue }

    /// The environment variable, `BARGE_BOOTSTRAP_SERVERS`.
    var environmentVariable: String { "BARGE_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// What a value looks like, for error messages.
    var placeholder: String {
        switch self {
        case .bootstrapServers: "HOST:PORT"
        case .topic: "NAME"
        case .group: "GROUP"
        case .store: "URL"
        case .encryptionKeyFile: "FILE"
        case .onBadRecord: "report|skip|stop|dead-letter TOPIC"
        }
    }
}
