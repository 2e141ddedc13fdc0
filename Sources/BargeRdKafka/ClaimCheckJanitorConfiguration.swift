import Barge
import ObjectStore
import RdKafka

/// Settings of a ``ClaimCheckJanitor``.
public struct ClaimCheckJanitorConfiguration: Sendable {
    /// The Kafka cluster whose topics hold the references.
    public var connection: KafkaConnectionConfiguration
    /// The store whose claim-check objects are collected.
    public var store: any ObjectStore
    /// Unreferenced objects younger than this are kept: their reference may
    /// still be on its way (a producer stores the object first), or the scan
    /// may have missed a reference produced while it ran. Default: 1 hour.
    public var gracePeriod: Duration = .seconds(3600)
    /// Time between two collections of the janitor service. Default: 10 minutes.
    public var interval: Duration = .seconds(600)
    /// Only report what would be deleted.
    public var dryRun = false
    /// How long the scan of one partition may take before the collection
    /// gives up (deleting nothing). Default: 5 minutes.
    public var scanTimeout: Duration = .seconds(300)

    /// Settings for collecting `store`'s objects against the cluster at `bootstrapServers`.
    public init(bootstrapServers: [String], store: any ObjectStore) {
        connection = KafkaConnectionConfiguration(bootstrapServers: bootstrapServers)
        self.store = store
    }
}
