import KafkaLog

/// Kafka's checks of a topic's configuration as a whole, beyond each value
/// on its own (`LogConfig.applying` checks those): the tiered-storage rules
/// of `LogConfig.validateTopicLogConfigValues`, with Kafka's messages. Used
/// by CreateTopics, AlterConfigs and IncrementalAlterConfigs, always on the
/// complete configuration a change would produce, so that a refused change
/// leaves nothing half-applied.
struct TopicConfigPolicy: Sendable {
    /// The broker's `remote.log.storage.system.enable`.
    let remoteStorageSystemEnabled: Bool

    /// Throws INVALID_CONFIG when `config` (replacing `existing`, nil for a new topic) breaks one of Kafka's rules.
    func check(_ config: LogConfig, replacing existing: LogConfig?) throws(TopicError) {
        guard config.remoteStorageEnable else {
            if existing?.remoteStorageEnable == true && !config.remoteLogDeleteOnDisable {
                throw Self.invalid("It is invalid to disable remote storage without deleting remote data. If you want to keep the remote data and turn to read only, please set `remote.storage.enable=true,remote.log.copy.disable=true`. If you want to disable remote storage and delete all remote data, please set `remote.storage.enable=false,remote.log.delete.on.disable=true`.")
            }
            return
        }
        guard remoteStorageSystemEnabled else {
            throw Self.invalid("Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.")
        }
        if config.isCompacted {
            throw Self.invalid("Remote log storage is unsupported for the compacted topics")
        }
        try Self.checkLocalRetention(config.localRetentionBytes, "local.retention.bytes", within: config.retentionBytes, "retention.bytes")
        try Self.checkLocalRetention(config.localRetentionMs, "local.retention.ms", within: config.retentionMs, "retention.ms")
        if config.remoteLogCopyDisable {
            if config.localRetentionBytes != -2 && config.localRetentionBytes != config.retentionBytes {
                throw Self.invalid("When `remote.log.copy.disable` is set to true, the `local.retention.bytes` and `retention.bytes` must be set to the identical value because there will be no more logs copied to the remote storage.")
            }
            if config.localRetentionMs != -2 && config.localRetentionMs != config.retentionMs {
                throw Self.invalid("When `remote.log.copy.disable` is set to true, the `local.retention.ms` and `retention.ms` must be set to the identical value because there will be no more logs copied to the remote storage.")
            }
        }
    }

    /// The local retention must not exceed a limited total retention (-1 is
    /// unlimited); -2 means "the total" (Kafka's `validateRemoteStorageRetentionSize` / `...Time`).
    private static func checkLocalRetention(
        _ local: Int64, _ localName: String, within total: Int64, _ totalName: String
    ) throws(TopicError) {
        guard total >= 0, local != -2 else { return }
        if local == -1 {
            throw invalid("Invalid value -1 for configuration \(localName): Value must not be -1 as \(totalName) value is set as \(total).")
        }
        if local > total {
            throw invalid("Invalid value \(local) for configuration \(localName): Value must not be more than \(totalName) property value: \(total)")
        }
    }

    private static func invalid(_ message: String) -> TopicError {
        TopicError(code: .invalidConfig, message: message)
    }
}
