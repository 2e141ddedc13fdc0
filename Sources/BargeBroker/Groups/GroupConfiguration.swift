/// Broker-wide settings of the classic group coordinator, with Kafka's names.
struct GroupConfiguration: Sendable, Equatable {
    /// `group.min.session.timeout.ms`. Default: 6000.
    var minSessionTimeoutMs: Int32 = 6000
    /// `group.max.session.timeout.ms`. Default: 1800000.
    var maxSessionTimeoutMs: Int32 = 1_800_000
    /// `group.initial.rebalance.delay.ms`: how long the first rebalance of an
    /// empty group waits for more members (extended while members keep
    /// arriving, up to the rebalance timeout). 0 disables the delay. Default: 3000.
    var initialRebalanceDelayMs: Int64 = 3000
    /// How long a brand-new member's JoinGroup may wait before the member is
    /// dropped (Kafka's `NewMemberJoinTimeoutMs`). Default: 300000.
    var newMemberJoinTimeoutMs: Int64 = 300_000

    init() {}
}
