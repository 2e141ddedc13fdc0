import Foundation
@testable import KafkaSecurity

/// One SCRAM exchange written out in full: RFC 7677's example, and the same
/// inputs computed independently for SHA-512 with Python's hashlib.pbkdf2_hmac and hmac.
struct ScramVector: Sendable, CustomStringConvertible {
    var mechanism: ScramMechanism
    var username = "user"
    var password = "pencil"
    var clientNonce = "rOprNGfwEbeRWgbNEkqO"
    var serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    var salt = [UInt8](Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
    var iterations = 4096
    var saltedPasswordHex: String
    var storedKey: String
    var serverKey: String
    var clientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    var serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    var clientFinal: String
    var serverFinal: String

    var description: String { mechanism.name }

    /// RFC 7677 section 3.
    static let rfc7677 = ScramVector(
        mechanism: .sha256,
        saltedPasswordHex: "c4a49510323ab4f952cac1fa99441939e78ea74d6be81ddf7096e87513dc615d",
        storedKey: "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
        serverKey: "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    )

    /// RFC 7677's inputs with SCRAM-SHA-512, computed with Python.
    static let sha512 = ScramVector(
        mechanism: .sha512,
        saltedPasswordHex: "f16efe1be67f1d09502ebd5ed9262fddffba5a377ab4f0b687e5ed5ba0f50686"
            + "b8a4ae166476da8ab3b951d2fa9238b63998f45461bc33a464814949cec9631d",
        storedKey: "6AAub3065EYRmyFpM2RNwqK+eGnrkYuEWbXn19LsEmBqzu8QaCXNc1FwpnX9NhH2hK/60dzj9DoO5DvVkOHbvg==",
        serverKey: "jZHbYjC1aHh0/hKbxyBuGFjDrgjgKTT1esA7awWiKcRZ0o/0b1yWEebBeSVkkCFewf91nLDfKF24mvD5nmE6rA==",
        clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p="
            + "gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==",
        serverFinal: "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw=="
    )

    /// User "a,b=c" naming itself as authorization identity, SCRAM-SHA-256, computed with Python.
    static let escapedAuthorizationId = ScramVector(
        mechanism: .sha256,
        username: "a,b=c",
        saltedPasswordHex: ScramVector.rfc7677.saltedPasswordHex,
        storedKey: ScramVector.rfc7677.storedKey,
        serverKey: ScramVector.rfc7677.serverKey,
        clientFirst: "n,a=a=2Cb=3Dc,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO",
        clientFinal: "c=bixhPWE9MkNiPTNEYyw=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=vNBh/ah8Jji8u1THzrqj2tjEuyHptqSOBt2k/dlzeMc=",
        serverFinal: "v=1hoPX7lTNdVXdfu1egJchfhqpZEVppY9r4DwUng2TAE="
    )

    /// The credential the broker stores for this vector's user.
    var credential: ScramCredential {
        ScramCredential(mechanism: mechanism, password: password, salt: salt, iterations: iterations)
    }

    /// A server exchange that knows this vector's user and answers with its server nonce.
    /// Its credential comes from the salted password, which is quicker than salting again.
    func server() -> ScramServerExchange {
        let credential = ScramCredential(mechanism: mechanism, saltedPassword: hex(saltedPasswordHex), salt: salt, iterations: iterations)
        let username = username
        let serverNonce = serverNonce
        return ScramServerExchange(
            mechanism: mechanism,
            credential: { $0 == username ? credential : nil },
            nonce: { serverNonce }
        )
    }

    /// A client exchange for this vector's user and nonce.
    func client(password: String? = nil) -> ScramClientExchange {
        ScramClientExchange(mechanism: mechanism, username: username, password: password ?? self.password, nonce: clientNonce)
    }

    /// A server exchange that has answered this vector's client-first message.
    func serverAwaitingFinal() -> ScramServerExchange {
        var server = server()
        _ = server.receive(bytes(clientFirst))
        return server
    }
}

/// A client-final message for an arbitrary client-first (with extensions, `y,,`, ...),
/// computed from RFC 5802's formulas with the module's primitives.
func clientFinal(
    mechanism: ScramMechanism, password: String, gs2Header: String, clientFirstBare: String, serverFirst: String, combinedNonce: String,
    salt: [UInt8], iterations: Int
) -> String {
    let keys = mechanism.keys(saltedPassword: mechanism.hi(password: Array(password.utf8), salt: salt, iterations: iterations))
    let withoutProof = "c=\(Data(gs2Header.utf8).base64EncodedString()),r=\(combinedNonce)"
    let signature = mechanism.hmac(key: keys.storedKey, data: Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8))
    return "\(withoutProof),p=\(Data(zip(keys.clientKey, signature).map { $0 ^ $1 }).base64EncodedString())"
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func base64(_ text: String) -> [UInt8] { [UInt8](Data(base64Encoded: text)!) }

func hex(_ text: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        result.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return result
}

extension SaslServerStep {
    /// The challenge's bytes, or nil for another step.
    var challengeBytes: [UInt8]? {
        if case .challenge(let bytes) = self { bytes } else { nil }
    }

    /// The failure, or nil for another step.
    var failure: SaslAuthenticationFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}

/// The error `body` throws, or nil.
func clientError(_ body: () throws(SaslClientError) -> Void) -> SaslClientError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// A seeded generator (SplitMix64), so that fuzz cases repeat.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Kafka's client message for any SCRAM failure.
func genericScramMessage(_ mechanism: ScramMechanism) -> String {
    "Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanism.name)"
}
