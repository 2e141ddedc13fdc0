import Foundation
import KafkaSecurity
import Testing

@Suite("KafkaPrincipal")
struct KafkaPrincipalTests {
    @Test("parses Type:name at the first colon, as Kafka's SecurityUtils.parseKafkaPrincipal")
    func parsing() {
        #expect(KafkaPrincipal(parsing: "User:alice") == KafkaPrincipal(type: "User", name: "alice"))
        #expect(KafkaPrincipal(parsing: "User:a:b") == KafkaPrincipal(type: "User", name: "a:b"))
        #expect(KafkaPrincipal(parsing: "User:") == KafkaPrincipal(type: "User", name: ""))
        #expect(KafkaPrincipal(parsing: ":x") == KafkaPrincipal(type: "", name: "x"))
        #expect(KafkaPrincipal(parsing: ":") == KafkaPrincipal(type: "", name: ""))
        #expect(KafkaPrincipal(parsing: "User:*") == .wildcard)
        #expect(KafkaPrincipal(parsing: "Group:ops") == KafkaPrincipal(type: "Group", name: "ops"))
        #expect(KafkaPrincipal(parsing: "User:CN=broker,OU=Kafka") == .user("CN=broker,OU=Kafka"))
        #expect(KafkaPrincipal(parsing: "User: spaced ") == .user(" spaced "))
    }

    @Test("text without a colon is not a principal")
    func noColon() {
        #expect(KafkaPrincipal(parsing: "nocolon") == nil)
        #expect(KafkaPrincipal(parsing: "") == nil)
        #expect(KafkaPrincipal(parsing: "User") == nil)
        #expect(KafkaPrincipal(parsing: "*") == nil)
    }

    @Test("prints as Type:name and parses back")
    func description() {
        for principal in [KafkaPrincipal.user("alice"), .user("a:b"), .user(""), KafkaPrincipal(type: "", name: "x"), .anonymous, .wildcard] {
            #expect(KafkaPrincipal(parsing: principal.description) == principal)
        }
        #expect(KafkaPrincipal.user("alice").description == "User:alice")
        #expect("\(KafkaPrincipal.anonymous)" == "User:ANONYMOUS")
    }

    @Test("anonymous, user and the wildcard")
    func namedPrincipals() {
        #expect(KafkaPrincipal.anonymous == KafkaPrincipal(type: "User", name: "ANONYMOUS"))
        #expect(KafkaPrincipal.user("bob").type == "User")
        #expect(KafkaPrincipal.user("bob").name == "bob")
        #expect(KafkaPrincipal.wildcard.description == "User:*")
        #expect(KafkaPrincipal.wildcard.isWildcard)
        #expect(KafkaPrincipal.user("*").isWildcard)
        #expect(!KafkaPrincipal.user("alice").isWildcard)
        #expect(!KafkaPrincipal(type: "Group", name: "*").isWildcard)
        #expect(!KafkaPrincipal(type: "user", name: "*").isWildcard)
        #expect(!KafkaPrincipal.user("**").isWildcard)
        #expect(!KafkaPrincipal.anonymous.isWildcard)
    }

    @Test("type and name are case-sensitive")
    func caseSensitive() {
        #expect(KafkaPrincipal.user("alice") != KafkaPrincipal.user("Alice"))
        #expect(KafkaPrincipal(type: "user", name: "alice") != KafkaPrincipal.user("alice"))
    }

    @Test("equality is code point for code point, like Java's String.equals")
    func exactEquality() {
        let composed = KafkaPrincipal.user("jos\u{E9}")
        let decomposed = KafkaPrincipal.user("jose\u{301}")
        #expect(composed.name == decomposed.name)  // Swift's own String equality...
        #expect(composed != decomposed)  // ...but Kafka would see two principals.
        #expect(Set([composed, decomposed]).count == 2)
        #expect(Set([composed, .user("jos\u{E9}")]).count == 1)
    }

    @Test("the split between type and name matters")
    func typeNameSplit() {
        #expect(KafkaPrincipal(type: "User:a", name: "b") != KafkaPrincipal(type: "User", name: "a:b"))
        #expect(Set([KafkaPrincipal(type: "ab", name: "c"), KafkaPrincipal(type: "a", name: "bc")]).count == 2)
    }

    @Test("Codable round trip")
    func codable() throws {
        let principal = KafkaPrincipal.user("a:b")
        let data = try JSONEncoder().encode(principal)
        #expect(try JSONDecoder().decode(KafkaPrincipal.self, from: data) == principal)
    }
}
