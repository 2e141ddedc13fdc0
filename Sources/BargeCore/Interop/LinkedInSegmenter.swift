/// Cuts a payload of known size, arriving in pieces of any size, into the
/// segments LinkedIn's splitter makes (``LinkedInSegment``): slices of
/// `segmentSize` bytes, the last one shorter, numbered from 0, holding at most
/// one segment. LinkedIn's producer splits only payloads larger than its
/// segment size and never an empty one; a smaller one made into one segment
/// is what it sends with `li.large.message.segment.wrapping.required`.
public struct LinkedInSegmenter {
    public let messageID: LinkedInMessageID
    /// The payload's size, which every segment states.
    public let size: Int
    /// The number of segments: `ceil(size / segmentSize)`.
    public let count: Int
    private var splitter: ChunkSplitter
    private var next = 0
    private var received = 0

    /// A segmenter of a payload of `size` bytes (below 2 GiB: LinkedIn's
    /// sizes are int32) into slices of `segmentSize` (positive).
    public init(messageID: LinkedInMessageID, size: Int, segmentSize: Int) {
        precondition(segmentSize > 0 && (0...Int(Int32.max)).contains(size), "segment size must be positive, size within an int32")
        self.messageID = messageID
        self.size = size
        count = (size + segmentSize - 1) / segmentSize
        splitter = ChunkSplitter(chunkSize: segmentSize)
    }

    /// Adds the payload's next bytes and returns the segments they completed;
    /// `inconsistent` if the payload grows beyond ``size``.
    public mutating func add(_ piece: [UInt8]) throws(InteropError) -> [LinkedInSegment] {
        received += piece.count
        guard received <= size else {
            throw InteropError(.inconsistent, "payload", "\(received) bytes given for a payload of \(size)")
        }
        return splitter.add(piece).map { segment($0) }
    }

    /// The last segment, if bytes are left; `inconsistent` if the payload
    /// had fewer bytes than ``size``.
    public mutating func finish() throws(InteropError) -> LinkedInSegment? {
        guard received == size else {
            throw InteropError(.inconsistent, "payload", "the payload ended after \(received) of its \(size) bytes")
        }
        return splitter.finish().map { segment($0) }
    }

    private mutating func segment(_ slice: [UInt8]) -> LinkedInSegment {
        defer { next += 1 }
        return LinkedInSegment(messageID: messageID, sequence: next, count: count, size: size, slice: slice)
    }
}
