import ArgumentParser

/// Where a command's messages go or come from: `--topic` and `--bootstrap-servers`.
struct KafkaTopicOptions: ParsableArguments {
    @Option(name: .long, help: "The topic.")
    var topic: String

    @Option(name: .long, help: "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...].")
    var bootstrapServers: String

    /// The bootstrap servers as a list.
    var servers: [String] { bootstrapServers.split(separator: ",").map(String.init) }
}
