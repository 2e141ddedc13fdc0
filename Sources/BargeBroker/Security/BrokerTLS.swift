import FileIO
import NIOSSL

/// The TLS side of the broker's SSL and SASL_SSL listeners: the server
/// context built once from the PEM settings, and the principal a client
/// certificate names.
enum BrokerTLS {
    /// A server context: TLS 1.2 and 1.3 only, the keystore's key and chain,
    /// and client certificates checked against the trust store as the
    /// listener's `ssl.client.auth` asks.
    static func makeContext(
        _ config: TLSConfig, clientAuthentication: TLSConfig.ClientAuthentication, fileSystem: any FileSystemIO
    ) throws -> NIOSSLContext {
        let (chain, key) = try keystore(config, fileSystem: fileSystem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = config.enabledProtocols.contains("TLSv1.2") ? .tlsv12 : .tlsv13
        tls.maximumTLSVersion = config.enabledProtocols.contains("TLSv1.3") ? .tlsv13 : .tlsv12
        switch clientAuthentication {
        case .none: tls.certificateVerification = .none
        case .requested: tls.certificateVerification = .optionalVerification
        case .required: tls.certificateVerification = .noHostnameVerification
        }
        if clientAuthentication != .none {
            tls.trustRoots = try truststore(config, fileSystem: fileSystem)
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw BrokerConfigError("cannot set up TLS with the given key and certificates: \(error)")
        }
    }

    /// The principal of a client certificate, as Kafka's DEFAULT mapping
    /// names it: `User:` and the subject's distinguished name in RFC 2253
    /// form, most specific first (`CN=writer,OU=Edge,O=Barge`), with RFC
    /// 2253's escapes. Attribute types without a keyword there (an e-mail
    /// address) are left out.
    static func principalName(of certificate: NIOSSLCertificate) -> String? {
        let parts = certificate.subjectName.reversed().compactMap { name -> String? in
            guard let keyword = keywords[name.type] else { return nil }
            return keyword + "=" + escaped(name.value)
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    private static let keywords: [SSLCertificateNameType: String] = [
        .commonName: "CN", .organizationalUnit: "OU", .organization: "O", .city: "L", .state: "ST", .country: "C", .userId: "UID",
    ]

    /// A value with RFC 2253's escapes: `,+"\<>;` always, `#` and a space at the start, a space at the end.
    private static func escaped(_ value: String) -> String {
        var result = ""
        let last = value.count - 1
        for (index, character) in value.enumerated() {
            if ",+\"\\<>;".contains(character) || (index == 0 && (character == "#" || character == " "))
                || (index == last && character == " ") {
                result.append("\\")
            }
            result.append(character)
        }
        return result
    }

    private static func keystore(_ config: TLSConfig, fileSystem: any FileSystemIO) throws -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        let chainPEM: [UInt8]
        let keyPEM: [UInt8]
        if let chain = config.keystoreCertificateChain, let key = config.keystoreKey {
            (chainPEM, keyPEM) = (Array(chain.utf8), Array(key.utf8))
        } else if let location = config.keystoreLocation {
            let bytes = try read(location, setting: "ssl.keystore.location", fileSystem: fileSystem)
            (chainPEM, keyPEM) = (bytes, bytes)
        } else {
            throw BrokerConfigError("TLS needs ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key")
        }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(chainPEM) } catch {
            throw BrokerConfigError("the keystore's certificate chain is not valid PEM: \(error)")
        }
        guard !chain.isEmpty else { throw BrokerConfigError("the keystore holds no certificate (-----BEGIN CERTIFICATE-----)") }
        do {
            if let password = config.keyPassword {
                let key = try NIOSSLPrivateKey(bytes: keyPEM, format: .pem) { setter in setter(Array(password.utf8)) }
                return (chain, key)
            }
            return (chain, try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
        } catch {
            throw BrokerConfigError("the keystore's private key cannot be read (is it PEM, and is ssl.key.password right?): \(error)")
        }
    }

    private static func truststore(_ config: TLSConfig, fileSystem: any FileSystemIO) throws -> NIOSSLTrustRoots {
        let pem: [UInt8]
        if let certificates = config.truststoreCertificates {
            pem = Array(certificates.utf8)
        } else if let location = config.truststoreLocation {
            pem = try read(location, setting: "ssl.truststore.location", fileSystem: fileSystem)
        } else {
            throw BrokerConfigError("ssl.client.auth needs ssl.truststore.location")
        }
        do {
            let certificates = try NIOSSLCertificate.fromPEMBytes(pem)
            guard !certificates.isEmpty else { throw BrokerConfigError("the trust store holds no certificate") }
            return .certificates(certificates)
        } catch let error as BrokerConfigError {
            throw error
        } catch {
            throw BrokerConfigError("the trust store is not valid PEM: \(error)")
        }
    }

    /// A PEM file of at most 1 MiB.
    private static func read(_ path: String, setting: String, fileSystem: any FileSystemIO) throws -> [UInt8] {
        let bytes: [UInt8]?
        do { bytes = try fileSystem.readWholeFile(path, limit: 1 << 20) } catch {
            throw BrokerConfigError("\(setting) \(path) cannot be read: \(error)")
        }
        guard let bytes else { throw BrokerConfigError("\(setting) \(path) does not exist") }
        return bytes
    }
}
