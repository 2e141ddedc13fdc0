import ObjectStore

/// The keys of a partition's objects in the remote tier:
/// `<topic>-<topic id>/<partition>/<base offset, 20 digits>-<segment id>.<kind>`,
/// the layout of Aiven's tiered-storage plugin, so that a listing groups
/// a topic's objects, then a partition's, in offset order.
struct RemoteObjectKeys: Sendable {
    let topic: String
    let topicId: String
    let partition: Int32

    /// The prefix of every object of the topic.
    static func topicPrefix(topic: String, topicId: String) -> String { "\(topic)-\(topicId)/" }

    /// The topic id in the first path element of `key`, if it has the form `<topic>-<uuid>/...`.
    static func topicId(inKey key: String) -> String? {
        guard let slash = key.firstIndex(of: "/") else { return nil }
        let head = key[..<slash]
        guard head.count > 37 else { return nil }
        let id = head.suffix(36)
        guard head.dropLast(36).last == "-", id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12] else { return nil }
        return String(id)
    }

    /// The segment's log object: its transformed chunks one after another.
    func log(_ segment: RemoteSegmentMetadata) throws -> ObjectKey { try key(segment, "log") }
    /// The segment's indexes object: offset index ‖ time index ‖ producer snapshot.
    func indexes(_ segment: RemoteSegmentMetadata) throws -> ObjectKey { try key(segment, "indexes") }
    /// The segment's manifest: its metadata as JSON, for readers without the broker's metadata.
    func manifest(_ segment: RemoteSegmentMetadata) throws -> ObjectKey { try key(segment, "rsm-manifest") }

    /// All three, in the order they are written.
    func all(_ segment: RemoteSegmentMetadata) throws -> [ObjectKey] {
        [try log(segment), try indexes(segment), try manifest(segment)]
    }

    private func key(_ segment: RemoteSegmentMetadata, _ kind: String) throws -> ObjectKey {
        let digits = String(segment.baseOffset)
        let offset = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        return try ObjectKey("\(Self.topicPrefix(topic: topic, topicId: topicId))\(partition)/\(offset)-\(segment.segmentId).\(kind)")
    }
}
