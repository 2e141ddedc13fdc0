import Testing
@testable import KafkaSecurity

@Suite("ScramServerExchange and librdkafka 2.0's client-final nonce")
struct ScramLegacyNonceTests {
    let vector = ScramVector.rfc7677

    /// A client-final message with `nonce` in `r=`, proved correctly over it.
    func final(nonce: String) -> [UInt8] {
        bytes(clientFinal(
            mechanism: vector.mechanism, password: vector.password, gs2Header: "n,,", clientFirstBare: "n=user,r=\(vector.clientNonce)",
            serverFirst: vector.serverFirst, combinedNonce: nonce, salt: vector.salt, iterations: vector.iterations))
    }

    @Test("the client's nonce sent again before the combined one (librdkafka before 2.2) logs in, as on Kafka's brokers")
    func duplicatedClientNonce() {
        var server = vector.serverAwaitingFinal()
        let step = server.receive(final(nonce: vector.clientNonce + vector.clientNonce + vector.serverNonce))
        guard case .authenticated(let user, _) = step else {
            Issue.record("expected a login, got \(step)")
            return
        }
        #expect(user == "user")
    }

    @Test("any other prefix, or the server's part alone, is still refused however well proved",
          arguments: ["x", "xx" + "rOprNGfwEbeRWgbNEkqO", "rOprNG"])
    func otherPrefixes(prefix: String) {
        var server = vector.serverAwaitingFinal()
        let combined = vector.clientNonce + vector.serverNonce
        #expect(server.receive(final(nonce: prefix + combined)).failure?.kind == .nonceMismatch)
        var alone = vector.serverAwaitingFinal()
        #expect(alone.receive(final(nonce: vector.serverNonce)).failure?.kind == .nonceMismatch)
    }
}
