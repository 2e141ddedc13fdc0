import ArgumentParser

/// `barge bench`: the benchmarks, one subcommand each.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark.",
        subcommands: [ClientBenchCommand.self, LargeBenchCommand.self]
    )
}
