import Foundation
import NIOCore
import ObjectStore
import Testing

/// A `put` body: the given pieces, then optionally a failure or a wait that only
/// cancellation ends.
struct TestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// What happens after the last piece.
    enum Ending: Sendable {
        case finish
        case fail
        case waitForCancellation
    }

    /// Thrown by a body that ends with `.fail`.
    struct BodyFailure: Error {}

    let pieces: [ByteBuffer]
    var ending = Ending.finish
    /// Told each time a piece is handed out.
    var onPiece: @Sendable () -> Void = {}

    /// A body of `bytes` cut into pieces of `pieceSize`.
    init(_ bytes: [UInt8], pieceSize: Int = 64 * 1024, ending: Ending = .finish, onPiece: @escaping @Sendable () -> Void = {}) {
        self.pieces = stride(from: 0, to: bytes.count, by: Swift.max(pieceSize, 1)).map {
            ByteBuffer(bytes: bytes[$0..<Swift.min($0 + pieceSize, bytes.count)])
        }
        self.ending = ending
        self.onPiece = onPiece
    }

    /// A body of the given pieces.
    init(pieces: [[UInt8]], ending: Ending = .finish) {
        self.pieces = pieces.map { ByteBuffer(bytes: $0) }
        self.ending = ending
    }

    func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    struct Iterator: AsyncIteratorProtocol {
        let body: TestBody
        var position = 0

        mutating func next() async throws -> ByteBuffer? {
            if position < body.pieces.count {
                defer { position += 1 }
                body.onPiece()
                return body.pieces[position]
            }
            switch body.ending {
            case .finish: return nil
            case .fail: throw BodyFailure()
            case .waitForCancellation:
                try await waitUntilCancelled()
            }
        }
    }
}

/// Suspends until the calling task is cancelled, then throws `CancellationError`; never
/// returns otherwise.
func waitUntilCancelled() async throws -> Never {
    while true { try await Task.sleep(for: .seconds(3600)) }
}

/// Thrown by `waitUntil` when its condition did not come true in time.
struct ConditionTimeout: Error, CustomStringConvertible {
    let condition: String
    let timeout: Duration
    var description: String { "not true within \(timeout): \(condition)" }
}

/// Waits until `condition` holds, checking it every 20 ms (an error thrown by the check
/// counts as not yet); throws `ConditionTimeout` after `timeout`.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !((try? await condition()) ?? false) {
        guard ContinuousClock.now < deadline else { throw ConditionTimeout(condition: what, timeout: timeout) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// `count` random bytes.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        for offset in stride(from: 0, to: count, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { word in
                raw[offset..<min(offset + 8, count)].copyBytes(from: word.prefix(count - offset))
            }
        }
    }
    return bytes
}

/// Cuts `bytes` into pieces of random sizes between 1 and `largest` bytes.
func randomPieces(of bytes: [UInt8], largest: Int) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + Int.random(in: 1...largest))
        pieces.append(Array(bytes[start..<end]))
        start = end
    }
    return pieces
}

/// Everything `body` yields, joined.
func collect(_ body: ObjectBody) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    for try await piece in body { bytes += piece.readableBytesView }
    return bytes
}

/// Expects `operation` to throw an `ObjectStoreError` of `kind`.
func expectStoreError<Value>(
    _ kind: ObjectStoreError.Kind, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> Value
) async {
    do {
        _ = try await operation()
        Issue.record("expected an ObjectStoreError .\(kind), got success. \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch let error as ObjectStoreError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected an ObjectStoreError .\(kind), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A fresh directory under the system's temporary directory, removed with everything in it
/// when the value goes.
final class TemporaryDirectory: Sendable {
    /// The directory's path.
    let path: String

    init() throws {
        let template = FileManager.default.temporaryDirectory.path + "/barge-objectstore-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
