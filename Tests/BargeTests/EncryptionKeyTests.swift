@testable import Barge
@testable import BargeCore
import Foundation
import Testing

/// Keyring text, key ids, and encryption parameters as headers: good
/// values parse, bad ones say what is wrong without repeating key material.
@Suite struct EncryptionKeyTests {
    private typealias S = EncryptionSamples
    /// 32 bytes of 0x01 and of 0x02 in base64.
    private let key1 = Data(repeating: 1, count: 32).base64EncodedString()
    private let key2 = Data(repeating: 2, count: 32).base64EncodedString()

    @Test func keyringTextParses() throws {
        let keyring = try BargeKeyring(parsing: "prod-2024.b:\(key1), old_1:\(key2)")
        #expect(keyring.current.id == "prod-2024.b")
        #expect(keyring.keyIDs == ["prod-2024.b", "old_1"])
        #expect(keyring.key(id: "old_1") != nil)
        #expect(keyring.key(id: "missing") == nil)
    }

    @Test func keyFileParses() throws {
        let text = "# keys for barge\r\n\r\nnew:\(key2)  # current\r\n\told:\(key1)\n# end"
        let keyring = try BargeKeyring(fileContents: text)
        #expect(keyring.keyIDs == ["new", "old"])
        let path = NSTemporaryDirectory() + "barge-keys-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try BargeKeyring(contentsOfFile: path).keyIDs == ["new", "old"])
        let missing = S.error { _ = try BargeKeyring(contentsOfFile: path + ".missing") }
        #expect(missing?.kind == .badKeyring)
    }

    @Test func keysDecryptAcrossParsedKeyrings() throws {
        let writer = try BargeKeyring(parsing: "a:\(key1)")
        let reader = try BargeKeyring(fileContents: "b:\(key2)\na:\(key1)\n")
        let (parameters, ciphertext) = try S.encrypt([9, 8, 7], keyring: writer)
        #expect(try S.decrypt(ciphertext, parameters: parameters, keyring: reader) == [9, 8, 7])
    }

    @Test(arguments: [
        ("", "entry 1 is empty"),
        ("a:KEY,", "entry 2 is empty"),
        ("KEY", "entry 1 has no ':'"),
        (":KEY", "entry 1: the key id is empty"),
        ("KEY:KEY", "entry 1: the key id contains a character outside"),
        ("a b:KEY", "entry 1: the key id contains a character outside"),
        ("a:KEY,a:KEY2", "key id 'a' appears twice"),
        ("a:KEY=", "entry 1: the key of 'a' is not standard base64 of 32 bytes"),
        ("a:KEY\n", "entry 1: the key of 'a' is not standard base64 of 32 bytes"),
        ("a:AAAA", "entry 1: the key of 'a' is not standard base64 of 32 bytes"),
        ("a:\(Data(repeating: 1, count: 16).base64EncodedString())", "entry 1: the key of 'a' is not standard base64 of 32 bytes"),
        ("\(String(repeating: "x", count: 65)):KEY", "entry 1: the key id has 65 bytes; at most 64 are allowed"),
    ])
    func badKeyringTextSaysWhatIsWrongWithoutTheKey(text: String, message: String) {
        let text = text.replacingOccurrences(of: "KEY2", with: key2).replacingOccurrences(of: "KEY", with: key1)
        let error = S.error { _ = try BargeKeyring(parsing: text) }
        #expect(error?.kind == .badKeyring)
        #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error?.message))")
        #expect(!"\(String(describing: error))".contains(key1) && !"\(String(describing: error))".contains(key2))
        #expect(!"\(String(describing: error))".contains(String(key1.prefix(12))))
    }

    @Test func badKeyFileLinesAreNamed() {
        let error = S.error { _ = try BargeKeyring(fileContents: "# comment\nok:\(key1)\n\nbad\(key2)\n") }
        #expect(error?.message == "line 4 has no ':' between a key id and a key")
        #expect(S.error { _ = try BargeKeyring(fileContents: "# nothing\n\n") }?.message == "the keyring has no keys")
    }

    @Test func keysNeverPrintTheirBytes() throws {
        let keyring = try BargeKeyring(parsing: "k:\(key1)")
        var dumped = ""
        dump(keyring, to: &dumped)
        for text in [keyring.description, "\(keyring.current)", String(reflecting: keyring.current), dumped] {
            #expect(!text.contains(key1) && !text.contains("1, 1, 1") && !text.contains("0x01"), "\(text)")
        }
    }

    @Test func parametersRoundTripThroughHeaders() throws {
        let (parameters, _) = try S.encrypt([], keyring: try S.keyring())
        let fields = parameters.headerFields
        #expect(fields.map(\.name) == [
            "barge.encryption", "barge.encryption-key-id", "barge.encryption-wrapped-key",
            "barge.encryption-nonce-prefix", "barge.encryption-segment-size",
        ])
        #expect(fields[0].value == "aes-256-gcm-segmented-v1")
        #expect(fields[2].value.count == 80 && fields[3].value.count == 12 && fields[4].value == "4096")
        let others: [(name: String, value: String)] = [("barge.v", "1"), ("app", "x")]
        #expect(try BargeEncryptionParameters(headerFields: others + fields) == parameters)
        #expect(try BargeEncryptionParameters(headerFields: others) == nil)
    }

    @Test(arguments: [
        ("barge.encryption", "aes-128-gcm", "names an algorithm other than"),
        ("barge.encryption-key-id", "", "the key id is empty"),
        ("barge.encryption-key-id", "k/1", "the key id contains a character outside"),
        ("barge.encryption-wrapped-key", "not base64!", "is not standard base64 of 60 bytes"),
        ("barge.encryption-wrapped-key", String(repeating: "A", count: 76) + "AA==", "is not standard base64 of 60 bytes"),
        ("barge.encryption-wrapped-key", String(repeating: "A", count: 4000), "is not standard base64 of 60 bytes"),
        ("barge.encryption-nonce-prefix", "AAAAAAAA", "is not standard base64 of 7 bytes"),
        ("barge.encryption-nonce-prefix", "AAAAAAAAAAB=", "is not standard base64 of 7 bytes"),
        ("barge.encryption-nonce-prefix", "AAAAAAAAAA=", "is not standard base64 of 7 bytes"),
        ("barge.encryption-segment-size", "0", "segment size 0 is outside 4096...4194304"),
        ("barge.encryption-segment-size", "4095", "segment size 4095 is outside"),
        ("barge.encryption-segment-size", "4194305", "segment size 4194305 is outside"),
        ("barge.encryption-segment-size", "99999999999999999999", "is not a decimal number"),
        ("barge.encryption-segment-size", "04096", "is not a decimal number"),
        ("barge.encryption-segment-size", "+4096", "is not a decimal number"),
        ("barge.encryption-segment-size", "", "is not a decimal number"),
    ])
    func malformedHeadersAreRefused(name: String, value: String, message: String) throws {
        let (parameters, _) = try S.encrypt([], keyring: try S.keyring())
        let fields = parameters.headerFields.map { $0.name == name ? (name: name, value: value) : $0 }
        let error = S.error { _ = try BargeEncryptionParameters(headerFields: fields) }
        #expect(error?.kind == (name == "barge.encryption" ? .unsupportedAlgorithm : .malformedParameters))
        #expect(error?.message.contains(message) == true, "\(String(describing: error?.message))")
    }

    @Test func missingOrRepeatedHeadersAreRefused() throws {
        let (parameters, _) = try S.encrypt([], keyring: try S.keyring())
        let fields = parameters.headerFields
        for index in fields.indices {
            var partial = fields
            partial.remove(at: index)
            let error = S.error { _ = try BargeEncryptionParameters(headerFields: partial) }
            #expect(error?.kind == .malformedParameters)
            #expect(error?.message == "header '\(fields[index].name)' is missing")
        }
        let repeated = S.error { _ = try BargeEncryptionParameters(headerFields: fields + [fields[1]]) }
        #expect(repeated?.message == "header 'barge.encryption-key-id' appears twice")
    }

    @Test func segmentSizesOutOfRangeAreRefusedWhenEncrypting() throws {
        let keyring = try S.keyring()
        for size in [0, 4095, 4 * 1024 * 1024 + 1, -1] {
            #expect(S.error { _ = try BargeSegmentEncryptor(keyring: keyring, segmentSize: size) }?.kind == .malformedParameters)
        }
        #expect(try BargeSegmentEncryptor(keyring: keyring, segmentSize: 4 * 1024 * 1024).parameters.segmentSize == 4_194_304)
    }
}
