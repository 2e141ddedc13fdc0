/// The broker's side of one SCRAM login (RFC 5802, RFC 7677), as Kafka's
/// `ScramSaslServer` does it: a value-type state machine that takes each
/// client message and says what to answer. It does no I/O.
///
/// The first message must be `n,,n=<user>,r=<nonce>` (or `y,,`, or `n,a=<user>,`
/// naming the same user). Channel binding (`p=`), the mandatory-extension
/// attribute `m=` and delegation tokens (`tokenauth=true`) are refused; other
/// extensions are ignored. A user without a usable credential goes on with a
/// fake one and fails at the final message with the same client message as a
/// wrong password. Every failure ends the exchange, and so does success: any
/// later message fails. Messages longer than 4096 bytes fail as malformed.
public struct ScramServerExchange: Sendable {
    /// What the first message established, for checking the final one.
    private struct Pending: Sendable {
        var clientFirst: ScramClientFirstMessage
        var serverFirst: ScramServerFirstMessage
        var credential: ScramCredential
        /// Why the user has no usable credential (so `credential` is fake); nil if it has one.
        var unusableCredential: String?
    }

    private enum State: Sendable {
        case awaitingClientFirst
        case awaitingClientFinal(Pending)
        case ended
    }

    private let mechanism: ScramMechanism
    private let credential: @Sendable (String) -> ScramCredential?
    private let nonce: @Sendable () -> String
    private var state = State.awaitingClientFirst

    /// An exchange for `mechanism`. `credential` looks a user up by name; it
    /// should return the user's credential for `mechanism`, or nil. A user it
    /// returns nil for, or a credential for the other mechanism or with fewer than
    /// `ScramMechanism.minimumIterations` iterations, goes on with a fake
    /// credential (so that a client cannot tell unknown users from wrong passwords)
    /// and fails at the end. Fake credentials have 32-byte salts and 4096
    /// iterations, so real ones that look alike hide best. `nonce` makes the
    /// server's part of the nonce, printable ASCII without ","; tests pass a fixed one.
    public init(
        mechanism: ScramMechanism,
        credential: @escaping @Sendable (String) -> ScramCredential?,
        nonce: @escaping @Sendable () -> String = ScramServerExchange.randomNonce
    ) {
        self.mechanism = mechanism
        self.credential = credential
        self.nonce = nonce
    }

    /// A new server nonce from the system's secure random source (32 base64 characters).
    public static func randomNonce() -> String {
        ScramNonce.random()
    }

    /// Takes the client's next message and says what to answer: the server-first
    /// challenge after the client's first message; after its final message,
    /// `authenticated` with `v=<ServerSignature>` or `failed`.
    public mutating func receive(_ clientMessage: [UInt8]) -> SaslServerStep {
        let current = state
        state = .ended
        do throws(SaslAuthenticationFailure) {
            switch current {
            case .awaitingClientFirst:
                let pending = try receiveFirst(clientMessage)
                state = .awaitingClientFinal(pending)
                return .challenge(Array(pending.serverFirst.text.utf8))
            case .awaitingClientFinal(let pending):
                return try receiveFinal(clientMessage, pending)
            case .ended:
                throw .scram(.unexpectedMessage, mechanism, "a client message after the exchange ended")
            }
        } catch {
            return .failed(error)
        }
    }

    private func receiveFirst(_ message: [UInt8]) throws(SaslAuthenticationFailure) -> Pending {
        let clientFirst = try ScramClientFirstMessage(parsing: message, mechanism: mechanism)
        let username = clientFirst.username
        if let authorizationId = clientFirst.authorizationId, !authorizationId.utf8.elementsEqual(username.utf8) {
            throw .authorizationIdMismatch(mechanism.name, authorizationId: authorizationId, username: username)
        }
        var unusableCredential: String?
        let stored = credential(username)
        switch stored {
        case nil:
            unusableCredential = "no credential"
        case let stored? where stored.mechanism != mechanism:
            unusableCredential = "the credential given is for \(stored.mechanism.name)"
        case let stored? where stored.iterations < ScramMechanism.minimumIterations:
            unusableCredential = "the credential has \(stored.iterations) iterations, fewer than \(ScramMechanism.minimumIterations)"
        case .some:
            break
        }
        let serverNonce = nonce()
        precondition(ScramNonce.isValid(serverNonce), "a SCRAM nonce is printable ASCII without ','")
        let credential = if unusableCredential == nil, let stored { stored } else {
            ScramCredential.fake(username: username, mechanism: mechanism)
        }
        return Pending(
            clientFirst: clientFirst,
            serverFirst: ScramServerFirstMessage(nonce: clientFirst.nonce + serverNonce, salt: credential.salt, iterations: credential.iterations),
            credential: credential,
            unusableCredential: unusableCredential
        )
    }

    private func receiveFinal(_ message: [UInt8], _ pending: Pending) throws(SaslAuthenticationFailure) -> SaslServerStep {
        let final = try ScramClientFinalMessage(parsing: message, mechanism: mechanism)
        let user = pending.clientFirst.username.debugDescription
        guard final.channelBinding == Array(pending.clientFirst.gs2Header.utf8) else {
            throw .scram(.channelBindingMismatch, mechanism, "user \(user): c= is not the base64 of the GS2 header \(pending.clientFirst.gs2Header.debugDescription)")
        }
        guard final.nonce.utf8.elementsEqual(pending.serverFirst.nonce.utf8) else {
            throw .scram(.nonceMismatch, mechanism, "user \(user): invalid nonce in the client-final message")
        }
        // Verify the proof even for a fake credential, so that both take as long.
        let authMessage = Array("\(pending.clientFirst.bare),\(pending.serverFirst.text),\(final.withoutProof)".utf8)
        let credential = pending.credential
        let clientSignature = mechanism.hmac(key: credential.storedKey, data: authMessage)
        let clientKey = zip(final.proof, clientSignature).map { $0 ^ $1 }
        let proofIsValid = ConstantTime.equals(mechanism.hash(clientKey), credential.storedKey)
        if let unusableCredential = pending.unusableCredential {
            throw .scram(.unknownUser, mechanism, "user \(user) has no usable credential: \(unusableCredential)")
        }
        guard proofIsValid else {
            throw .scram(.invalidCredentials, mechanism, "user \(user): invalid client proof (wrong password)")
        }
        let serverSignature = mechanism.hmac(key: credential.serverKey, data: authMessage)
        return .authenticated(username: pending.clientFirst.username, finalMessage: ScramServerFinalMessage.verifier(serverSignature).bytes)
    }
}
