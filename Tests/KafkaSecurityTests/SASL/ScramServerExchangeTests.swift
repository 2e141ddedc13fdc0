import Testing
@testable import KafkaSecurity

@Suite("ScramServerExchange")
struct ScramServerExchangeTests {
    let vector = ScramVector.rfc7677

    /// Runs a client-first message through a fresh server of the vector.
    func first(_ message: String) -> SaslServerStep {
        var server = vector.server()
        return server.receive(bytes(message))
    }

    /// Runs a client-final message through a server that has answered the vector's client-first.
    func final(_ message: [UInt8]) -> SaslServerStep {
        var server = vector.serverAwaitingFinal()
        return server.receive(message)
    }

    // MARK: Credentials

    @Test func wrongPassword() throws {
        var client = vector.client(password: "pencil!")
        var server = vector.server()
        _ = server.receive(client.firstMessage())
        let failure = try #require(server.receive(try client.finalMessage(serverFirst: bytes(vector.serverFirst))).failure)
        #expect(failure.kind == .invalidCredentials)
        #expect(failure.clientMessage == genericScramMessage(.sha256))
        #expect(failure.description.contains("\"user\""))
    }

    @Test("an unknown user gets a challenge and then the same client message as a wrong password")
    func unknownUser() throws {
        var server = ScramServerExchange(mechanism: .sha256, credential: { _ in nil }, nonce: { "server" })
        let challenge = try #require(server.receive(bytes("n,,n=nobody,r=abc")).challengeBytes)
        var client = ScramClientExchange(mechanism: .sha256, username: "nobody", password: "pencil", nonce: "abc")
        let failure = try #require(server.receive(try client.finalMessage(serverFirst: challenge)).failure)
        #expect(failure.kind == .unknownUser)
        #expect(failure.clientMessage == genericScramMessage(.sha256))

        var known = vector.server()
        var wrong = vector.client(password: "wrong")
        _ = known.receive(wrong.firstMessage())
        let wrongPassword = try #require(known.receive(try wrong.finalMessage(serverFirst: bytes(vector.serverFirst))).failure)
        #expect(failure.clientMessage == wrongPassword.clientMessage)
    }

    @Test("an unknown user's challenge looks like a real one and is the same on every try")
    func unknownUserChallenge() throws {
        func challenge(_ user: String) throws -> ScramServerFirstMessage {
            var server = ScramServerExchange(mechanism: .sha512, credential: { _ in nil }, nonce: { "S" })
            let bytes = try #require(server.receive(bytes("n,,n=\(user),r=C")).challengeBytes)
            return try ScramServerFirstMessage(parsing: bytes, clientNonce: "C", iterationLimits: 1...Int.max)
        }
        let first = try challenge("mallory")
        #expect(first.nonce == "CS")
        #expect(first.salt.count == ScramCredential.randomSalt().count)
        #expect(first.iterations == ScramMechanism.minimumIterations)
        #expect(try challenge("mallory").salt == first.salt)
        #expect(try challenge("trudy").salt != first.salt)
    }

    @Test("a credential for the other mechanism, or with too few iterations, counts as no credential")
    func unusableCredential() throws {
        let credentials = [
            ScramCredential(mechanism: .sha512, password: "pencil", salt: vector.salt, iterations: 4096),
            ScramCredential(mechanism: .sha256, password: "pencil", salt: vector.salt, iterations: 4095),
        ]
        for credential in credentials {
            var server = ScramServerExchange(mechanism: .sha256, credential: { _ in credential }, nonce: { "S" })
            var client = ScramClientExchange(mechanism: .sha256, username: "user", password: "pencil", nonce: "C")
            let challenge = try #require(server.receive(client.firstMessage()).challengeBytes)
            #expect(challenge != bytes("r=CS,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=\(credential.iterations)"))
            let failure = try #require(server.receive(try client.finalMessage(serverFirst: challenge)).failure)
            #expect(failure.kind == .unknownUser)
            #expect(failure.clientMessage == genericScramMessage(.sha256))
        }
    }

    @Test func tamperedProof() throws {
        var proof = base64("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        proof[7] ^= 0x01
        let message = "c=biws,r=\(vector.clientNonce)\(vector.serverNonce),p=\(SaslBase64.encode(proof))"
        #expect(final(bytes(message)).failure?.kind == .invalidCredentials)
    }

    @Test("the server looks the unescaped user name up")
    func escapedUsername() throws {
        let seen = ScramCredential(mechanism: .sha256, password: "x", salt: [1], iterations: 4096)
        var server = ScramServerExchange(mechanism: .sha256, credential: { $0 == "a,b=c" ? seen : nil }, nonce: { "S" })
        #expect(server.receive(bytes("n,,n=a=2Cb=3Dc,r=C")) == .challenge(bytes("r=CS,s=AQ==,i=4096")))
    }

    // MARK: Nonce and channel binding

    @Test func tamperedNonce() {
        let tampered = vector.clientFinal.replacingOccurrences(of: "hNlF$k0", with: "hNlF$k1")
        #expect(final(bytes(tampered)).failure?.kind == .nonceMismatch)
        let withoutServerPart = "c=biws,r=\(vector.clientNonce),p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        #expect(final(bytes(withoutServerPart)).failure?.kind == .nonceMismatch)
    }

    @Test("a client-final message replayed into an exchange with another server nonce fails")
    func replayedIntoAnotherExchange() {
        var server = ScramServerExchange(mechanism: .sha256, credential: { [vector] _ in vector.credential }, nonce: { "fresh" })
        _ = server.receive(bytes(vector.clientFirst))
        let failure = server.receive(bytes(vector.clientFinal)).failure
        #expect(failure?.kind == .nonceMismatch)
        #expect(failure?.clientMessage == genericScramMessage(.sha256))
    }

    @Test func tamperedChannelBinding() {
        for binding in ["eSws", "bixhPXVzZXIs", "cD10bHMtdW5pcXVlLCw="] {  // "y,,", "n,a=user,", "p=tls-unique,,"
            let message = vector.clientFinal.replacingOccurrences(of: "c=biws", with: "c=\(binding)")
            #expect(final(bytes(message)).failure?.kind == .channelBindingMismatch, "c=\(binding)")
        }
    }

    // MARK: GS2 header and extensions

    @Test("y,, and a=<the user> are accepted and must be repeated in c=")
    func gs2Variants() throws {
        for gs2Header in ["y,,", "n,a=user,"] {
            var server = vector.server()
            let challenge = try #require(server.receive(bytes("\(gs2Header)n=user,r=\(vector.clientNonce)")).challengeBytes)
            #expect(challenge == bytes(vector.serverFirst))
            let message = clientFinal(
                mechanism: .sha256, password: "pencil", gs2Header: gs2Header, clientFirstBare: "n=user,r=\(vector.clientNonce)",
                serverFirst: vector.serverFirst, combinedNonce: vector.clientNonce + vector.serverNonce, salt: vector.salt, iterations: 4096
            )
            #expect(message.hasPrefix("c=\(SaslBase64.encode(Array(gs2Header.utf8))),"))
            guard case .authenticated(let name, let serverFinal) = server.receive(bytes(message)) else {
                Issue.record("\(gs2Header) was not accepted")
                continue
            }
            #expect(name == "user")
            #expect(serverFinal.starts(with: bytes("v=")))
        }
    }

    @Test("an authorization identity other than the user name is refused with Kafka's message")
    func authorizationIdMismatch() {
        let failure = first("n,a=admin,n=user,r=abc").failure
        #expect(failure?.kind == .authorizationIdMismatch)
        #expect(failure?.clientMessage == "Authentication failed: Client requested an authorization id that is different from username")
        // Unknown users get the same answer.
        var server = ScramServerExchange(mechanism: .sha256, credential: { _ in nil })
        #expect(server.receive(bytes("n,a=admin,n=nobody,r=abc")).failure?.clientMessage == failure?.clientMessage)
    }

    @Test("channel binding and the mandatory extension m= are refused")
    func unsupportedFeatures() {
        for message in ["p=tls-unique,,n=user,r=abc", "p=tls-server-end-point,a=user,n=user,r=abc", "n,,m=ext,n=user,r=abc"] {
            let failure = first(message).failure
            #expect(failure?.kind == .unsupportedFeature, "\(message)")
            #expect(failure?.clientMessage == genericScramMessage(.sha256))
        }
    }

    @Test("tokenauth=true is refused: delegation tokens are not supported")
    func tokenAuthentication() {
        for message in ["n,,n=user,r=abc,tokenauth=true", "n,,n=user,r=abc,tokenauth=TRUE", "n,,n=user,r=abc,x=1,tokenauth=True"] {
            let failure = first(message).failure
            #expect(failure?.kind == .unsupportedFeature, "\(message)")
            #expect(failure?.clientMessage == genericScramMessage(.sha256))
        }
        #expect(first("n,,n=user,r=abc,tokenauth=false").challengeBytes != nil)
    }

    @Test("other extensions are ignored but count in the AuthMessage")
    func ignoredExtensions() throws {
        let bare = "n=user,r=\(vector.clientNonce),foo=bar,x=1=2"
        var server = vector.server()
        let challenge = try #require(server.receive(bytes("n,,\(bare)")).challengeBytes)
        #expect(challenge == bytes(vector.serverFirst))
        let message = clientFinal(
            mechanism: .sha256, password: "pencil", gs2Header: "n,,", clientFirstBare: bare, serverFirst: vector.serverFirst,
            combinedNonce: vector.clientNonce + vector.serverNonce, salt: vector.salt, iterations: 4096
        )
        guard case .authenticated(let name, _) = server.receive(bytes(message)) else {
            Issue.record("extension broke the login")
            return
        }
        #expect(name == "user")
        // The vector's client-final, computed without the extension, does not match.
        var other = vector.server()
        _ = other.receive(bytes("n,,\(bare)"))
        #expect(other.receive(bytes(vector.clientFinal)).failure?.kind == .invalidCredentials)
    }

    @Test("extensions in the client-final message are allowed")
    func finalExtensions() {
        let parts = vector.clientFinal.split(separator: ",p=")
        let withExtension = "\(parts[0]),foo=bar,p=\(parts[1])"
        // The extension is part of the AuthMessage, so the vector's proof no longer fits.
        #expect(final(bytes(withExtension)).failure?.kind == .invalidCredentials)
    }

    // MARK: Order of messages

    @Test("every message after success or failure fails")
    func messagesAfterTheEnd() {
        var server = vector.server()
        _ = server.receive(bytes(vector.clientFirst))
        #expect(server.receive(bytes(vector.clientFinal)).challengeBytes == nil)
        for message in [vector.clientFinal, vector.clientFirst, ""] {
            let failure = server.receive(bytes(message)).failure
            #expect(failure?.kind == .unexpectedMessage)
            #expect(failure?.clientMessage == genericScramMessage(.sha256))
        }

        var failed = vector.server()
        #expect(failed.receive(bytes("garbage")).failure?.kind == .malformedMessage)
        #expect(failed.receive(bytes(vector.clientFirst)).failure?.kind == .unexpectedMessage)
    }

    @Test("a client-first message sent twice fails and ends the exchange")
    func clientFirstTwice() {
        var server = vector.server()
        _ = server.receive(bytes(vector.clientFirst))
        #expect(server.receive(bytes(vector.clientFirst)).failure?.kind == .malformedMessage)
        #expect(server.receive(bytes(vector.clientFinal)).failure?.kind == .unexpectedMessage)
    }

    // MARK: Malformed, truncated and oversized input

    @Test("malformed client-first messages", arguments: [
        "", "n", "n,", "n,,", "n,,n=user", "n,,n=user,", "n,,r=abc,n=user", "n,,n=user,r=abc,", "n,,n=user,r=abc,,x=y",
        "n,,n=user,r=abc,1=2", "n,,n=user,r=abc,=2", "n,,n=user,r=abc,x", "x,,n=user,r=abc", "N,,n=user,r=abc", "n,x,n=user,r=abc",
        "n,a=,n=user,r=abc", ",,n=user,r=abc", "n,,n=,r=abc", "n,,n=us=er,r=abc", "n,,n=us=2cer,r=abc", "n,,n=user=,r=abc",
        "n,,n=user=2,r=abc", "n,,n=user,r=", "n,,n=user,r=a b", "n,,n=user,r=abc\u{7F}", "n,,n=user,r=é", "n,,n=user,s=abc",
        "n,,user,r=abc", " n,,n=user,r=abc",
    ])
    func malformedClientFirst(message: String) {
        let failure = first(message).failure
        #expect(failure?.kind == .malformedMessage)
        #expect(failure?.clientMessage == genericScramMessage(.sha256))
    }

    @Test("client-first bytes that are not UTF-8 or hold NUL")
    func clientFirstNotText() {
        for message: [UInt8] in [[0xFF], bytes("n,,n=us") + [0xC3] + bytes(",r=abc"), bytes("n,,n=us\0er,r=abc"), bytes("n,,n=user,r=abc") + [0xED, 0xA0, 0x80]] {
            var server = vector.server()
            #expect(server.receive(message).failure?.kind == .malformedMessage)
        }
    }

    @Test("malformed client-final messages", arguments: [
        "", "c=biws", "c=biws,r=NONCE", "r=NONCE,c=biws,p=PROOF", "c=biws,p=PROOF,r=NONCE", "c=biws,r=NONCE,p=",
        "c=biws,r=NONCE,p=PROOF,", "c=biws,r=NONCE,p=!!!!", "c=biws,r=NONCE,p=dHzbZapW", "c=biws,r=NONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
        "c=biws,r=NONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=dHzb", "c=biw,r=NONCE,p=PROOF", "c=,r=NONCE,p=PROOF",
        "c=biws,r=,p=PROOF", "c=biws,,r=NONCE,p=PROOF", "c=b iws,r=NONCE,p=PROOF", "c=biws,r=NONCE,p=PROOF,e=x", "C=biws,r=NONCE,p=PROOF",
        "c=biws,r=NONCE,1=2,p=PROOF", "c=biws,r=NONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=x",
        "c=biws,r=NONCE,p=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==",
    ])
    func malformedClientFinal(template: String) {
        let message = template
            .replacingOccurrences(of: "NONCE", with: vector.clientNonce + vector.serverNonce)
            .replacingOccurrences(of: "PROOF", with: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        let failure = final(bytes(message)).failure
        #expect(failure?.kind == .malformedMessage)
        #expect(failure?.clientMessage == genericScramMessage(.sha256))
    }

    @Test("every truncation of the client-final message fails")
    func truncatedClientFinal() {
        let message = bytes(vector.clientFinal)
        for length in 0..<message.count {
            #expect(final(Array(message.prefix(length))).failure != nil, "\(length) bytes")
        }
    }

    @Test("every truncation of the client-first message is refused or answered, never authenticated")
    func truncatedClientFirst() {
        let message = bytes(vector.clientFirst)
        for length in 0..<message.count {
            var server = vector.server()
            let step = server.receive(Array(message.prefix(length)))
            let nonceLength = length - "n,,n=user,r=".utf8.count
            #expect((step.challengeBytes != nil) == (nonceLength > 0), "\(length) bytes")
        }
    }

    @Test("messages over 4096 bytes fail as malformed; 4096 bytes are read")
    func oversized() {
        let prefix = "n,,n=user,r="
        let atLimit = prefix + String(repeating: "x", count: 4096 - prefix.utf8.count)
        #expect(first(atLimit).challengeBytes != nil)
        #expect(first(atLimit + "x").failure?.kind == .malformedMessage)
        #expect(first("n,,n=\(String(repeating: "u", count: 100_000)),r=abc").failure?.kind == .malformedMessage)

        let final = vector.clientFinal.replacingOccurrences(of: ",p=", with: ",x=\(String(repeating: "y", count: 4096)),p=")
        #expect(self.final(bytes(final)).failure?.kind == .malformedMessage)
    }

    @Test("random bytes never crash the server and never authenticate")
    func randomBytes() {
        var random = SeededGenerator(state: 0x5EED)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...200, using: &random)
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var fresh = vector.server()
            if case .authenticated = fresh.receive(message) { Issue.record("authenticated on a first message") }
            #expect(final(message).failure != nil)
        }
    }

    @Test("random changes to the client-final message never crash the server; any change before p= fails")
    func mutatedClientFinal() {
        var random = SeededGenerator(state: 0xF1A1)
        let message = bytes(vector.clientFinal)
        let proofStart = vector.clientFinal.utf8.count - "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8.count
        for _ in 0..<2000 {
            var mutated = message
            let index = Int.random(in: 0..<mutated.count, using: &random)
            let byte = UInt8.random(in: 0...255, using: &random)
            guard byte != mutated[index] else { continue }
            mutated[index] = byte
            let step = final(mutated)
            if index < proofStart {
                #expect(step.failure != nil, "byte \(index) set to \(byte)")
            }
        }
    }
}
