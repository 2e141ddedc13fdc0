import Foundation
import RdKafka

/// Fresh single-partition topics for benchmark runs, made and removed
/// through the admin client.
struct BenchTopics: Sendable {
    let admin: KafkaAdminClient
    /// Configs of every topic, such as `max.message.bytes`.
    let configs: [String: String]

    /// Creates a topic named `prefix-<random>` with one partition, waits
    /// until the partition has a leader and returns the name.
    func create(prefix: String) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.createTopic(name, partitions: 1, replicationFactor: 1, configs: configs)
        try await withDeadline(.seconds(30), "waiting for a leader of topic \(name)") { [admin] in
            while true {
                let topic = try await admin.listTopics().first { $0.name == name }
                if let topic, topic.error == nil, let partition = topic.partitions.first, partition.leader >= 0 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return name
    }

    /// Deletes a topic made by ``create(prefix:)``.
    func delete(_ name: String) async throws {
        try await admin.deleteTopic(name)
    }
}
