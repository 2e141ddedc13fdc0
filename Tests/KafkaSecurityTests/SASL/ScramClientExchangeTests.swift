import Testing
@testable import KafkaSecurity

@Suite("ScramClientExchange")
struct ScramClientExchangeTests {
    let vector = ScramVector.rfc7677

    /// The error the vector's client throws for `serverFirst`.
    func errorForServerFirst(_ serverFirst: String) -> SaslClientError? {
        var client = vector.client()
        return clientError { () throws(SaslClientError) in _ = try client.finalMessage(serverFirst: bytes(serverFirst)) }
    }

    /// The error the vector's client throws for `serverFinal` after the vector's server-first.
    func errorForServerFinal(_ serverFinal: [UInt8]) throws -> SaslClientError? {
        var client = vector.client()
        _ = try client.finalMessage(serverFirst: bytes(vector.serverFirst))
        return clientError { () throws(SaslClientError) in try client.verify(serverFinal: serverFinal) }
    }

    @Test("the first message escapes ',' and '=' in the user name")
    func firstMessageEscapes() {
        let client = ScramClientExchange(mechanism: .sha512, username: "a,b=c=,", password: "p", nonce: "N0nce!")
        #expect(client.firstMessage() == bytes("n,,n=a=2Cb=3Dc=3D=2C,r=N0nce!"))
    }

    @Test("random nonces are 32 printable characters without commas, and differ")
    func randomNonce() {
        let nonces = (0..<100).map { _ in ScramClientExchange.randomNonce() }
        #expect(Set(nonces).count == 100)
        for nonce in nonces {
            #expect(nonce.utf8.count == 32)
            #expect(ScramNonce.isValid(nonce))
        }
        #expect(ScramServerExchange.randomNonce() != ScramServerExchange.randomNonce())
    }

    @Test("the server's nonce must extend the client's", arguments: [
        "r=XOprNGfwEbeRWgbNEkqOsuffix,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkq,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=suffixrOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ])
    func nonceMismatch(serverFirst: String) {
        #expect(errorForServerFirst(serverFirst)?.kind == .nonceMismatch)
    }

    @Test("iteration counts out of bounds are refused before any work", arguments: [
        "0", "1", "4095", "1000001", "16777216", "999999999999999999", "9999999999999999999", "99999999999999999999999999999999",
    ])
    func iterationCount(iterations: String) {
        let error = errorForServerFirst("r=\(vector.clientNonce)x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=\(iterations)")
        #expect(error?.kind == .iterationCount)
    }

    @Test("more iterations than Kafka stores, but within the client's bound, are accepted")
    func manyIterations() throws {
        var client = vector.client()
        _ = try client.finalMessage(serverFirst: bytes("r=\(vector.clientNonce)x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=20000"))
    }

    @Test("malformed server-first messages", arguments: [
        "", "r=rOprNGfwEbeRWgbNEkqOx", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==",
        "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOx,i=4096", "r=rOprNGfwEbeRWgbNEkqOx,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==",
        "r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsU jb6gQ==,i=4096", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=+4096", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096.0", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i= 4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=٤٠٩٦", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
        "r=rOprNGfwEbeRWgbNEkqO x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "e=other-error",
    ])
    func malformedServerFirst(serverFirst: String) {
        #expect(errorForServerFirst(serverFirst)?.kind == .malformedMessage)
    }

    @Test("the reserved mandatory extension m= is refused")
    func mandatoryExtension() {
        let error = errorForServerFirst("m=ext,r=\(vector.clientNonce)x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(error?.kind == .unsupportedFeature)
    }

    @Test("extensions after i= are ignored")
    func serverFirstExtensions() throws {
        var client = vector.client()
        _ = try client.finalMessage(serverFirst: bytes(vector.serverFirst + ",foo=bar"))
    }

    @Test("server-first bytes that are not UTF-8, or too long, are malformed")
    func serverFirstNotText() {
        var client = vector.client()
        for message in [[0xFF], bytes(vector.serverFirst) + [0x80], bytes(vector.serverFirst + ",x=" + String(repeating: "y", count: 5000))] {
            let error = clientError { () throws(SaslClientError) in _ = try client.finalMessage(serverFirst: message) }
            #expect(error?.kind == .malformedMessage)
        }
    }

    @Test("the server's e= error is reported")
    func serverError() throws {
        #expect(ScramServerFinalMessage.error("invalid-proof").bytes == bytes("e=invalid-proof"))
        let error = try errorForServerFinal(ScramServerFinalMessage.error("invalid-proof").bytes)
        #expect(error?.kind == .serverError)
        #expect(error?.serverError == "invalid-proof")
        #expect(error?.message == "Sasl authentication using SCRAM-SHA-256 failed with error: invalid-proof")
    }

    @Test("a wrong server signature is refused")
    func wrongSignature() throws {
        #expect(try errorForServerFinal(bytes(ScramVector.sha512.serverFinal))?.kind == .invalidServerSignature)
        var signature = base64("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        signature[31] ^= 0x80
        #expect(try errorForServerFinal(bytes("v=\(SaslBase64.encode(signature))"))?.kind == .invalidServerSignature)
        #expect(try errorForServerFinal(bytes("v=\(SaslBase64.encode(Array(signature.prefix(16))))"))?.kind == .invalidServerSignature)
    }

    @Test("the server's signature for another password is refused")
    func signatureOfAnotherPassword() throws {
        var client = vector.client(password: "pencil2")
        _ = try client.finalMessage(serverFirst: bytes(vector.serverFirst))
        let error = clientError { () throws(SaslClientError) in try client.verify(serverFinal: bytes(vector.serverFinal)) }
        #expect(error?.kind == .invalidServerSignature)
    }

    @Test("malformed server-final messages", arguments: ["", "v=", "v=!!!!", "x=abc", "6rriTRBi", ",v=abcd", "v=abc"])
    func malformedServerFinal(serverFinal: String) throws {
        #expect(try errorForServerFinal(bytes(serverFinal))?.kind == .malformedMessage)
    }

    @Test("server-final bytes that are not UTF-8 are malformed")
    func serverFinalNotText() throws {
        #expect(try errorForServerFinal(bytes(vector.serverFinal) + [0xFE])?.kind == .malformedMessage)
    }

    @Test("extensions after v= are ignored")
    func serverFinalExtensions() throws {
        #expect(try errorForServerFinal(bytes(vector.serverFinal + ",foo=bar")) == nil)
    }

    @Test("methods called out of order fail")
    func outOfOrder() throws {
        var client = vector.client()
        let early = clientError { () throws(SaslClientError) in try client.verify(serverFinal: bytes(vector.serverFinal)) }
        #expect(early?.kind == .outOfOrder)
        _ = try client.finalMessage(serverFirst: bytes(vector.serverFirst))
        let twice = clientError { () throws(SaslClientError) in _ = try client.finalMessage(serverFirst: bytes(vector.serverFirst)) }
        #expect(twice?.kind == .outOfOrder)
        try client.verify(serverFinal: bytes(vector.serverFinal))
    }

    @Test("random server messages never crash the client")
    func randomBytes() throws {
        var random = SeededGenerator(state: 0xC11E)
        let started = vector.client()
        var finished = vector.client()
        _ = try finished.finalMessage(serverFirst: bytes(vector.serverFirst))
        for _ in 0..<1000 {
            let message = (0..<Int.random(in: 0...120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var client = started
            #expect(clientError { () throws(SaslClientError) in _ = try client.finalMessage(serverFirst: message) } != nil)
            #expect(clientError { () throws(SaslClientError) in try finished.verify(serverFinal: message) } != nil)
        }
    }
}
