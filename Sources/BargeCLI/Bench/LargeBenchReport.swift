import Foundation

/// The two ways `barge bench large` moves the payload.
enum LargeTransfer: String, CaseIterable, Sendable {
    /// Plain records of the chunk size, with the RdKafka client alone.
    case plain
    /// One Barge message, chunked.
    case barge = "Barge"
}

/// The rounds of `barge bench large` as text: a Markdown table with a row
/// per transfer and round, the medians, and the ratio line.
struct LargeBenchReport {
    private var rounds: [(round: Int, transfer: LargeTransfer, seconds: Double, megabytesPerSecond: Double)] = []
    /// Payload bytes of every transfer.
    let size: Int64

    init(size: Int64) {
        self.size = size
    }

    /// The table's header lines.
    static let header = "| round | transfer | seconds | MB/s |\n|---|---|---|---|"

    /// Records one transfer and returns its table row.
    mutating func record(round: Int, _ transfer: LargeTransfer, _ elapsed: Duration) -> String {
        let seconds = elapsed.seconds
        let megabytesPerSecond = Double(size) / 1e6 / seconds
        rounds.append((round, transfer, seconds, megabytesPerSecond))
        return "| \(round) | \(transfer.rawValue) | \(Self.format(seconds, digits: 2)) | \(Self.format(megabytesPerSecond, digits: 1)) |"
    }

    /// A row per transfer with its median MB/s.
    var medianRows: String {
        LargeTransfer.allCases.map { "| median | \($0.rawValue) | | \(Self.format(median(of: $0), digits: 1)) |" }.joined(separator: "\n")
    }

    /// The last line of the output: Barge's median MB/s over plain's.
    var ratioLine: String {
        "large/plain throughput=\(Self.format(median(of: .barge) / median(of: .plain), digits: 2))"
    }

    /// The median MB/s of `transfer`'s rounds.
    func median(of transfer: LargeTransfer) -> Double {
        let sorted = rounds.filter { $0.transfer == transfer }.map(\.megabytesPerSecond).sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
