/// The lifecycle state of a classic consumer group, as Kafka's
/// `GroupCoordinator` names them.
///
/// - `empty`: no members (the group may still own committed offsets).
/// - `preparingRebalance`: collecting JoinGroup requests for the next generation.
/// - `completingRebalance`: join responses sent, waiting for the leader's assignment.
/// - `stable`: assignment distributed; members heartbeat.
/// - `dead`: deleted; every request is answered with COORDINATOR_NOT_AVAILABLE.
enum GroupState: Sendable, Equatable {
    case empty
    case preparingRebalance
    case completingRebalance
    case stable
    case dead

    /// The name Kafka reports in DescribeGroups and ListGroups.
    var kafkaName: String {
        switch self {
        case .empty: "Empty"
        case .preparingRebalance: "PreparingRebalance"
        case .completingRebalance: "CompletingRebalance"
        case .stable: "Stable"
        case .dead: "Dead"
        }
    }
}
