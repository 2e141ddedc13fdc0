import Foundation

/// The process's peak resident memory (VmHWM), resettable on Linux, so
/// each use case of the demo reports its own peak.
enum PeakMemory {
    /// Starts a new peak from the current resident memory (Linux: writes 5
    /// to /proc/self/clear_refs); elsewhere a no-op.
    static func reset() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// The peak resident memory in bytes since the last reset, if known.
    static func peak() -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int64($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}
