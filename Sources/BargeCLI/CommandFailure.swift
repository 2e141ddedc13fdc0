import ArgumentParser
import Foundation
import RdKafka

/// A command that could not do its job: one line for standard error and a
/// non-zero exit (see ``ExitCode/unavailable``).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let exitCode: ExitCode

    init(_ description: String, exitCode: ExitCode = .failure) {
        self.description = description
        self.exitCode = exitCode
    }

    /// `error` as a failure: a broker that cannot be reached or does not
    /// answer exits with 69, refused credentials or ACLs with 77, anything
    /// else with 1.
    init(_ error: any Error, servers: [String]) {
        if let failure = error as? CommandFailure {
            self = failure
        } else if let error = error as? KafkaClientError, error.isAuthenticationFailure {
            self.init("authentication failed (\(servers.joined(separator: ","))): \(error.message) (\(error.name))", exitCode: .noPermission)
        } else if let error = error as? KafkaClientError, error.isAuthorizationFailure {
            self.init("not authorized: \(error.message) (\(error.name))", exitCode: .noPermission)
        } else if let error = error as? KafkaClientError, error.name == "KAFKA_STORAGE_ERROR" {
            self.init("the broker cannot store the records (its disk is full or failing): \(error.message)", exitCode: .brokerStorage)
        } else if let error = error as? KafkaClientError, error.meansBrokerUnreachable {
            self.init("broker unreachable (\(servers.joined(separator: ","))): \(error.message)", exitCode: .unavailable)
        } else {
            self.init("\(error)")
        }
    }
}

extension ExitCode {
    /// 69 (EX_UNAVAILABLE): no broker could be reached, or none answered in time.
    static let unavailable = ExitCode(69)
    /// 74 (EX_IOERR): the broker answered that it cannot write (its disk is full or failing).
    static let brokerStorage = ExitCode(74)
    /// 77 (EX_NOPERM): the cluster refused the client's credentials (SASL, a
    /// TLS handshake) or its ACLs refused an operation.
    static let noPermission = ExitCode(77)
}

extension KafkaClientError {
    /// librdkafka could not connect, resolve or get an answer: the error a
    /// stopped or wrong broker address gives.
    var meansBrokerUnreachable: Bool {
        kind == .timedOut || ["_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_TIMED_OUT", "_MSG_TIMED_OUT"].contains(name)
    }
}

/// Runs a command's work so that every failure ends in exactly one
/// `Error: ...` line on standard error: ArgumentParser prints it for usage
/// errors (exit 64) and failures (exit 1); other exit codes are printed here.
func reportingFailures(servers: [String], _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        let failure = CommandFailure(error, servers: servers)
        guard failure.exitCode != .failure else { throw failure }
        FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
        throw failure.exitCode
    }
}
