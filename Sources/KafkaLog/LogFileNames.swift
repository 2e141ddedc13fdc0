/// The names of the files in a partition directory.
///
/// - `<base offset, 20 digits>.log`, `.index`, `.timeindex`, `.txnindex` (only with aborted transactions): a segment.
/// - `<offset, 20 digits>.snapshot`: idempotent producer state as of that offset.
/// - `log-start-offset.checkpoint`, `recovery-point.checkpoint`: see `OffsetCheckpoint`.
/// - `.clean-shutdown`: present only while the log is closed cleanly.
/// - `*.tmp`: a file being written atomically; left over only by a crash.
enum LogFileNames {
    static let logSuffix = ".log"
    static let offsetIndexSuffix = ".index"
    static let timeIndexSuffix = ".timeindex"
    static let transactionIndexSuffix = ".txnindex"
    static let snapshotSuffix = ".snapshot"
    static let temporarySuffix = ".tmp"
    static let cleanShutdownMarker = ".clean-shutdown"

    /// The 20-digit, zero-padded name stem of an offset.
    static func segment(_ offset: Int64) -> String {
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The offset named by `name` if it is a 20-digit stem followed by `suffix`.
    static func offset(in name: String, suffix: String) -> Int64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == 20, stem.allSatisfy(\.isASCII), stem.allSatisfy(\.isNumber) else { return nil }
        return Int64(stem)
    }
}
