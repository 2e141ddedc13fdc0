import Foundation
import NIOConcurrencyHelpers
import NIOCore
import ObjectStore
import Testing

@Suite("MemoryObjectStore")
struct MemoryObjectStoreTests {
    @Test("keeps the ObjectStore promises", arguments: ObjectStoreConformance.Check.allCases)
    func conformance(_ check: ObjectStoreConformance.Check) async throws {
        let store = MemoryObjectStore(name: "conformance", listPageSize: 7)
        try await ObjectStoreConformance(store: store, keyPrefix: "prefix/", listPageSize: 7).run(check)
    }

    @Test("keeps the ObjectStore promises with all checks sharing one store")
    func conformanceSharedStore() async throws {
        let store = MemoryObjectStore(name: "shared", listPageSize: 3)
        try await ObjectStoreConformance(store: store, keyPrefix: "one/", listPageSize: 3).runAll()
    }

    @Test("a name opens the same store everywhere in the process")
    func registry() async throws {
        let name = "registry-\(UUID())"
        let first = MemoryObjectStore.named(name)
        #expect(MemoryObjectStore.named(name) === first)
        #expect(MemoryObjectStore(name: name) !== first)
        #expect(first.location == .memory(name: name))
        #expect(first.location.description == "memory://\(name)")
        _ = try await first.put(try ObjectKey("k"), body: TestBody([7]))
        #expect(try await collect(MemoryObjectStore.named(name).get(try ObjectKey("k"))) == [7])
    }

    @Test("failNext fails that many calls of its operation at once, then no more")
    func failNext() async throws {
        let store = MemoryObjectStore(name: "fail-next")
        let key = try ObjectKey("k")
        let busy = ObjectStoreError(.unavailable, "injected")
        store.inject(.failNext(.put, times: 2, error: busy))
        await expectStoreError(.unavailable) { try await store.put(key, body: TestBody([1])) }
        await expectStoreError(.unavailable) { try await store.put(key, body: TestBody([1])) }
        _ = try await store.put(key, body: TestBody([1]))
        #expect(store.count(of: .put) == 3)

        store.inject(.failNext(.get, error: busy))
        store.inject(.failNext(.head, error: busy))
        store.inject(.failNext(.delete, error: busy))
        store.inject(.failNext(.list, error: busy))
        await expectStoreError(.unavailable) { try await store.get(key) }
        await expectStoreError(.unavailable) { try await store.head(key) }
        await expectStoreError(.unavailable) { try await store.delete(key) }
        await expectStoreError(.unavailable) { for try await _ in store.list(prefix: "") {} }
        #expect(try await store.head(key) != nil, "the failed delete removed nothing")
        #expect(try await collect(store.get(key)) == [1])
        var listed = 0
        for try await _ in store.list(prefix: "") { listed += 1 }
        #expect(listed == 1)
        #expect(store.count(of: .get) == 2 && store.count(of: .head) == 2 && store.count(of: .delete) == 1 && store.count(of: .list) == 2)
    }

    @Test("failPut reads that many bytes of the body, then fails and stores nothing")
    func failPut() async throws {
        let store = MemoryObjectStore(name: "fail-put")
        let key = try ObjectKey("k")
        _ = try await store.put(key, body: TestBody([9, 9]))
        store.inject(.failPut(afterBytes: 1_000, error: ObjectStoreError(.unavailable, "connection reset")))
        let piecesRead = PieceCounter()
        await expectStoreError(.unavailable) {
            try await store.put(key, body: TestBody(randomBytes(5_000), pieceSize: 100) { piecesRead.add() })
        }
        #expect(piecesRead.value == 10)
        #expect(try await collect(store.get(key)) == [9, 9])
        store.inject(.failPut(afterBytes: 1_000, error: ObjectStoreError(.unavailable, "connection reset")))
        await expectStoreError(.unavailable, "fails at the end of a shorter body") {
            try await store.put(try ObjectKey("other"), body: TestBody([1, 2, 3]))
        }
        #expect(try await store.head(try ObjectKey("other")) == nil)
        _ = try await store.put(key, body: TestBody([1]))
    }

    @Test("failGet makes that many downloads break after yielding that many bytes")
    func failGet() async throws {
        let store = MemoryObjectStore(name: "fail-get")
        let key = try ObjectKey("k")
        let bytes = randomBytes(300_000)
        _ = try await store.put(key, body: TestBody(bytes))
        store.inject(.failGet(afterBytes: 100_000, times: 2, error: ObjectStoreError(.unavailable, "connection reset")))
        for _ in 0..<2 {
            var received: [UInt8] = []
            await expectStoreError(.unavailable) {
                for try await piece in try await store.get(key) { received += piece.readableBytesView }
            }
            #expect(received == Array(bytes[0..<100_000]))
        }
        #expect(try await collect(store.get(key)) == bytes)
        #expect(store.count(of: .get) == 3)

        store.inject(.failGet(afterBytes: 500_000, error: ObjectStoreError(.unavailable, "reset")))
        await expectStoreError(.unavailable, "a body shorter than afterBytes fails at its end") {
            try await collect(store.get(key, range: 10..<20))
        }
    }

    @Test("faults apply in the order they were injected")
    func faultOrder() async throws {
        let store = MemoryObjectStore(name: "order")
        let key = try ObjectKey("k")
        store.inject(.failNext(.head, error: ObjectStoreError(.unavailable, "first")))
        store.inject(.failNext(.head, error: ObjectStoreError(.accessDenied, "second")))
        await expectStoreError(.unavailable) { try await store.head(key) }
        await expectStoreError(.accessDenied) { try await store.head(key) }
        #expect(try await store.head(key) == nil)
        store.inject(.failNext(.head, times: 5, error: ObjectStoreError(.unavailable, "dropped")))
        store.removeFaults()
        #expect(try await store.head(key) == nil)
    }

    @Test("a held put has read its body but shows nothing until released")
    func holdPut() async throws {
        let store = MemoryObjectStore(name: "hold")
        let key = try ObjectKey("k")
        let hold = store.holdNextPut()
        let upload = Task { try await store.put(key, body: TestBody([1, 2, 3])) }
        await hold.waitUntilHeld()
        #expect(try await store.head(key) == nil)
        hold.release()
        #expect(try await upload.value.size == 3)
        #expect(try await collect(store.get(key)) == [1, 2, 3])
        _ = try await store.put(key, body: TestBody([4]))  // only the next put was held
    }

    @Test("a held put that is cancelled stores nothing")
    func holdPutCancelled() async throws {
        let store = MemoryObjectStore(name: "hold-cancel")
        let key = try ObjectKey("k")
        let hold = store.holdNextPut()
        let upload = Task { try await store.put(key, body: TestBody([1, 2, 3])) }
        await hold.waitUntilHeld()
        upload.cancel()
        await #expect(throws: CancellationError.self) { try await upload.value }
        #expect(try await store.head(key) == nil)
    }

    @Test("a hold released before its put arrives lets the put through")
    func holdReleasedEarly() async throws {
        let store = MemoryObjectStore(name: "hold-early")
        let hold = store.holdNextPut()
        hold.release()
        _ = try await store.put(try ObjectKey("k"), body: TestBody([1]))
        await hold.waitUntilHeld()
    }
}

/// Counts pieces handed out by a test body.
private final class PieceCounter: Sendable {
    private let count = NIOLockedValueBox(0)

    func add() { count.withLockedValue { $0 += 1 } }

    var value: Int { count.withLockedValue { $0 } }
}
