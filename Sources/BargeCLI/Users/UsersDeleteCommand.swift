import ArgumentParser
import BargeBroker

/// `barge users delete NAME`: removes every credential of a user.
struct UsersDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a user.")

    @Argument(help: "The user name.")
    var name: String

    @OptionGroup var target: UsersTarget

    func run() async throws {
        var existed = false
        try target.change { existed = try ScramUsers.delete(user: name, dataDirectory: $0) }
        guard existed else { throw CommandFailure("no user \(name)") }
        print("user \(name) deleted")
    }
}
