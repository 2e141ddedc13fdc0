import FileIO
import Foundation

/// The cluster id, generated once and kept in `<data-dir>/meta.properties`
/// as Kafka keeps it.
enum ClusterIdentity {
    static func load(dataDirectory: String, configured: String?, fileSystem: any FileSystemIO) throws -> String {
        let path = dataDirectory + "/meta.properties"
        if let bytes = try fileSystem.readWholeFile(path, limit: 1 << 16), let text = String(validating: bytes, as: UTF8.self) {
            for line in text.split(separator: "\n") where line.hasPrefix("cluster.id=") {
                let stored = String(line.dropFirst("cluster.id=".count))
                if let configured, configured != stored {
                    throw BrokerConfigError("cluster.id is \(configured) but the data directory belongs to cluster \(stored)")
                }
                return stored
            }
        }
        let id = configured ?? Self.generate()
        try DurableFile(fileSystem: fileSystem).write(Array("version=1\ncluster.id=\(id)\n".utf8), to: path)
        return id
    }

    /// 16 random bytes in URL-safe base64 without padding, as Kafka's ids look.
    private static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
