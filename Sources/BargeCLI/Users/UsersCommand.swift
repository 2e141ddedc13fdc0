import ArgumentParser

/// `barge users`: the SCRAM users SASL logins are checked against.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, delete and list the broker's SASL users (SCRAM-SHA-256, SCRAM-SHA-512; PLAIN logins check the same).",
        discussion: """
            A running broker's users are changed with AlterUserScramCredentials (ALTER on the \
            cluster), through --bootstrap-servers and the security flags; a stopped broker's in \
            its data directory (--data-dir), which is how the first user gets in. The password \
            comes from a file (--password-file) or $BARGE_USER_PASSWORD, never from the command \
            line; only salted keys are stored, and only salted passwords travel.

            Examples:
              barge users add admin --data-dir ./.barge/data --password-file admin.password
              barge users add camera-07 --password-file cam07.password --bootstrap-servers edge-01:9094 \
                --security-protocol SASL_SSL --sasl-mechanism SCRAM-SHA-512 --sasl-username admin \
                --sasl-password-file admin.password --ssl-ca-location ca.pem
              barge users list --data-dir ./.barge/data
              barge users delete camera-07 --bootstrap-servers edge-01:9094 ...

            \(SettingsHelp.exitCodes)
            """,
        subcommands: [UsersAddCommand.self, UsersDeleteCommand.self, UsersListCommand.self]
    )
}
