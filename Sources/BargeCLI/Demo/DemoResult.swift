import Foundation

/// One row of the demo's table.
struct DemoResult: Sendable {
    var useCase: String
    var strategy: String
    var payloads: Int
    var bytes: Int64
    var seconds: Double
    /// Peak resident memory of the process during the use case (broker,
    /// producers and consumers all in this one process), in bytes.
    var peakRSS: Int64?
    var verified: Bool
    /// What else the use case measured, in words.
    var notes: [String] = []

    var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }
}

/// The table printed at the end of `barge demo`.
enum DemoTable {
    static func render(_ results: [DemoResult]) -> String {
        let header = ["use case", "strategy", "payloads", "bytes", "MB/s", "peak RSS", "verified"]
        let rows = results.map { result in
            [
                result.useCase, result.strategy, String(result.payloads), megabytes(result.bytes),
                String(format: "%.1f", result.megabytesPerSecond),
                result.peakRSS.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "n/a",
                result.verified ? "yes" : "NO",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index >= 2 && index <= 5 ? String(repeating: " ", count: widths[index] - cell.count) + cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var text = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)
        for result in results {
            for note in result.notes { text.append("\(result.useCase): \(note)") }
        }
        return text.joined(separator: "\n")
    }

    static func megabytes(_ bytes: Int64) -> String {
        bytes >= 1_000_000 ? String(format: "%.1f MB", Double(bytes) / 1_000_000) : String(format: "%.1f KB", Double(bytes) / 1000)
    }
}
