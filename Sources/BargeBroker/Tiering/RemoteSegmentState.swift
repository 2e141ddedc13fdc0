/// Where a segment stands in the remote tier, with Kafka's names
/// (`RemoteLogSegmentState`). Each change is persisted before the step it
/// announces, so that after a crash the unfinished step is found and redone:
/// a copy that did not finish is removed and started again, a deletion that
/// did not finish is done again.
enum RemoteSegmentState: String, Codable, Sendable {
    /// Objects are being written; the segment is not readable from the remote tier yet.
    case copySegmentStarted = "COPY_SEGMENT_STARTED"
    /// Every object is written: the segment is readable, and its local copy may go.
    case copySegmentFinished = "COPY_SEGMENT_FINISHED"
    /// Its objects are being deleted; the log start offset is past it already.
    case deleteSegmentStarted = "DELETE_SEGMENT_STARTED"
    /// Its objects are gone (the entry is then dropped from the metadata).
    case deleteSegmentFinished = "DELETE_SEGMENT_FINISHED"
}
