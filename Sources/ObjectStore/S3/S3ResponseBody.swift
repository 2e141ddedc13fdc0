import AsyncHTTPClient
import NIOCore

/// Turns a streamed S3 answer into an `ObjectBody` whose failures are `ObjectStoreError`s.
///
/// Nothing is retried here: once bytes have been handed out, a dropped connection is
/// reported (`.unavailable`) and the reader resumes with a ranged `get`.
enum S3ResponseBody {
    static func make(
        _ response: HTTPClientResponse,
        expectedSize: Int64?,
        failure: @escaping @Sendable (any Error) -> any Error
    ) -> ObjectBody {
        ObjectBody(expectedSize: expectedSize) {
            let box = IteratorBox(response.body.makeAsyncIterator())
            return {
                do {
                    return try await box.next()
                } catch {
                    throw failure(error)
                }
            }
        }
    }
}

/// Lets a `@Sendable` closure advance the response's iterator; `ObjectBody` is iterated by one task.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
