import AsyncHTTPClient
import NIOCore
import NIOPosix

extension S3ObjectStore {
    /// The HTTP client store URLs open S3 stores with: one per process, on NIO's
    /// singleton event loops. Unlike `HTTPClient.shared`, it does not keep trying
    /// to connect to an unreachable endpoint until the request's deadline: a
    /// refused or timed-out connection (10 s) fails the attempt at once, and the
    /// store's own retry policy decides, with backoff, whether to try again.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
