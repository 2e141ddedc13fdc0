import ArgumentParser

/// `barge bridge`: moves records between topics, externalizing or
/// internalizing large payloads on the way.
struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Move records between topics, externalizing or internalizing large payloads on the way.",
        discussion: """
            Runs until SIGTERM or SIGINT, then finishes its transaction and prints what it moved. \
            Records keep their key, headers, timestamp, partition and order; with transactions (the \
            default) each is written exactly once, and its position survives kill -9.
            """,
        subcommands: [BridgeExternalizeCommand.self, BridgeInternalizeCommand.self]
    )
}
