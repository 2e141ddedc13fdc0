import Foundation

/// What one collection found and did.
public struct ClaimCheckCollection: Sendable, Hashable {
    /// Why an unreferenced object was collected.
    public enum Reason: String, Sendable, Hashable {
        /// Its topic no longer exists.
        case topicDeleted = "topic deleted"
        /// Retention removed its reference: it is older than every record left in its topic.
        case retention = "reference removed by retention"
        /// No record references it and it is not older than the topic's records:
        /// its reference was never produced (a producer failed between store and send).
        case orphan = "orphan, never referenced"
    }

    /// One object collected (or, in a dry run, to be collected).
    public struct Deletion: Sendable, Hashable {
        /// The object's URL.
        public var objectURL: String
        /// Its size in bytes.
        public var size: Int64
        /// When it was stored.
        public var lastModified: Date
        /// Why it goes.
        public var reason: Reason
        /// Whether it was deleted (false in a dry run, or when deleting failed).
        public var deleted: Bool
        /// Why deleting failed, if it did.
        public var error: String?
    }

    /// Objects examined (claim-check objects, by key layout).
    public var examined = 0
    /// Objects a record still references.
    public var referenced = 0
    /// Unreferenced objects kept because they are younger than the grace period.
    public var withinGracePeriod = 0
    /// Objects of topics the cluster reported an error for: kept, as their references cannot be read.
    public var unscanned = 0
    /// Objects whose keys are not `<topic>/<message id>`: not Barge's, never touched.
    public var foreign = 0
    /// The objects collected, or to be collected.
    public var deletions: [Deletion] = []
    /// Whether this was a dry run.
    public var dryRun = false

    /// Bytes freed (or that a real run would free).
    public var bytesCollected: Int64 { deletions.filter { $0.deleted || dryRun }.reduce(0) { $0 + $1.size } }
}
