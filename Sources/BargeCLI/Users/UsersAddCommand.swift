import ArgumentParser
import Foundation
import KafkaSecurity

/// `barge users add NAME`: sets a user's password for SCRAM (and so PLAIN) logins.
struct UsersAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user or change its password.")

    @Argument(help: "The user name.")
    var name: String

    @OptionGroup var target: UsersTarget

    @Option(name: .long, help: "A file whose first line is the password (else $BARGE_USER_PASSWORD).")
    var passwordFile: String?

    @Option(name: .long, help: "SCRAM mechanisms to store: SCRAM-SHA-256, SCRAM-SHA-512 (repeatable; default both).")
    var mechanism: [String] = []

    @Option(name: .long, help: "PBKDF2 iterations, 4096 to 16384.")
    var iterations: Int = ScramMechanism.minimumIterations

    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("the user name must not be empty") }
        guard (ScramMechanism.minimumIterations...ScramMechanism.maximumIterations).contains(iterations) else {
            throw ValidationError("--iterations must be from \(ScramMechanism.minimumIterations) to \(ScramMechanism.maximumIterations)")
        }
        _ = try mechanisms()
    }

    func run() async throws {
        let password = try UserPassword.read(file: passwordFile)
        let mechanisms = try mechanisms()
        try await target.setPassword(user: name, password: password, mechanisms: mechanisms, iterations: iterations)
        print("user \(name): \(mechanisms.map(\.name).joined(separator: ", ")), \(iterations) iterations")
    }

    private func mechanisms() throws -> [ScramMechanism] {
        guard !mechanism.isEmpty else { return ScramMechanism.allCases }
        return try mechanism.map { name in
            guard let parsed = ScramMechanism(name: name) else {
                throw ValidationError("--mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, not '\(name)'")
            }
            return parsed
        }
    }
}

/// A password read without echoing it anywhere: from a file's first line or `$BARGE_USER_PASSWORD`.
enum UserPassword {
    static let environmentVariable = "BARGE_USER_PASSWORD"

    static func read(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let password: String
        if let file {
            guard let text = try TextFile.read(file, what: "--password-file") else {
                throw ValidationError("cannot read --password-file \(file): it does not exist")
            }
            password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "").trimmingBlanks()
        } else if let value = environment[environmentVariable] {
            password = value
        } else {
            throw ValidationError("no password given: pass --password-file FILE or set \(environmentVariable)")
        }
        guard !password.isEmpty else { throw ValidationError("the password is empty") }
        return password
    }
}
