/// TLS settings, for the `ssl` and `saslSSL` security protocols: which
/// certificate authorities to trust, the client's own certificate for
/// brokers that require one, and whether the broker's host name is checked.
/// The key password never appears in a description.
public struct KafkaTLSSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Whether the client checks that the broker's certificate names the
    /// host it connected to. librdkafka: `ssl.endpoint.identification.algorithm`.
    public struct EndpointIdentification: Hashable, Sendable, CustomStringConvertible {
        /// librdkafka's name for it: `https` or `none`.
        public let name: String
        /// The certificate must name the host (RFC 2818): librdkafka's default.
        public static let https = EndpointIdentification(knownName: "https")
        /// Any host name is accepted (the chain is still verified).
        public static let none = EndpointIdentification(knownName: "none")

        /// `https` or `none`, case-insensitive; nil for anything else.
        public init?(name: String) {
            switch name.lowercased() {
            case "https": self = .https
            case "none": self = .none
            default: return nil
            }
        }

        private init(knownName name: String) {
            self.name = name
        }

        public var description: String { name }
    }

    /// A PEM file of the certificate authorities that sign the brokers'
    /// certificates; nil trusts the system's roots. librdkafka:
    /// `ssl.ca.location`. Default: nil.
    public var caLocation: String?
    /// The client's certificate, PEM, for brokers that authenticate clients
    /// by certificate (`ssl.client.auth=required`). librdkafka:
    /// `ssl.certificate.location`. Default: nil.
    public var certificateLocation: String?
    /// The private key of ``certificateLocation``, PEM. librdkafka:
    /// `ssl.key.location`. Default: nil.
    public var keyLocation: String?
    /// The password of an encrypted ``keyLocation``. librdkafka:
    /// `ssl.key.password`. Default: nil.
    public var keyPassword: String?
    /// Whether the broker's host name is checked. librdkafka:
    /// `ssl.endpoint.identification.algorithm`. Default: ``EndpointIdentification/https``.
    public var endpointIdentification: EndpointIdentification = .https

    /// Settings that trust the system's roots, with no client certificate.
    public init(
        caLocation: String? = nil, certificateLocation: String? = nil, keyLocation: String? = nil, keyPassword: String? = nil,
        endpointIdentification: EndpointIdentification = .https
    ) {
        self.caLocation = caLocation
        self.certificateLocation = certificateLocation
        self.keyLocation = keyLocation
        self.keyPassword = keyPassword
        self.endpointIdentification = endpointIdentification
    }

    /// The librdkafka properties, only those set besides the endpoint check.
    var properties: [(String, String)] {
        var result: [(String, String)] = []
        if let caLocation { result.append(("ssl.ca.location", caLocation)) }
        if let certificateLocation { result.append(("ssl.certificate.location", certificateLocation)) }
        if let keyLocation { result.append(("ssl.key.location", keyLocation)) }
        if let keyPassword { result.append(("ssl.key.password", keyPassword)) }
        result.append(("ssl.endpoint.identification.algorithm", endpointIdentification.name))
        return result
    }

    public var description: String {
        "KafkaTLSSettings(caLocation: \(caLocation ?? "system roots"), certificateLocation: \(certificateLocation ?? "none"), "
            + "keyLocation: \(keyLocation ?? "none"), keyPassword: \(keyPassword == nil ? "none" : "<redacted>"), "
            + "endpointIdentification: \(endpointIdentification))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "caLocation": caLocation as Any, "certificateLocation": certificateLocation as Any, "keyLocation": keyLocation as Any,
            "keyPassword": keyPassword == nil ? "none" : "<redacted>", "endpointIdentification": endpointIdentification,
        ])
    }
}
