import ArgumentParser

/// `barge acls`: the broker's ACLs, with Kafka's semantics and `kafka-acls.sh`'s flags.
struct AclsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acls",
        abstract: "Add, remove and list ACLs (a broker with authorizer.class.name set; docs/security.md).",
        discussion: """
            Changing ACLs needs ALTER on the cluster (a super user), listing them DESCRIBE.

            Examples:
              barge acls add --allow-principal User:camera-07 --operation Write --topic frames- --resource-pattern-type prefixed
              barge acls add --allow-principal User:archiver --operation Read --topic frames --group archiver
              barge acls add --deny-principal User:camera-07 --operation Write --topic frames-secret
              barge acls list --topic frames-secret --resource-pattern-type match
              barge acls remove --principal User:camera-07 --topic frames- --resource-pattern-type prefixed

            \(SettingsHelp.precedence)

            \(SettingsHelp.exitCodes)
            """,
        subcommands: [AclsAddCommand.self, AclsRemoveCommand.self, AclsListCommand.self]
    )
}
