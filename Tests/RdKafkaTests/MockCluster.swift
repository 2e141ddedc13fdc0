import CRdKafka
import Foundation

/// librdkafka's in-process mock cluster (`test.mock.num.brokers`): a Kafka
/// that is not Barge's broker, whose brokers can be taken down and whose
/// requests can be made to fail.
final class MockCluster: @unchecked Sendable {
    /// The client that owns the cluster; the cluster lives as long as it does.
    private let owner: OpaquePointer
    private let cluster: OpaquePointer
    /// The brokers' addresses, for `bootstrap.servers`.
    let bootstrapServers: String

    init(brokers: Int) {
        let conf = rd_kafka_conf_new()!
        var text = [CChar](repeating: 0, count: 512)
        precondition(rd_kafka_conf_set(conf, "test.mock.num.brokers", "\(brokers)", &text, text.count) == RD_KAFKA_CONF_OK)
        owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &text, text.count)!
        cluster = rd_kafka_handle_mock_cluster(owner)!
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_destroy(owner)
    }

    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) {
        precondition(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor) == RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    func setLeader(topic: String, partition: Int32, broker: Int32) {
        precondition(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker) == RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    func setBroker(_ broker: Int32, up: Bool) {
        let result = up ? rd_kafka_mock_broker_set_up(cluster, broker) : rd_kafka_mock_broker_set_down(cluster, broker)
        precondition(result == RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    /// The next requests of `apiKey` (0 is Produce) fail with `errors`, in order.
    func failNextRequests(apiKey: Int16, with errors: [rd_kafka_resp_err_t]) {
        var errors = errors
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, errors.count, &errors)
    }
}
