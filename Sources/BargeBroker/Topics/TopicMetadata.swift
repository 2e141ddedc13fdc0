import Foundation
import KafkaProtocol

/// What is stored about a topic besides its logs: name, id, partition count
/// and the configs set on it. Kept as `<data-dir>/__topics/<name>.json`.
struct TopicMetadata: Codable, Sendable, Equatable {
    var name: String
    var id: String
    var partitionCount: Int32
    var configs: [String: String]

    var topicId: KafkaUUID { KafkaUUID(parsing: id) ?? .zero }
}

extension KafkaUUID {
    /// Parses the 8-4-4-4-12 hex form.
    init?(parsing text: String) {
        let hex = text.replacingOccurrences(of: "-", with: "")
        guard hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else {
            return nil
        }
        self.init(high: high, low: low)
    }
}
