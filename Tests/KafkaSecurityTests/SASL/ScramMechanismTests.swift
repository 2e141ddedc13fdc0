import Foundation
import Testing
import KafkaSecurity

@Suite("ScramMechanism")
struct ScramMechanismTests {
    @Test func names() {
        #expect(ScramMechanism.sha256.name == "SCRAM-SHA-256")
        #expect(ScramMechanism.sha512.name == "SCRAM-SHA-512")
        #expect(ScramMechanism(name: "SCRAM-SHA-256") == .sha256)
        #expect(ScramMechanism(name: "scram-sha-512") == .sha512)
        #expect(ScramMechanism(name: "Scram-Sha-256") == .sha256)
        for other in ["", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "PLAIN", "SCRAM-SHA256", "ſcram-sha-256", " SCRAM-SHA-256"] {
            #expect(ScramMechanism(name: other) == nil, "\(other)")
        }
    }

    @Test func kafkaCodes() {
        #expect(ScramMechanism.sha256.kafkaCode == 1)
        #expect(ScramMechanism.sha512.kafkaCode == 2)
        for mechanism in ScramMechanism.allCases {
            #expect(ScramMechanism(kafkaCode: mechanism.kafkaCode) == mechanism)
        }
        for code: Int8 in [0, 3, -1, .max, .min] {
            #expect(ScramMechanism(kafkaCode: code) == nil)
        }
    }

    @Test func iterationBounds() {
        #expect(ScramMechanism.minimumIterations == 4096)
        #expect(ScramMechanism.maximumIterations == 16384)
    }

    @Test("encodes as its name")
    func codable() throws {
        let json = try JSONEncoder().encode([ScramMechanism.sha512])
        #expect(String(decoding: json, as: UTF8.self) == #"["SCRAM-SHA-512"]"#)
        #expect(try JSONDecoder().decode([ScramMechanism].self, from: json) == [.sha512])
    }
}
