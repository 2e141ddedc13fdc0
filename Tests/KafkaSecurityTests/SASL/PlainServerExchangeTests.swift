import Testing
@testable import KafkaSecurity

@Suite("PlainServerExchange and PlainClientMessage")
struct PlainServerExchangeTests {
    /// A server that knows alice with password "secret".
    static func server() -> PlainServerExchange {
        PlainServerExchange(verify: { $0 == "alice" && $1 == "secret" })
    }

    func receive(_ message: [UInt8]) -> SaslServerStep {
        var server = Self.server()
        return server.receive(message)
    }

    @Test("the client's message is NUL user NUL password")
    func encode() {
        #expect(PlainClientMessage.encode(username: "alice", password: "secret") == [0] + bytes("alice") + [0] + bytes("secret"))
    }

    @Test("a good login, with or without the user as authorization identity")
    func good() {
        #expect(receive(PlainClientMessage.encode(username: "alice", password: "secret")) == .authenticated(username: "alice", finalMessage: []))
        #expect(receive(bytes("alice\0alice\0secret")) == .authenticated(username: "alice", finalMessage: []))
    }

    @Test("the verifier gets the user name and password as sent")
    func verifierArguments() {
        var server = PlainServerExchange(verify: { $0 == "ålice,=x" && $1 == "pa ss\u{1F511}" })
        #expect(server.receive(bytes("\0ålice,=x\0pa ss\u{1F511}")) == .authenticated(username: "ålice,=x", finalMessage: []))
    }

    @Test("a wrong password and an unknown user get the same client message")
    func wrongPasswordAndUnknownUser() {
        let wrong = receive(PlainClientMessage.encode(username: "alice", password: "Secret")).failure
        let unknown = receive(PlainClientMessage.encode(username: "bob", password: "secret")).failure
        #expect(wrong?.kind == .invalidCredentials)
        #expect(unknown?.kind == .invalidCredentials)
        #expect(wrong?.clientMessage == "Authentication failed: Invalid username or password")
        #expect(unknown?.clientMessage == wrong?.clientMessage)
    }

    @Test("an authorization identity other than the user is refused without checking the password")
    func authorizationIdMismatch() {
        var server = PlainServerExchange(verify: { _, _ in
            Issue.record("verify was called")
            return true
        })
        let failure = server.receive(bytes("admin\0alice\0secret")).failure
        #expect(failure?.kind == .authorizationIdMismatch)
        #expect(failure?.clientMessage == "Authentication failed: Client requested an authorization id that is different from username")
        // Compared exactly: a canonically equivalent spelling is another identity.
        #expect(receive(bytes("cafe\u{301}\0caf\u{E9}\0secret")).failure?.kind == .authorizationIdMismatch)
    }

    @Test("messages without exactly two NULs are refused with Kafka's message", arguments: [
        ("", 1), ("alice", 1), ("alice\0secret", 2), ("\0alice\0secret\0", 4), ("a\0b\0c\0d", 4), ("\0\0\0", 4),
    ])
    func tokenCount(message: String, tokens: Int) {
        let failure = receive(bytes(message)).failure
        #expect(failure?.kind == .malformedMessage)
        #expect(failure?.clientMessage == "Invalid SASL/PLAIN response: expected 3 tokens, got \(tokens)")
    }

    @Test("an empty user name or password is refused with Kafka's message")
    func emptyFields() {
        #expect(receive(bytes("\0\0secret")).failure?.clientMessage == "Authentication failed: username not specified")
        #expect(receive(bytes("alice\0\0secret")).failure?.clientMessage == "Authentication failed: username not specified")
        #expect(receive(bytes("\0alice\0")).failure?.clientMessage == "Authentication failed: password not specified")
        #expect(receive(bytes("\0\0")).failure?.kind == .malformedMessage)
    }

    @Test("bytes that are not UTF-8 are malformed")
    func notUTF8() {
        let failure = receive([0] + bytes("alice") + [0, 0xFF, 0xFE]).failure
        #expect(failure?.kind == .malformedMessage)
        #expect(failure?.clientMessage == "Invalid SASL/PLAIN response")
    }

    @Test("messages up to 4096 bytes are read; longer ones are malformed")
    func oversized() {
        let atLimit = PlainClientMessage.encode(username: "alice", password: String(repeating: "p", count: 4096 - 7))
        #expect(atLimit.count == 4096)
        #expect(receive(atLimit).failure?.kind == .invalidCredentials)
        #expect(receive(atLimit + [0x70]).failure?.kind == .malformedMessage)
    }

    @Test("any message after the first fails")
    func secondMessage() {
        var server = Self.server()
        _ = server.receive(PlainClientMessage.encode(username: "alice", password: "secret"))
        #expect(server.receive(PlainClientMessage.encode(username: "alice", password: "secret")).failure?.kind == .unexpectedMessage)
        var failed = Self.server()
        _ = failed.receive(bytes("junk"))
        #expect(failed.receive(PlainClientMessage.encode(username: "alice", password: "secret")).failure?.kind == .unexpectedMessage)
    }

    @Test("logins checked against stored SCRAM credentials")
    func againstScramCredential() {
        let credential = ScramCredential(mechanism: .sha512, password: "secret", salt: ScramCredential.randomSalt(), iterations: 4096)
        var server = PlainServerExchange(verify: { user, password in user == "alice" && credential.matches(password: password) })
        #expect(server.receive(PlainClientMessage.encode(username: "alice", password: "secret")) == .authenticated(username: "alice", finalMessage: []))
        var wrong = PlainServerExchange(verify: { _, password in credential.matches(password: password) })
        #expect(wrong.receive(PlainClientMessage.encode(username: "alice", password: "secret ")).failure?.kind == .invalidCredentials)
    }

    @Test("random bytes never crash the server and never authenticate")
    func randomBytes() {
        var random = SeededGenerator(state: 0x91A1)
        for _ in 0..<2000 {
            let message = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(receive(message).failure != nil)
        }
    }
}
