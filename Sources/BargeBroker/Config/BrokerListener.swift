/// Kafka's security protocols, as `listener.security.protocol.map` names them.
public enum SecurityProtocol: String, Sendable, Equatable, CaseIterable {
    case plaintext = "PLAINTEXT"
    case ssl = "SSL"
    case saslPlaintext = "SASL_PLAINTEXT"
    case saslSSL = "SASL_SSL"

    /// Whether connections are encrypted with TLS.
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
    /// Whether clients must log in with SASL before anything else is served.
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }

    /// Parses a name, case-insensitively.
    init?(name: String) {
        self.init(rawValue: name.uppercased())
    }
}

/// One of the broker's listeners (`listeners`): a name, which
/// `listener.security.protocol.map` maps to a security protocol, and an address.
public struct BrokerListener: Sendable, Equatable {
    /// The listener's name, upper case: `PLAINTEXT`, `SASL_SSL`, or one of the map's own (`INTERNAL`).
    public var name: String
    /// The host to bind (an empty host in `listeners` means all interfaces, 0.0.0.0).
    public var host: String
    /// The port (0 picks a free one).
    public var port: Int

    public init(name: String, host: String, port: Int) {
        self.name = name
        self.host = host
        self.port = port
    }

    /// Parses Kafka's listener list: `NAME://HOST:PORT[,NAME://HOST:PORT...]`;
    /// a bare `HOST:PORT` is a `PLAINTEXT` listener. Names and ports must not repeat.
    static func parseList(_ key: String, _ value: String) throws -> [BrokerListener] {
        let listeners = try value.split(separator: ",").map { try parse(key, String($0).trimmingCharacters(in: .whitespaces)) }
        guard !listeners.isEmpty else { throw BrokerConfigError("\(key) must name at least one listener, NAME://HOST:PORT") }
        var names: Set<String> = []
        var ports: Set<Int> = []
        for listener in listeners {
            guard names.insert(listener.name).inserted else {
                throw BrokerConfigError("\(key) names listener \(listener.name) twice")
            }
            guard listener.port == 0 || ports.insert(listener.port).inserted else {
                throw BrokerConfigError("\(key) uses port \(listener.port) twice")
            }
        }
        return listeners
    }

    private static func parse(_ key: String, _ text: String) throws -> BrokerListener {
        var name = "PLAINTEXT"
        var address = Substring(text)
        if let scheme = text.range(of: "://") {
            name = text[..<scheme.lowerBound].uppercased()
            address = text[scheme.upperBound...]
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw BrokerConfigError("\(key): '\(text)' has no valid listener name before ://")
            }
        }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw BrokerConfigError("\(key) must look like NAME://HOST:PORT or HOST:PORT, not '\(text)'")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return BrokerListener(name: name, host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    /// Parses `listener.security.protocol.map`: `NAME:PROTOCOL[,NAME:PROTOCOL...]`.
    static func parseProtocolMap(_ key: String, _ value: String) throws -> [String: SecurityProtocol] {
        var map: [String: SecurityProtocol] = [:]
        for entry in value.split(separator: ",") {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let securityProtocol = SecurityProtocol(name: parts[1]) else {
                throw BrokerConfigError(
                    "\(key) takes NAME:PROTOCOL pairs with PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, not '\(entry)'")
            }
            map[parts[0].uppercased()] = securityProtocol
        }
        return map
    }

    /// Kafka's default map: each protocol's name maps to itself.
    static let defaultProtocolMap = Dictionary(uniqueKeysWithValues: SecurityProtocol.allCases.map { ($0.rawValue, $0) })
}
