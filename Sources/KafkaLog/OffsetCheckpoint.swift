import NIOCore

/// An offset kept in a small text file (a format version line `0`, then the
/// offset), written atomically and durably.
///
/// - `log-start-offset.checkpoint`: the log start offset, so that DeleteRecords
///   and retention survive a restart.
/// - `recovery-point.checkpoint`: every segment below this offset was forced
///   to disk, so opening after a crash need not check it.
enum OffsetCheckpoint {
    static let logStart = "log-start-offset.checkpoint"
    static let recoveryPoint = "recovery-point.checkpoint"

    /// The recorded offset; nil when there is none or it does not parse.
    static func read(_ name: String, directory: String, storage: LogStorage) throws(LogError) -> Int64? {
        guard var file = try storage.readWholeFile("\(directory)/\(name)", limit: 64),
              let text = file.readString(length: file.readableBytes)
        else { return nil }
        let lines = text.split(separator: "\n")
        guard lines.count == 2, lines[0] == "0", let offset = Int64(lines[1]), offset >= 0 else { return nil }
        return offset
    }

    /// Records `offset`.
    static func write(_ offset: Int64, to name: String, directory: String, storage: LogStorage) throws(LogError) {
        try storage.writeAtomically(ByteBuffer(string: "0\n\(offset)\n"), to: "\(directory)/\(name)")
    }
}
