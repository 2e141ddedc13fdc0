import KafkaProtocol
import NIOCore

/// The answer to one JoinGroup request (Kafka's `JoinGroupResult`).
struct GroupJoinResult: Sendable, Equatable {
    /// One member as the leader sees it: metadata for the selected protocol.
    struct Member: Sendable, Equatable {
        var memberId: String
        var groupInstanceId: String?
        var metadata: ByteBuffer
    }

    var error: KafkaErrorCode
    var memberId: String
    var generationId: Int32 = -1
    var protocolType: String? = nil
    var protocolName: String? = nil
    var leaderId: String = ""
    /// Every member for the leader; empty for followers and errors.
    var members: [Member] = []

    /// An error answer, as Kafka sends it: no generation, protocol or leader.
    static func failure(_ error: KafkaErrorCode, memberId: String) -> GroupJoinResult {
        GroupJoinResult(error: error, memberId: memberId)
    }
}

/// The answer to one SyncGroup request.
struct GroupSyncResult: Sendable, Equatable {
    var error: KafkaErrorCode
    var protocolType: String? = nil
    var protocolName: String? = nil
    var assignment: ByteBuffer = ByteBuffer()

    static func failure(_ error: KafkaErrorCode) -> GroupSyncResult {
        GroupSyncResult(error: error)
    }
}

/// The answer to a LeaveGroup request: a top-level error and one error per
/// member named in the request, in request order.
struct GroupLeaveResult: Sendable, Equatable {
    struct Member: Sendable, Equatable {
        var memberId: String
        var groupInstanceId: String?
        var error: KafkaErrorCode
    }

    var error: KafkaErrorCode
    var members: [Member]
}

/// What the I/O layer must do after feeding an event to a
/// ``ConsumerGroupStateMachine``: answer a pending JoinGroup or SyncGroup.
/// Every token handed to `join` or `sync` is answered exactly once, possibly
/// in a later call (when the rebalance completes, a timer fires, or the
/// member is replaced or removed).
enum GroupAction: Sendable, Equatable {
    case respondJoin(GroupRequestToken, GroupJoinResult)
    case respondSync(GroupRequestToken, GroupSyncResult)
}
