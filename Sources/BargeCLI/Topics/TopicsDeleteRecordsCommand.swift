import ArgumentParser

/// `barge topics delete-records`: moves a partition's start offset forward.
struct TopicsDeleteRecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-records",
        abstract: "Delete a partition's records before an offset.",
        discussion: """
            Records before --before can no longer be read (-1: every record up to \
            the end); prints the partition's new first offset. Example:
              barge topics delete-records videos --partition 0 --before 1000
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @Option(name: .long, help: "The partition.")
    var partition: Int32

    @Option(name: .long, parsing: .unconditional, help: "The first offset to keep (-1: the end of the partition).")
    var before: Int64

    @OptionGroup var options: TopicsOptions

    func validate() throws {
        guard partition >= 0 else { throw ValidationError("--partition must be 0 or more") }
        guard before >= -1 else { throw ValidationError("--before must be an offset, or -1 for the end of the partition") }
    }

    func run() async throws {
        try await options.withAdmin { admin, timeout, output in
            let start = try await admin.deleteRecords(topic: name, partition: partition, before: before, timeout: timeout)
            output.emit("\(name)-\(partition) low-watermark=\(start)",
                        json: RecordsDeletion(name: name, partition: partition, lowWatermark: start))
        }
    }
}

/// `barge topics delete-records --json`.
struct RecordsDeletion: Encodable {
    var action = "records-deleted"
    var name: String
    var partition: Int32
    var lowWatermark: Int64
}
