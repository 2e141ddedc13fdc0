import FileIO
import KafkaProtocol
import NIOCore

/// A request as the connection's decoder hands it over.
enum KafkaInboundRequest: Sendable {
    /// A whole request frame in memory, without its size prefix, with the
    /// reservation of its bytes in the broker's `RequestMemoryPool` (given
    /// back when the request is dropped, after it has been served).
    case frame(ByteBuffer, lease: RequestMemoryLease?)
    /// A large Produce request whose big records fields were streamed into a
    /// spool file: those fields are nil in the request and listed in `spooled`.
    case spooledProduce(KafkaRequestHeader, ProduceRequest, spooled: [SpooledRecords])
}

/// The records of one partition of a Produce request, in a spool file.
struct SpooledRecords: Sendable {
    /// Positions in the request's topic and partition arrays.
    let topic: Int
    let partition: Int
    /// The spool holding the records, or why it could not take them all.
    let spool: Result<SpoolFile, FileIOError>
    let range: Range<Int>
}
