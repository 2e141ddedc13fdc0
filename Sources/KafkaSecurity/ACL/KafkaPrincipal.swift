/// Who is asking: Kafka's `KafkaPrincipal`, printed and parsed as `Type:name`
/// (`User:alice`). ACL bindings name principals this way.
///
/// Two principals are equal when their type and name are the same text, code
/// point for code point, as Java's `String.equals` compares them (Swift's own
/// string equality would also equate differently normalized Unicode).
public struct KafkaPrincipal: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The principal type; `User` for every principal Kafka's own authenticators produce.
    public var type: String
    /// The principal name: the SASL user name, the TLS distinguished name, or `ANONYMOUS`.
    public var name: String

    /// The principal `type:name`.
    public init(type: String, name: String) {
        self.type = type
        self.name = name
    }

    /// Parses `Type:name`, splitting at the first colon as Kafka's
    /// `SecurityUtils.parseKafkaPrincipal` does: `User:a:b` is the user `a:b`,
    /// `User:` has an empty name and `:x` an empty type. `nil` when there is no colon.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else {
            return nil
        }
        self.type = String(text[..<colon])
        self.name = String(text[text.index(after: colon)...])
    }

    /// `User:ANONYMOUS`: a client that did not authenticate (a PLAINTEXT listener).
    public static let anonymous = KafkaPrincipal(type: "User", name: "ANONYMOUS")

    /// `User:*`, the principal an ACL names to apply to every principal.
    public static let wildcard = KafkaPrincipal(type: "User", name: "*")

    /// The principal `User:name`.
    public static func user(_ name: String) -> KafkaPrincipal {
        KafkaPrincipal(type: "User", name: name)
    }

    /// Whether this is `User:*`, which in an ACL stands for every principal.
    public var isWildcard: Bool { self == .wildcard }

    /// `Type:name`.
    public var description: String { "\(type):\(name)" }

    public static func == (lhs: KafkaPrincipal, rhs: KafkaPrincipal) -> Bool {
        lhs.type.utf8.elementsEqual(rhs.type.utf8) && lhs.name.utf8.elementsEqual(rhs.name.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type.utf8.count)
        type.utf8.forEach { hasher.combine($0) }
        name.utf8.forEach { hasher.combine($0) }
    }
}
