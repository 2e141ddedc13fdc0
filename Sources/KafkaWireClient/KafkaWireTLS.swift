import NIOSSL

/// TLS for a `KafkaWireConnection`, as Kafka's `SSL` and `SASL_SSL`
/// protocols use it: the broker's certificate checked against a CA file or
/// the system's roots, its host name checked unless turned off, and a
/// client certificate for brokers that require one. The key's password never
/// appears in a description.
public struct KafkaWireTLS: Sendable, CustomStringConvertible {
    /// A PEM file of the CAs to trust; nil trusts the system's roots.
    public var caFile: String?
    /// The client's certificate chain, PEM; nil sends none.
    public var certificateFile: String?
    /// The private key of `certificateFile`, PEM.
    public var keyFile: String?
    /// The password of an encrypted `keyFile`.
    public var keyPassword: String?
    /// Whether the broker's certificate must name the host connected to
    /// (Kafka's `ssl.endpoint.identification.algorithm=https`); the chain is
    /// verified either way.
    public var verifiesHostname: Bool

    /// TLS trusting `caFile` (nil: the system's roots), with an optional client certificate.
    public init(
        caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, keyPassword: String? = nil,
        verifiesHostname: Bool = true
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.keyPassword = keyPassword
        self.verifiesHostname = verifiesHostname
    }

    public var description: String {
        "KafkaWireTLS(caFile: \(caFile ?? "system roots"), certificateFile: \(certificateFile ?? "none"), keyFile: \(keyFile ?? "none"), "
            + "keyPassword: \(keyPassword == nil ? "none" : "<redacted>"), verifiesHostname: \(verifiesHostname))"
    }

    /// The client context; reads the files, so call it off the cooperative pool.
    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = caFile.map { .file($0) } ?? .default
        configuration.certificateVerification = verifiesHostname ? .fullVerification : .noHostnameVerification
        if let certificateFile, let keyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            let key: NIOSSLPrivateKey
            if let keyPassword {
                key = try NIOSSLPrivateKey(file: keyFile, format: .pem) { setter in setter(Array(keyPassword.utf8)) }
            } else {
                key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            }
            configuration.privateKey = .privateKey(key)
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
