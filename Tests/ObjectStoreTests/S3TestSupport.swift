import Logging
import NIOCore
@testable import ObjectStore

/// A deterministic body of `size` bytes in chunks of `chunkSize`, whose byte at offset `i`
/// is `table[i % period]`; once `triggerAfter` bytes are out, it fails, runs an action, or
/// waits until it is cancelled.
struct PatternBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct InjectedFailure: Error {}

    /// What the body does once `triggerAfter` bytes are out.
    enum Trigger: Sendable {
        /// It throws `InjectedFailure`.
        case fail
        /// It runs the action, then goes on.
        case run(@Sendable () -> Void)
        /// It yields nothing more until its task is cancelled, then throws `CancellationError`.
        case waitForCancellation
    }

    var size: Int64
    var chunkSize = 256 * 1024
    var triggerAfter: Int64?
    var atTrigger = Trigger.fail

    /// The pattern's period: a prime, so no part size is a multiple of it and a misplaced part shows.
    static let period = 1_000_003

    /// One period of pseudo-random bytes (a fixed linear congruential sequence).
    static let table: [UInt8] = {
        var state: UInt32 = 0x2545_F491
        return (0..<period).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }()

    /// Appends the pattern's bytes `range` to `buffer` (copying whole runs, not byte by byte).
    static func write(_ range: Range<Int64>, to buffer: inout ByteBuffer) {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let start = Int(offset % Int64(period))
            let count = Swift.min(period - start, Int(range.upperBound - offset))
            buffer.writeBytes(table[start..<start + count])
            offset += Int64(count)
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    struct Iterator: AsyncIteratorProtocol {
        let body: PatternBody
        var offset: Int64 = 0
        var triggered = false

        mutating func next() async throws -> ByteBuffer? {
            if let trigger = body.triggerAfter, offset >= trigger, !triggered {
                triggered = true
                switch body.atTrigger {
                case .fail: throw InjectedFailure()
                case .run(let action): action()
                case .waitForCancellation: try await waitUntilCancelled()
                }
            }
            guard offset < body.size else { return nil }
            var end = Swift.min(body.size, offset + Int64(body.chunkSize))
            if let trigger = body.triggerAfter, offset < trigger { end = Swift.min(end, trigger) }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(Int(end - offset))
            PatternBody.write(offset..<end, to: &buffer)
            offset = end
            return buffer
        }
    }
}

extension ObjectBody {
    /// Reads the whole body and checks it against the pattern starting at `offset`;
    /// returns the number of bytes read, or nil at the first byte that differs.
    func verifyPattern(from offset: Int64 = 0) async throws -> Int64? {
        var position = offset
        for try await buffer in self {
            var expected = ByteBuffer()
            PatternBody.write(position..<position + Int64(buffer.readableBytes), to: &expected)
            guard expected == buffer else { return nil }
            position += Int64(buffer.readableBytes)
        }
        return position - offset
    }

    /// The whole body as bytes.
    func collected() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in self { bytes += buffer.readableBytesView }
        return bytes
    }
}

extension SeaweedFSServer {
    /// The number of multipart uploads in progress in the bucket (ListMultipartUploads).
    func multipartUploadsInProgress() async throws -> Int {
        let configuration = try self.configuration()
        let transport = S3Transport(
            httpClient: httpClient, configuration: configuration, bucket: bucket,
            retrier: S3Retrier(policy: .never), logger: Logger(label: "seaweedfs-test")
        )
        let answer = try await transport.send(S3Request(method: .GET, query: [(name: "uploads", value: "")]))
        return try S3XML.parse(answer.body).children("Upload").count
    }

    /// The parts S3 holds for the multipart uploads in progress in the bucket
    /// (ListMultipartUploads, then ListParts for each).
    func uploadedParts() async throws -> Int {
        let transport = S3Transport(
            httpClient: httpClient, configuration: try configuration(), bucket: bucket,
            retrier: S3Retrier(policy: .never), logger: Logger(label: "seaweedfs-test")
        )
        let uploads = try S3XML.parse(try await transport.send(S3Request(method: .GET, query: [(name: "uploads", value: "")])).body)
        var parts = 0
        for upload in uploads.children("Upload") {
            guard let key = upload.text(of: "Key"), let uploadID = upload.text(of: "UploadId") else { continue }
            let listing = try await transport.send(S3Request(method: .GET, key: key, query: [(name: "uploadId", value: uploadID)]))
            parts += try S3XML.parse(listing.body).children("Part").count
        }
        return parts
    }

    /// The Content-Type S3 answers for `key` in `store`.
    func contentType(of key: String, in store: S3ObjectStore) async throws -> String? {
        let answer = try await store.transport.send(S3Request(method: .HEAD, key: store.prefix + key))
        return answer.head.headers.first(name: "content-type")
    }
}
