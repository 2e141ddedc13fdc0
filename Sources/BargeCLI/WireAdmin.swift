import ArgumentParser
import KafkaProtocol
import KafkaWireClient
import NIOCore
import NIOPosix

/// One request and answer at a time with the first bootstrap server, over
/// Barge's own wire client with the command's security settings: for the
/// admin requests librdkafka 2.0 does not make (SCRAM credentials) and for
/// ACLs. Refused logins and TLS handshakes exit 77, an unreachable broker 69.
struct WireAdmin {
    let connection: KafkaConnection

    /// Connects, runs `body`, closes; failures end in one `Error:` line.
    func run(_ body: (KafkaWireConnection) async throws -> Void) async throws {
        let servers = connection.servers
        try await reportingFailures(servers: servers) {
            let wire = try await connect()
            do {
                try await body(wire)
            } catch {
                await wire.close()
                throw Self.failure(error, servers: servers)
            }
            await wire.close()
        }
    }

    private func connect() async throws -> KafkaWireConnection {
        let server = connection.servers[0]
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
            throw ValidationError("'\(server)' is not HOST:PORT")
        }
        do {
            return try await KafkaWireConnection.connect(host: String(server[..<colon]), port: port, security: connection.security.wire)
        } catch {
            throw Self.failure(error, servers: connection.servers)
        }
    }

    /// Wire errors as the command's failures and exit codes.
    static func failure(_ error: any Error, servers: [String]) -> any Error {
        switch error {
        case KafkaWireError.authenticationFailed(let reason), KafkaWireError.tlsHandshakeFailed(let reason):
            return CommandFailure("authentication failed (\(servers.joined(separator: ","))): \(reason)", exitCode: .noPermission)
        case KafkaWireError.closed:
            return CommandFailure("the broker (\(servers.joined(separator: ","))) closed the connection", exitCode: .unavailable)
        case is NIOConnectionError, is IOError:
            return CommandFailure("broker unreachable (\(servers.joined(separator: ","))): \(error)", exitCode: .unavailable)
        default:
            return error
        }
    }

    /// A request's error code as a failure: authorization refusals exit 77,
    /// SECURITY_DISABLED says the broker has no authorizer.
    static func check(_ code: Int16, _ message: String?, what: String) throws {
        guard code != 0 else { return }
        let error = KafkaErrorCode.forCode(code)
        let detail = message.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
        switch error {
        case .clusterAuthorizationFailed, .topicAuthorizationFailed, .groupAuthorizationFailed, .transactionalIdAuthorizationFailed:
            throw CommandFailure("not authorized to \(what) (\(error.name))\(detail)", exitCode: .noPermission)
        case .securityDisabled:
            throw CommandFailure("cannot \(what): the broker has no authorizer (set authorizer.class.name; docs/security.md)")
        default:
            throw CommandFailure("cannot \(what): \(error.name)\(detail)")
        }
    }
}
