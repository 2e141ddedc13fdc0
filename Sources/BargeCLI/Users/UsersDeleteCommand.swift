import ArgumentParser

/// `barge users delete NAME`: removes every credential of a user.
struct UsersDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a user.")

    @Argument(help: "The user name.")
    var name: String

    @OptionGroup var target: UsersTarget

    func run() async throws {
        guard try await target.delete(user: name) else { throw CommandFailure("no user \(name)") }
        print("user \(name) deleted")
    }
}
