import KafkaProtocol
import KafkaSecurity
import NIOCore

extension KafkaWireConnection {
    /// Logs in with `sasl`: SaslHandshake v1 names the mechanism, then
    /// SaslAuthenticate v1 carries its messages (one for PLAIN, two rounds
    /// for SCRAM, whose server signature is checked). A refusal throws
    /// ``KafkaWireError/authenticationFailed(_:)``.
    func authenticate(_ sasl: KafkaWireSASL) async throws {
        var handshake = SaslHandshakeRequest()
        handshake.mechanism = sasl.mechanism.name
        let enabled = try await request(handshake, apiKey: .saslHandshake, version: 1, correlationId: 1, as: SaslHandshakeResponse.self)
        guard enabled.errorCode == 0 else {
            throw KafkaWireError.authenticationFailed(
                "the broker does not enable SASL mechanism \(sasl.mechanism) (it enables \(enabled.mechanisms.joined(separator: ", ")))")
        }
        guard let scram = ScramMechanism(name: sasl.mechanism.name) else {
            _ = try await saslAuthenticate(PlainClientMessage.encode(username: sasl.username, password: sasl.password), correlationId: 2)
            return
        }
        var exchange = ScramClientExchange(mechanism: scram, username: sasl.username, password: sasl.password)
        let serverFirst = try await saslAuthenticate(exchange.firstMessage(), correlationId: 2)
        let clientFinal: [UInt8]
        do {
            clientFinal = try exchange.finalMessage(serverFirst: serverFirst)
        } catch {
            throw KafkaWireError.authenticationFailed("\(error)")
        }
        let serverFinal = try await saslAuthenticate(clientFinal, correlationId: 3)
        do {
            try exchange.verify(serverFinal: serverFinal)
        } catch {
            throw KafkaWireError.authenticationFailed("\(error)")
        }
    }

    /// One SaslAuthenticate round: the client's bytes, the server's answer.
    private func saslAuthenticate(_ bytes: [UInt8], correlationId: Int32) async throws -> [UInt8] {
        var message = SaslAuthenticateRequest()
        message.authBytes = ByteBuffer(bytes: bytes)
        let response = try await request(message, apiKey: .saslAuthenticate, version: 1, correlationId: correlationId,
                                         as: SaslAuthenticateResponse.self)
        guard response.errorCode == 0 else {
            let code = KafkaErrorCode.forCode(response.errorCode)
            throw KafkaWireError.authenticationFailed(response.errorMessage.map { "\($0) (\(code.name))" } ?? code.name)
        }
        return Array(response.authBytes.readableBytesView)
    }
}
