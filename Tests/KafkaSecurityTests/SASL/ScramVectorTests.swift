import Testing
@testable import KafkaSecurity

@Suite("SCRAM test vectors through both exchanges")
struct ScramVectorTests {
    static let vectors = [ScramVector.rfc7677, ScramVector.sha512]

    @Test("the credential's keys are the vector's", arguments: vectors + [ScramVector.escapedAuthorizationId])
    func credentialKeys(vector: ScramVector) {
        let credential = vector.credential
        #expect(credential.storedKey == base64(vector.storedKey))
        #expect(credential.serverKey == base64(vector.serverKey))
        #expect(credential.salt == vector.salt)
        #expect(credential.iterations == 4096)
        let fromSalted = ScramCredential(mechanism: vector.mechanism, saltedPassword: hex(vector.saltedPasswordHex), salt: vector.salt, iterations: 4096)
        #expect(fromSalted == credential)
    }

    @Test("the client sends the vector's messages and accepts the server's signature", arguments: vectors)
    func client(vector: ScramVector) throws {
        var client = vector.client()
        #expect(client.firstMessage() == bytes(vector.clientFirst))
        let final = try client.finalMessage(serverFirst: bytes(vector.serverFirst))
        #expect(String(decoding: final, as: UTF8.self) == vector.clientFinal)
        try client.verify(serverFinal: bytes(vector.serverFinal))
    }

    @Test("the server answers the vector's messages", arguments: vectors + [ScramVector.escapedAuthorizationId])
    func server(vector: ScramVector) {
        var server = vector.server()
        #expect(server.receive(bytes(vector.clientFirst)) == .challenge(bytes(vector.serverFirst)))
        #expect(server.receive(bytes(vector.clientFinal)) == .authenticated(username: vector.username, finalMessage: bytes(vector.serverFinal)))
    }

    @Test("client and server drive each other", arguments: ScramMechanism.allCases)
    func clientAndServer(mechanism: ScramMechanism) throws {
        let username = "ålice,=ops"
        let password = "pä=ss,wörd \u{1F511}"
        let credential = ScramCredential(mechanism: mechanism, password: password, salt: ScramCredential.randomSalt(), iterations: 4096)
        var server = ScramServerExchange(mechanism: mechanism, credential: { $0 == username ? credential : nil })
        var client = ScramClientExchange(mechanism: mechanism, username: username, password: password)

        let challenge = try #require(server.receive(client.firstMessage()).challengeBytes)
        let final = try client.finalMessage(serverFirst: challenge)
        guard case .authenticated(let name, let serverFinal) = server.receive(final) else {
            Issue.record("the server did not authenticate the client")
            return
        }
        #expect(name == username)
        try client.verify(serverFinal: serverFinal)
    }

    @Test("a client with a wrong password is refused, and cannot verify anything", arguments: ScramMechanism.allCases)
    func wrongPasswordEndToEnd(mechanism: ScramMechanism) throws {
        let credential = ScramCredential(mechanism: mechanism, password: "right", salt: ScramCredential.randomSalt(), iterations: 4096)
        var server = ScramServerExchange(mechanism: mechanism, credential: { _ in credential })
        var client = ScramClientExchange(mechanism: mechanism, username: "bob", password: "wrong")
        let challenge = try #require(server.receive(client.firstMessage()).challengeBytes)
        let failure = try #require(server.receive(try client.finalMessage(serverFirst: challenge)).failure)
        #expect(failure.kind == .invalidCredentials)
        #expect(failure.clientMessage == genericScramMessage(mechanism))
    }
}
