import Foundation
import Metrics

/// Turns librdkafka's statistics JSON (`statistics.interval.ms`) into
/// swift-metrics gauges named `rdkafka.<field>`, with the client id as a dimension.
struct RDKafkaStatisticsReporter: Sendable {
    /// Top-level fields of librdkafka's STATISTICS.md that are reported.
    static let reportedFields = [
        "msg_cnt", "msg_size", "replyq", "tx", "tx_bytes", "rx", "rx_bytes",
        "txmsgs", "txmsg_bytes", "rxmsgs", "rxmsg_bytes",
    ]

    private let clientID: String
    private let factory: any MetricsFactory

    init(clientID: String, factory: any MetricsFactory) {
        self.clientID = clientID
        self.factory = factory
    }

    /// Reports one statistics document; a document that does not parse is ignored.
    func report(_ json: UnsafeRawBufferPointer) {
        guard let values = Self.parse(json) else { return }
        for (name, value) in values {
            Gauge(label: "rdkafka.\(name)", dimensions: [("client_id", clientID)], factory: factory).record(value)
        }
    }

    /// The reported values of one statistics document: the top-level fields,
    /// and `consumer_lag`, the sum over assigned partitions of their lag.
    static func parse(_ json: UnsafeRawBufferPointer) -> [String: Int64]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return nil }
        var values: [String: Int64] = [:]
        for field in reportedFields {
            if let number = object[field] as? NSNumber { values[field] = number.int64Value }
        }
        if let topics = object["topics"] as? [String: Any] {
            var lag: Int64 = 0
            for case let topic as [String: Any] in topics.values {
                for case let partition as [String: Any] in (topic["partitions"] as? [String: Any])?.values ?? [:].values {
                    if let partitionLag = (partition["consumer_lag"] as? NSNumber)?.int64Value, partitionLag > 0 {
                        lag += partitionLag
                    }
                }
            }
            values["consumer_lag"] = lag
        }
        return values
    }
}
