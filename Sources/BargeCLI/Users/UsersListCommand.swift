import ArgumentParser

/// `barge users list`: every user with its mechanisms and iterations (never a key).
struct UsersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users and their SCRAM mechanisms.")

    @OptionGroup var target: UsersTarget

    @OptionGroup var output: OutputOptions

    /// One user, as `--json` prints it.
    struct ListedUser: Encodable {
        let user: String
        let mechanisms: [String]
        let iterations: [Int]
    }

    func run() async throws {
        let users = try await target.list().mapValues { $0.map { ($0.mechanism.name, $0.iterations) } }
        let out = CommandOutput(output)
        for (user, credentials) in users.sorted(by: { $0.key < $1.key }) {
            let sorted = credentials.sorted { $0.0 < $1.0 }
            out.emit("\(user)\t" + sorted.map { "\($0.0) (\($0.1) iterations)" }.joined(separator: ", "),
                     json: ListedUser(user: user, mechanisms: sorted.map(\.0), iterations: sorted.map(\.1)))
        }
    }
}
