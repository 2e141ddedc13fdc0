import Testing
@testable import KafkaSecurity

@Suite("SASL helpers: saslname, base64, nonces, constant-time comparison")
struct SaslHelperTests {
    @Test("saslname escapes ',' and '=' and nothing else", arguments: [
        ("user", "user"), ("a,b", "a=2Cb"), ("a=b", "a=3Db"), ("=,", "=3D=2C"), ("=2C", "=3D2C"), ("ålice ", "ålice "),
    ])
    func escape(name: String, escaped: String) {
        #expect(SaslName.escape(name) == escaped)
        #expect(SaslName.unescape(escaped[...]) == name)
    }

    @Test("malformed saslnames", arguments: ["", "=", "a=", "a=2", "a=2c", "a=3d", "a=2D", "a=41", "a,b", "a\0b", "=2"])
    func unescapeRefuses(saslname: String) {
        #expect(SaslName.unescape(saslname[...]) == nil)
    }

    @Test func base64() {
        #expect(SaslBase64.encode(bytes("n,,")) == "biws")
        #expect(SaslBase64.decode("biws") == bytes("n,,"))
        #expect(SaslBase64.decode("AQ==") == [1])
        for bad in ["", "AQ", "AQ=", "A===", "bi ws", "biws\n", "b!ws", "AQ==AQ=="] {
            #expect(SaslBase64.decode(bad[...]) == nil, "\(bad)")
        }
    }

    @Test func nonces() {
        #expect(ScramNonce.isValid("!~%hvY)$"))
        for bad in ["", "a,b", "a b", "a\u{7F}", "é", "a\tb"] {
            #expect(!ScramNonce.isValid(bad), "\(bad)")
        }
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([0x80, 2, 3], [0, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
    }
}
