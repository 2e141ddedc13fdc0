import ArgumentParser

/// `barge users`: the SCRAM users SASL logins are checked against.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, delete and list the broker's SASL users (SCRAM-SHA-256, SCRAM-SHA-512; PLAIN logins check the same).",
        discussion: """
            A stopped broker's users are changed in its data directory (--data-dir), which is how \
            the first user gets in. The password comes from a file (--password-file) or \
            $BARGE_USER_PASSWORD, never from the command line; only salted keys are stored.

            Examples:
              barge users add admin --data-dir ./.barge/data --password-file admin.password
              barge users list --data-dir ./.barge/data
              barge users delete alice --data-dir ./.barge/data
            """,
        subcommands: [UsersAddCommand.self, UsersDeleteCommand.self, UsersListCommand.self]
    )
}
