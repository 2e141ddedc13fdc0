extension BargeProducerError {
    /// The payload's pieces added up to `read` bytes, not the `announced` size
    /// (a file that changed while it was read, a stream cut short).
    static func sizeMismatch(read: Int64, announced: Int64) -> BargeProducerError {
        BargeProducerError(.unreadableFile, "read \(read) bytes, the payload announced \(announced)")
    }
}
