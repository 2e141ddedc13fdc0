import Foundation
import RdKafka

/// Ends the command at the first authentication failure a Kafka client
/// reports (a refused SASL login, a failed TLS handshake): librdkafka only
/// logs those and retries for good, so a send would wait for its delivery
/// timeout and a receiver forever. Prints the one `Error:` line and exits
/// with 77 at once, from librdkafka's thread.
enum AuthenticationFailureStop {
    private static let lock = NSLock()

    /// The `onClientError` hook for a connection to `servers`.
    static func hook(servers: [String]) -> @Sendable (KafkaClientError) -> Void {
        { error in
            guard error.isAuthenticationFailure else { return }
            stop(CommandFailure(error, servers: servers))
        }
    }

    private static func stop(_ failure: CommandFailure) -> Never {
        // A second client's failure waits here until the process is gone.
        lock.lock()
        FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
        fflush(nil)
        _exit(failure.exitCode.rawValue)
    }
}
