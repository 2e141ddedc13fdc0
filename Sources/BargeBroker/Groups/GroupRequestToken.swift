/// Identifies one pending JoinGroup or SyncGroup request. The I/O layer picks
/// a unique value per request and keeps whatever it needs to answer it
/// (a promise, a channel); actions name the token to answer.
struct GroupRequestToken: Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt64

    init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    var description: String { "#\(rawValue)" }
}
