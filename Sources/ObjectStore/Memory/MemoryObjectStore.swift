import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// A store that keeps its objects in this process's memory: `memory://name`, for tests.
///
/// It behaves as the other stores do (streamed bodies, objects visible only once their
/// whole body has arrived, `.badBody` for a failing body, ascending listings a page at a
/// time), and it can be told to fail on purpose (see `inject(_:)` and `holdNextPut()`) and
/// counts the calls made to it (see `count(of:)`). Unlike the other stores it holds whole
/// objects in memory, so it is meant for tests and small objects.
public final class MemoryObjectStore: ObjectStore {
    /// The store's name, as in `memory://name`.
    public let name: String
    /// How many objects one page of a listing holds.
    public let listPageSize: Int
    /// Where the store keeps its objects: `.memory(name:)`.
    public var location: ObjectStoreLocation { .memory(name: name) }

    let state = NIOLockedValueBox(State())

    private static let registry = NIOLockedValueBox<[String: MemoryObjectStore]>([:])
    private static let pieceSize = 64 * 1024

    /// The process-wide store called `name`, made on first use: opening `memory://name`
    /// twice gives the same store.
    public static func named(_ name: String) -> MemoryObjectStore {
        registry.withLockedValue { stores in
            if let store = stores[name] { return store }
            let store = MemoryObjectStore(name: name)
            stores[name] = store
            return store
        }
    }

    /// A new empty store of its own, not shared through `named(_:)`.
    ///
    /// - Parameter listPageSize: how many objects a listing fetches at a time; at least 1.
    ///   Default: 1000.
    public init(name: String, listPageSize: Int = 1000) {
        precondition(listPageSize > 0, "a memory store's list page size must be positive, not \(listPageSize)")
        self.name = name
        self.listPageSize = listPageSize
    }

    /// Gathers the whole body, then makes it visible under `key` at once.
    public func put<Body: AsyncSequence & Sendable>(
        _ key: ObjectKey, body: Body, options: ObjectPutOptions
    ) async throws -> ObjectInfo where Body.Element == ByteBuffer {
        let (fault, hold) = state.withLockedValue { ($0.begin(.put), $0.takeHold()) }
        if let fault, fault.afterBytes == nil { throw fault.error }
        var reader = PutBodyReader(body, key: key, expectedSize: options.expectedSize)
        var bytes = ByteBuffer()
        while let piece = try await reader.next() {
            bytes.writeImmutableBuffer(piece)
            if let fault, let limit = fault.afterBytes, reader.bytesRead >= Int64(limit) { throw fault.error }
        }
        if let fault { throw fault.error }
        if let hold { try await hold.wait() }
        try Task.checkCancellation()
        let info = ObjectInfo(key: key, size: Int64(bytes.readableBytes), lastModified: Date())
        state.withLockedValue { $0.objects[key] = StoredObject(bytes: bytes, info: info) }
        return info
    }

    /// Streams `range` of the object (all of it for nil) in pieces of 64 KiB, from a snapshot
    /// taken now. An empty range is valid from 0 up to and including the size.
    public func get(_ key: ObjectKey, range: Range<Int64>?) async throws -> ObjectBody {
        let (fault, stored) = state.withLockedValue { ($0.begin(.get), $0.objects[key]) }
        if let fault, fault.afterBytes == nil { throw fault.error }
        guard let stored else { throw ObjectStoreError(.notFound, key: key.rawValue, "no object in \(location)") }
        let span = try ObjectRange.resolve(range, size: stored.info.size, key: key)
        let slice = stored.bytes.getSlice(at: Int(span.lowerBound), length: span.count) ?? ByteBuffer()
        let reader = MemoryBodyReader(slice, pieceSize: Self.pieceSize, failure: fault.map { (afterBytes: $0.afterBytes ?? 0, error: $0.error) })
        return ObjectBody(expectedSize: span.upperBound - span.lowerBound) { { try reader.next() } }
    }

    /// The stored object's description, or nil.
    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        let (fault, stored) = state.withLockedValue { ($0.begin(.head), $0.objects[key]) }
        if let fault { throw fault.error }
        return stored?.info
    }

    /// Forgets the object, if there is one.
    public func delete(_ key: ObjectKey) async throws {
        let fault = state.withLockedValue { state -> Fault? in
            if let fault = state.begin(.delete) { return fault }
            state.objects[key] = nil
            return nil
        }
        if let fault { throw fault.error }
    }

    /// The objects whose keys start with `prefix`, `listPageSize` a page; each page is taken
    /// from the objects stored when it is fetched.
    public func list(prefix: String) -> ObjectListing {
        let fault = state.withLockedValue { $0.begin(.list) }
        return ObjectListing { [state, listPageSize] continuation in
            if let fault, continuation == nil { throw fault.error }
            let matching = state.withLockedValue { state in
                state.objects.values.map(\.info).filter { info in
                    let key = info.key.rawValue.utf8
                    return key.starts(with: prefix.utf8) && (continuation.map { $0.utf8.lexicographicallyPrecedes(key) } ?? true)
                }
            }.sorted { $0.key < $1.key }
            guard matching.count > listPageSize else { return (matching, nil) }
            let page = Array(matching.prefix(listPageSize))
            return (page, page.last?.key.rawValue)
        }
    }
}

extension MemoryObjectStore {
    /// Everything the store holds, guarded by its lock.
    struct State {
        var objects: [ObjectKey: StoredObject] = [:]
        var faults: [Fault] = []
        var holds: [PutHold] = []
        var counts: [Operation: Int] = [:]

        /// Counts a call of `operation` and takes the first fault injected for it, if any.
        mutating func begin(_ operation: Operation) -> Fault? {
            counts[operation, default: 0] += 1
            guard let index = faults.firstIndex(where: { $0.operation == operation }) else { return nil }
            let fault = faults[index]
            faults[index].times -= 1
            if faults[index].times <= 0 { faults.remove(at: index) }
            return fault
        }

        /// Takes the hold waiting for the next `put`, if any.
        mutating func takeHold() -> PutHold? {
            holds.isEmpty ? nil : holds.removeFirst()
        }
    }

    /// One stored object.
    struct StoredObject {
        var bytes: ByteBuffer
        var info: ObjectInfo
    }
}
