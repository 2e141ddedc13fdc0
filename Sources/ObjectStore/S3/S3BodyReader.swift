import NIOCore

/// Cuts a `put` body into parts of a fixed size, counting bytes and checking them against
/// the announced size. Failures of the body become `ObjectStoreError` `.badBody`.
struct S3BodyReader<Base: AsyncIteratorProtocol> where Base.Element == ByteBuffer {
    private var base: Base
    private var pending: ByteBuffer?
    private var finished = false
    private let key: String
    private let expectedSize: Int64?
    /// The bytes handed out so far.
    private(set) var bytesRead: Int64 = 0

    init(_ base: Base, key: String, expectedSize: Int64?) {
        self.base = base
        self.key = key
        self.expectedSize = expectedSize
    }

    /// The next `size` bytes, or fewer at the end of the body (none once it is exhausted).
    mutating func read(_ size: Int) async throws -> ByteBuffer {
        var part = ByteBuffer()
        part.reserveCapacity(size)
        while part.readableBytes < size, var buffer = try await nextBuffer() {
            let wanted = size - part.readableBytes
            if buffer.readableBytes > wanted, let head = buffer.readSlice(length: wanted) {
                part.writeImmutableBuffer(head)
                pending = buffer
            } else {
                part.writeBuffer(&buffer)
            }
        }
        bytesRead += Int64(part.readableBytes)
        if let expectedSize, bytesRead > expectedSize {
            throw ObjectStoreError(.badBody, key: key, "the body yielded more than the \(expectedSize) bytes announced")
        }
        return part
    }

    /// Whether the body has no more bytes (it may pull one buffer ahead to know).
    mutating func isAtEnd() async throws -> Bool {
        guard let buffer = try await nextBuffer() else { return true }
        pending = buffer
        return false
    }

    private mutating func nextBuffer() async throws -> ByteBuffer? {
        if let buffer = pending {
            pending = nil
            return buffer
        }
        while !finished {
            let buffer: ByteBuffer?
            do {
                buffer = try await base.next()
            } catch let error as CancellationError {
                throw error
            } catch let error as ObjectStoreError where error.kind == .badBody {
                throw error
            } catch {
                throw ObjectStoreError(.badBody, key: key, "the body failed after \(bytesRead) bytes: \(error)")
            }
            guard let buffer else {
                finished = true
                return nil
            }
            if buffer.readableBytes > 0 { return buffer }
        }
        return nil
    }

    /// Checks, once the body is exhausted, that it yielded the announced size.
    func verifyComplete() throws(ObjectStoreError) {
        if let expectedSize, bytesRead != expectedSize {
            throw ObjectStoreError(.badBody, key: key, "the body yielded \(bytesRead) bytes, but \(expectedSize) were announced")
        }
    }
}
