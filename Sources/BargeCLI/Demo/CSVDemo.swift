import Barge
import Foundation
import RdKafka

/// Use case 3, a big CSV export: 1 GB of rows split at line boundaries into
/// parts that each hold whole lines (so each can be processed alone),
/// compressed with zstd, spread over three partitions, and aggregated line by
/// line by three consumers of a group. The sum of the `amount` column and the
/// row count must equal what the source computed.
struct CSVDemo {
    let environment: DemoEnvironment
    /// A part's largest size: one record under Kafka's default limit.
    static let partSize = 900_000

    func run() async throws -> DemoResult {
        let topic = "csv-export"
        let size = environment.scaled(1_000_000_000, minimum: 4_000_000)
        try await environment.createTopic(topic, partitions: 3)
        let tally = DemoTally()
        let totals = CSVTotals()
        let consumers = try (0..<3).map { _ in try environment.consumer(group: "csv-aggregate") }
        for consumer in consumers { try consumer.subscribe(topics: [topic]) }
        try await environment.waitForAssignment(consumers, partitions: 3)
        let started = ContinuousClock.now
        let producer = try environment.producer(policy: .auto(), compression: .zstd)
        let sender = Task { try await send(size: size, topic: topic, producer: producer, tally: tally) }
        let parts = PartCount()
        // How many parts there are is known once the sender has finished.
        let consumed = Task {
            await environment.consume(consumers, until: { await parts.isComplete(await tally.receivedCount) }, tally: tally, timeout: .seconds(900)) { message, _ in
                let bytes = try await message.bytes(limit: 8 << 20)
                let (rows, amount) = CSVRows.aggregate(bytes)
                await totals.add(rows: rows, amount: amount)
                await tally.received(message.verifiedInfo ?? message.info)
            }
        }
        let source: Source
        do {
            source = try await sender.value
        } catch {
            consumed.cancel()
            throw error
        }
        await parts.set(source.parts)
        await consumed.value
        try await producer.close()
        let seconds = (ContinuousClock.now - started).seconds
        let (rows, amount) = await (totals.rows, totals.amount)
        let matches = rows == source.rows && amount == source.amount
        if !matches { await tally.failed("aggregate mismatch: \(rows) rows, sum \(amount); the source had \(source.rows) rows, sum \(source.amount)") }
        let allVerified = await tally.allVerified
        return DemoResult(
            useCase: "big CSV", strategy: "line-aligned parts, zstd", payloads: source.parts, bytes: Int64(source.bytes),
            seconds: seconds, peakRSS: nil, verified: matches && allVerified,
            notes: [
                String(format: "%.0f rows/s by three consumers; ", Double(rows) / seconds) + "sum(amount) = \(amount) over \(rows) rows, as at the source"
            ] + (await tally.failures)
        )
    }

    struct Source {
        var parts = 0
        var bytes = 0
        var rows = 0
        var amount = 0
    }

    /// Generates rows and sends them in parts of whole lines, up to eight in flight.
    private func send(size: Int, topic: String, producer: LargeMessageProducer, tally: DemoTally) async throws -> Source {
        var source = Source()
        var generator = CSVRows(seed: 3)
        var buffer: [UInt8] = Array("row,camera,label,amount\n".utf8)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            while source.bytes < size {
                while buffer.count < Self.partSize && source.bytes + buffer.count < size {
                    let (line, amount) = generator.nextRow()
                    buffer += line
                    source.rows += 1
                    source.amount += amount
                }
                let cut = buffer.count <= Self.partSize ? buffer.count : buffer[..<Self.partSize].lastIndex(of: UInt8(ascii: "\n"))! + 1
                let part = Array(buffer[..<cut])
                buffer.removeFirst(cut)
                source.bytes += part.count
                let index = source.parts
                source.parts += 1
                if inFlight == 8 {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    let receipt = try await producer.send(part, topic: topic, headers: [KafkaHeader(key: "part", string: String(index))],
                                                          description: PayloadDescription(fileName: "export-\(index).csv", contentType: "text/csv"))
                    await tally.sent(receipt)
                }
            }
            if !buffer.isEmpty {
                let index = source.parts
                source.parts += 1
                source.bytes += buffer.count
                let part = buffer
                group.addTask {
                    let receipt = try await producer.send(part, topic: topic, headers: [KafkaHeader(key: "part", string: String(index))])
                    await tally.sent(receipt)
                }
            }
            try await group.waitForAll()
            return source
        }
    }
}

/// The demo's CSV rows: `row,camera,label,amount`.
struct CSVRows {
    private var random: SyntheticBytes
    private var row = 0
    private static let labels = ["person", "forklift", "pallet", "helmet", "vest", "door"]

    init(seed: UInt64) {
        random = SyntheticBytes(seed: seed)
    }

    mutating func nextRow() -> (line: [UInt8], amount: Int) {
        row += 1
        let word = random.next(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let amount = Int(word % 10_000)
        let camera = Int((word >> 16) % 64)
        let label = Self.labels[Int((word >> 32) % UInt64(Self.labels.count))]
        return (Array("\(row),cam-\(camera),\(label),\(amount)\n".utf8), amount)
    }

    /// Rows and the sum of the last column in whole lines of `bytes`
    /// (a header line, whose last column is not a number, is skipped).
    static func aggregate(_ bytes: [UInt8]) -> (rows: Int, amount: Int) {
        var rows = 0, total = 0, field = 0, isNumber = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if isNumber { rows += 1; total += field }
                field = 0
                isNumber = true
            case UInt8(ascii: ","):
                field = 0
                isNumber = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                field = field * 10 + Int(byte - UInt8(ascii: "0"))
            default:
                isNumber = false
            }
        }
        return (rows, total)
    }
}

/// The consumers' running totals.
actor CSVTotals {
    private(set) var rows = 0
    private(set) var amount = 0

    func add(rows: Int, amount: Int) {
        self.rows += rows
        self.amount += amount
    }
}

/// How many parts the sender made, once it knows.
actor PartCount {
    private var total: Int?

    func set(_ count: Int) { total = count }

    func isComplete(_ received: Int) -> Bool { total.map { received >= $0 } ?? false }
}
