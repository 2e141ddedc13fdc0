import Foundation

/// What a message is called and where it goes, when the caller decides
/// instead of the producer: the bridge keeps a source record's partition and
/// timestamp, and names the message after the source record so that sending
/// it again after a crash writes the same object.
public struct BargePlacement: Hashable, Sendable {
    /// The message's id (a claim check's object is `<topic>/<id>`).
    public var id: BargeMessageID
    /// The partition every record of the message goes to; `nil`: the key's
    /// partition, or for a keyless message its id hashed over the partitions.
    public var partition: Int32?
    /// The timestamp of every record of the message; `nil`: the send time.
    public var timestamp: Date?
    /// Whether the id names the message across attempts (derived from its
    /// source, so that a failed send is made again under it). A failed
    /// attempt then neither deletes its claim-check object (a reference of
    /// an earlier attempt may name it) nor sends an `abort` record (readers
    /// would drop the next attempt's chunks with it).
    public var isStable: Bool

    /// A placement; the defaults leave every choice to the producer.
    public init(id: BargeMessageID = BargeMessageID(), partition: Int32? = nil, timestamp: Date? = nil, isStable: Bool = false) {
        self.id = id
        self.partition = partition
        self.timestamp = timestamp
        self.isStable = isStable
    }
}
