import Foundation

/// Throughput of one client in one round, in MB/s: 10^6 bytes of record
/// values per second.
struct ClientThroughput: Sendable {
    /// Producing with acks=all, up to the end of the final flush.
    var produce: Double
    /// Reading every record back with a fresh consumer.
    var consume: Double

    /// The throughput of `bytes` produced in `produceTime` and consumed in `consumeTime`.
    init(bytes: Int, produceTime: Duration, consumeTime: Duration) {
        produce = Self.megabytesPerSecond(bytes, produceTime)
        consume = Self.megabytesPerSecond(bytes, consumeTime)
    }

    init(produce: Double, consume: Double) {
        self.produce = produce
        self.consume = consume
    }

    private static func megabytesPerSecond(_ bytes: Int, _ time: Duration) -> Double {
        let seconds = time.seconds
        return Double(bytes) / 1e6 / seconds
    }
}

/// The clients `barge bench client` compares.
enum BenchClient: String, CaseIterable, Sendable {
    /// This package's `RdKafka`.
    case swift = "Swift RdKafka"
    /// confluent-kafka for Python, through Benchmarks/confluent_client_bench.py.
    case confluent = "confluent-kafka"
}

/// The rounds of `barge bench client` as text: a Markdown table with a row
/// per client and round, the medians, and the ratio line.
struct ClientBenchReport {
    private var rounds: [(round: Int, client: BenchClient, throughput: ClientThroughput)] = []

    /// The table's header lines.
    static let header = "| round | client | produce MB/s | consume MB/s |\n|---|---|---|---|"

    /// Records one client's round and returns its table row.
    mutating func record(round: Int, client: BenchClient, _ throughput: ClientThroughput) -> String {
        rounds.append((round, client, throughput))
        return Self.row(String(round), client, throughput)
    }

    /// The rows of the median round per client (for each phase separately).
    var medianRows: String {
        BenchClient.allCases.map { Self.row("median", $0, median(of: $0)) }.joined(separator: "\n")
    }

    /// The last line of the output: Swift's median MB/s over confluent-kafka's, per phase.
    var ratioLine: String {
        let swift = median(of: .swift)
        let confluent = median(of: .confluent)
        return "client/confluent-kafka produce=\(Self.format(swift.produce / confluent.produce, digits: 2))"
            + " consume=\(Self.format(swift.consume / confluent.consume, digits: 2))"
    }

    /// The median of each phase over `client`'s rounds.
    func median(of client: BenchClient) -> ClientThroughput {
        let mine = rounds.filter { $0.client == client }.map(\.throughput)
        return ClientThroughput(produce: Self.median(mine.map(\.produce)), consume: Self.median(mine.map(\.consume)))
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func row(_ round: String, _ client: BenchClient, _ throughput: ClientThroughput) -> String {
        "| \(round) | \(client.rawValue) | \(format(throughput.produce, digits: 1)) | \(format(throughput.consume, digits: 1)) |"
    }

    private static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
