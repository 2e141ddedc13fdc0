import Foundation
import Testing
@testable import KafkaSecurity

@Suite("ScramCredential and Hi")
struct ScramCredentialTests {
    /// PBKDF2 outputs computed with Python's hashlib.pbkdf2_hmac.
    @Test("Hi is PBKDF2 with the mechanism's HMAC", arguments: [
        (ScramMechanism.sha256, "password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        (.sha256, "password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        (.sha256, "pässwörd€", "salt", 4096, "1332f396fd373b3b795e902f4cf028778a0ce3d06975237927b801fb30411e20"),
        (.sha512, "password", "salt", 2,
         "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e"),
        (.sha512, "", "NaCl", 4096,
         "b5f6ebdd4bad19ba29cfd6e1cae84cfdf0ccda078a77b97db88cd21ff66b2faed13f031d313c87cf634b31cc7bda50d190c5111d262513e2021e6c6b9fc73d48"),
    ])
    func hi(mechanism: ScramMechanism, password: String, salt: String, iterations: Int, expected: String) {
        #expect(mechanism.hi(password: bytes(password), salt: bytes(salt), iterations: iterations) == hex(expected))
    }

    @Test("fewer than one iteration counts as one")
    func hiBelowOne() {
        let one = ScramMechanism.sha256.hi(password: bytes("password"), salt: bytes("salt"), iterations: 1)
        #expect(ScramMechanism.sha256.hi(password: bytes("password"), salt: bytes("salt"), iterations: 0) == one)
        #expect(ScramMechanism.sha256.hi(password: bytes("password"), salt: bytes("salt"), iterations: -5) == one)
    }

    @Test func matchesPassword() {
        for mechanism in ScramMechanism.allCases {
            let credential = ScramCredential(mechanism: mechanism, password: "pencil", salt: bytes("salt"), iterations: 4096)
            #expect(credential.matches(password: "pencil"))
            #expect(!credential.matches(password: "pencil "))
            #expect(!credential.matches(password: ""))
            #expect(!credential.matches(password: "Pencil"))
        }
    }

    @Test("the password's UTF-8 is used as given: no SASLprep, no normalization")
    func noNormalization() {
        let composed = ScramCredential(mechanism: .sha256, password: "caf\u{E9}", salt: bytes("salt"), iterations: 4096)
        #expect(!composed.matches(password: "cafe\u{301}"))
    }

    @Test func randomSalt() {
        let salts = (0..<50).map { _ in ScramCredential.randomSalt() }
        #expect(salts.allSatisfy { $0.count == 32 })
        #expect(Set(salts).count == 50)
    }

    @Test func codable() throws {
        let credential = ScramVector.sha512.credential
        let decoded = try JSONDecoder().decode(ScramCredential.self, from: JSONEncoder().encode(credential))
        #expect(decoded == credential)
    }
}
