import Foundation
import NIOCore
import ObjectStore
import Testing

/// Checks that a store keeps the promises of `ObjectStore`, whatever the store: each store's
/// tests run these against it (`runAll()`, or one `Check` per test).
///
/// Every key a check makes starts with `keyPrefix` followed by the check's name, so checks
/// can share a store (a bucket, say) without seeing each other's objects; each check
/// deletes the objects it made when it succeeds.
struct ObjectStoreConformance: Sendable {
    /// One promise of the protocol.
    enum Check: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case roundTripEmpty = "round-trip-empty"
        case roundTripOneByte = "round-trip-one-byte"
        case roundTripManyPieces = "round-trip-many-pieces"
        case replace
        case rangedGets = "ranged-gets"
        case invalidRanges = "invalid-ranges"
        case head
        case deleteIsIdempotent = "delete-is-idempotent"
        case getMissing = "get-missing"
        case listByPrefix = "list-by-prefix"
        case listAcrossPages = "list-across-pages"
        case failingBodyLeavesNothing = "failing-body-leaves-nothing"
        case sizeMismatch = "size-mismatch"
        case cancelledPutLeavesNothing = "cancelled-put-leaves-nothing"
        case concurrentPuts = "concurrent-puts"
        case concurrentPutsAndDeletes = "concurrent-puts-and-deletes"
        case unusualKeys = "unusual-keys"

        var testDescription: String { rawValue }
    }

    /// The store under test.
    let store: any ObjectStore
    /// What every key the checks make starts with: empty, or ending in `/`.
    let keyPrefix: String
    /// How many objects the store lists a page, so `listAcrossPages` spans several.
    let listPageSize: Int
    /// Whether listings come in ascending key order (SeaweedFS's S3 gateway lists in tree
    /// order: then the checks compare listings as sets, each key once).
    let listsInKeyOrder: Bool

    init(store: any ObjectStore, keyPrefix: String = "", listPageSize: Int, listsInKeyOrder: Bool = true) {
        self.store = store
        self.keyPrefix = keyPrefix
        self.listPageSize = listPageSize
        self.listsInKeyOrder = listsInKeyOrder
    }

    /// Runs every check, one after another.
    func runAll() async throws {
        for check in Check.allCases { try await run(check) }
    }

    /// Runs one check.
    func run(_ check: Check) async throws {
        let scope = Scope(store: store, prefix: keyPrefix + check.rawValue + "/", ordered: listsInKeyOrder)
        switch check {
        case .roundTripEmpty: try await roundTrip(scope, size: 0, largestPiece: 1)
        case .roundTripOneByte: try await roundTrip(scope, size: 1, largestPiece: 1)
        case .roundTripManyPieces: try await roundTrip(scope, size: 5 * 1024 * 1024 + 123, largestPiece: 150_000)
        case .replace: try await replace(scope)
        case .rangedGets: try await rangedGets(scope)
        case .invalidRanges: try await invalidRanges(scope)
        case .head: try await head(scope)
        case .deleteIsIdempotent: try await deleteIsIdempotent(scope)
        case .getMissing: try await getMissing(scope)
        case .listByPrefix: try await listByPrefix(scope)
        case .listAcrossPages: try await listAcrossPages(scope)
        case .failingBodyLeavesNothing: try await failingBodyLeavesNothing(scope)
        case .sizeMismatch: try await sizeMismatch(scope)
        case .cancelledPutLeavesNothing: try await cancelledPutLeavesNothing(scope)
        case .concurrentPuts: try await concurrentPuts(scope)
        case .concurrentPutsAndDeletes: try await concurrentPutsAndDeletes(scope)
        case .unusualKeys: try await unusualKeys(scope)
        }
        try await scope.removeAll()
    }

    /// A put of `size` random bytes in pieces of random sizes reads back the same.
    func roundTrip(_ scope: Scope, size: Int, largestPiece: Int) async throws {
        let key = try scope.key("object")
        let bytes = randomBytes(size)
        let info = try await store.put(key, body: TestBody(pieces: randomPieces(of: bytes, largest: largestPiece)))
        #expect(info.key == key)
        #expect(info.size == Int64(size))
        #expect(try await collect(store.get(key)) == bytes)
        #expect(try await store.head(key)?.size == Int64(size))
    }

    /// A put over an existing object replaces it whole.
    func replace(_ scope: Scope) async throws {
        let key = try scope.key("object")
        _ = try await store.put(key, body: TestBody(randomBytes(300_000)))
        let second = randomBytes(1_000)
        let info = try await store.put(key, body: TestBody(second))
        #expect(info.size == 1_000)
        #expect(try await collect(store.get(key)) == second)
        #expect(try await store.head(key)?.size == 1_000)
        #expect(try await scope.listedKeys() == [key])
    }

    /// Ranged gets return exactly the bytes asked for, and empty ranges (even at the end) nothing.
    func rangedGets(_ scope: Scope) async throws {
        let key = try scope.key("object")
        let size = 600_000
        let bytes = randomBytes(size)
        _ = try await store.put(key, body: TestBody(bytes, pieceSize: 100_000))
        let ranges: [Range<Int>] = [
            0..<1, 0..<10, 1_000..<2_000, 262_000..<263_000, 200_000..<500_000, size - 10..<size, size - 1..<size,
            0..<size, 0..<0, 5..<5, size..<size,
        ]
        for range in ranges {
            let body = try await store.get(key, range: Int64(range.lowerBound)..<Int64(range.upperBound))
            if let expectedSize = body.expectedSize { #expect(expectedSize == Int64(range.count), "range \(range)") }
            #expect(try await collect(body) == Array(bytes[range]), "range \(range)")
        }
    }

    /// Ranges that reach outside the object, and ranged gets of missing objects, fail typed.
    func invalidRanges(_ scope: Scope) async throws {
        let key = try scope.key("object")
        _ = try await store.put(key, body: TestBody(randomBytes(100)))
        for range: Range<Int64> in [99..<101, 100..<101, 101..<101, 101..<200, -1..<3, 1_000..<2_000] {
            await expectStoreError(.invalidRange, "range \(range)") { try await store.get(key, range: range) }
        }
        let empty = try scope.key("empty")
        _ = try await store.put(empty, body: TestBody([]))
        #expect(try await collect(store.get(empty, range: 0..<0)) == [])
        await expectStoreError(.invalidRange) { try await store.get(empty, range: 0..<1) }
        await expectStoreError(.notFound) { try await store.get(scope.key("missing"), range: 0..<1) }
    }

    /// Head describes a present object and returns nil for a missing one.
    func head(_ scope: Scope) async throws {
        let key = try scope.key("object")
        #expect(try await store.head(key) == nil)
        let before = Date()
        _ = try await store.put(key, body: TestBody(randomBytes(1_234)))
        let info = try #require(try await store.head(key))
        #expect(info.key == key)
        #expect(info.size == 1_234)
        #expect(abs(info.lastModified.timeIntervalSince(before)) < 600, "last modified \(info.lastModified), put at \(before)")
        #expect(try await store.head(scope.key("object-not")) == nil)
        #expect(try await store.head(scope.key("obj")) == nil)
        #expect(try await store.head(scope.key("object/below")) == nil)
    }

    /// Delete removes an object; deleting again, or what never was, succeeds.
    func deleteIsIdempotent(_ scope: Scope) async throws {
        let key = try scope.key("dir/object")
        _ = try await store.put(key, body: TestBody(randomBytes(10)))
        try await store.delete(key)
        #expect(try await store.head(key) == nil)
        await expectStoreError(.notFound) { try await store.get(key) }
        try await store.delete(key)
        try await store.delete(scope.key("never/was"))
        #expect(try await scope.listedKeys().isEmpty)
    }

    /// Getting a missing object fails with `.notFound`.
    func getMissing(_ scope: Scope) async throws {
        await expectStoreError(.notFound) { try await store.get(scope.key("missing")) }
        await expectStoreError(.notFound) { try await store.get(scope.key("missing/below")) }
    }

    /// Listing matches the prefix as text, in ascending UTF-8 order, with sizes.
    func listByPrefix(_ scope: Scope) async throws {
        let names = ["a/b-x", "a/b.txt", "a/b/c", "a/b/d/e", "a/bc", "a/c", "a/z", "a/é", "a/ü/x", "b", "ba/c"]
        for (index, name) in names.enumerated() {
            _ = try await store.put(scope.key(name), body: TestBody(randomBytes(index + 1)))
        }
        let all = try names.map(scope.key)
        #expect(all == all.sorted(), "the names are written in key order")
        #expect(try await scope.listedKeys() == all)
        #expect(try await scope.listedKeys("a/b") == all.filter { $0.rawValue.hasPrefix(scope.prefix + "a/b") })
        #expect(try await scope.listedKeys("a/b") == names[0..<5].map(scope.key))
        #expect(try await scope.listedKeys("a/b/") == [scope.key("a/b/c"), scope.key("a/b/d/e")])
        #expect(try await scope.listedKeys("a/") == names[0..<9].map(scope.key))
        #expect(try await scope.listedKeys("b") == [scope.key("b"), scope.key("ba/c")])
        #expect(try await scope.listedKeys("a/b/d/e") == [scope.key("a/b/d/e")])
        #expect(try await scope.listedKeys("a/b/d/e/f").isEmpty)
        #expect(try await scope.listedKeys("zz").isEmpty)
        #expect(try await scope.listedKeys("a//").isEmpty)
        var sizes: [ObjectKey: Int64] = [:]
        for try await info in store.list(prefix: scope.prefix) { sizes[info.key] = info.size }
        #expect(sizes == Dictionary(uniqueKeysWithValues: try names.enumerated().map { (try scope.key($1), Int64($0 + 1)) }))
    }

    /// A listing longer than a page comes back whole and in order.
    func listAcrossPages(_ scope: Scope) async throws {
        let count = 2 * listPageSize + 1
        let names = (0..<count).map { index in (index % 2 == 0 ? "x/" : "y/") + String(format: "k%05d", index) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, name) in names.enumerated() {
                if index >= 8 { _ = try await group.next() }
                group.addTask { _ = try await store.put(scope.key(name), body: TestBody([UInt8(index % 256)])) }
            }
            try await group.waitForAll()
        }
        let sorted = try names.map(scope.key).sorted()
        #expect(try await scope.listedKeys() == sorted)
        #expect(try await scope.listedKeys("y/") == sorted.filter { $0.rawValue.hasPrefix(scope.prefix + "y/") })
    }

    /// A body that fails part-way makes the put fail with `.badBody` and leaves the old
    /// object as it was, or no object.
    func failingBodyLeavesNothing(_ scope: Scope) async throws {
        let key = try scope.key("dir/object")
        let old = randomBytes(1_000)
        _ = try await store.put(key, body: TestBody(old))
        await expectStoreError(.badBody) { try await store.put(key, body: TestBody(randomBytes(700_000), ending: .fail)) }
        #expect(try await collect(store.get(key)) == old)
        let fresh = try scope.key("other/object")
        await expectStoreError(.badBody) { try await store.put(fresh, body: TestBody(randomBytes(700_000), ending: .fail)) }
        await expectStoreError(.badBody) { try await store.put(fresh, body: TestBody([], ending: .fail)) }
        #expect(try await store.head(fresh) == nil)
        #expect(try await scope.listedKeys() == [key])
    }

    /// A body whose size differs from the announced one makes the put fail with `.badBody`.
    func sizeMismatch(_ scope: Scope) async throws {
        let key = try scope.key("object")
        let old = randomBytes(3)
        _ = try await store.put(key, body: TestBody(old), options: ObjectPutOptions(expectedSize: 3))
        await expectStoreError(.badBody) {
            try await store.put(key, body: TestBody(randomBytes(5)), options: ObjectPutOptions(expectedSize: 10))
        }
        await expectStoreError(.badBody) {
            try await store.put(key, body: TestBody(randomBytes(10), pieceSize: 5), options: ObjectPutOptions(expectedSize: 5))
        }
        await expectStoreError(.badBody) {
            try await store.put(scope.key("fresh"), body: TestBody(randomBytes(300_000)), options: ObjectPutOptions(expectedSize: 1))
        }
        #expect(try await collect(store.get(key)) == old)
        #expect(try await scope.listedKeys() == [key])
        let exact = try await store.put(key, body: TestBody(randomBytes(7)), options: ObjectPutOptions(contentType: "application/octet-stream", expectedSize: 7))
        #expect(exact.size == 7)
    }

    /// Cancelling a put part-way leaves the old object as it was, or no object.
    func cancelledPutLeavesNothing(_ scope: Scope) async throws {
        let key = try scope.key("object")
        let old = randomBytes(100)
        _ = try await store.put(key, body: TestBody(old))
        for target in [key, try scope.key("fresh/object")] {
            let (started, signal) = AsyncStream.makeStream(of: Void.self)
            let body = TestBody(randomBytes(600_000), pieceSize: 100_000, ending: .waitForCancellation) { signal.yield() }
            let upload = Task { try await store.put(target, body: body) }
            for await _ in started.prefix(6) {}
            upload.cancel()
            let result = await upload.result
            #expect(throws: (any Error).self) { try result.get() }
        }
        #expect(try await collect(store.get(key)) == old)
        #expect(try await scope.listedKeys() == [key])
    }

    /// Puts to different keys at once all land.
    func concurrentPuts(_ scope: Scope) async throws {
        let contents = (0..<12).map { _ in randomBytes(Int.random(in: 1...400_000)) }
        let keys = try (0..<12).map { try scope.key($0 % 2 == 0 ? "shared/\($0)" : "own-\($0)/object") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (key, bytes) in zip(keys, contents) {
                group.addTask { _ = try await store.put(key, body: TestBody(pieces: randomPieces(of: bytes, largest: 50_000))) }
            }
            try await group.waitForAll()
        }
        for (key, bytes) in zip(keys, contents) { #expect(try await collect(store.get(key)) == bytes) }
    }

    /// Puts and deletes racing in one place all succeed (a store that removes emptied
    /// directories must not fail a put that is creating one).
    func concurrentPutsAndDeletes(_ scope: Scope) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let key = try scope.key("shared/deeper/\(index)")
                    _ = try await store.put(key, body: TestBody(randomBytes(100)))
                    try await store.delete(key)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await scope.listedKeys().isEmpty)
    }

    /// Keys with spaces, non-ASCII letters and URL-special characters round-trip and list.
    func unusualKeys(_ scope: Scope) async throws {
        let names = ["sp ace/ü/é", "plus+eq=amp&q?h#pct%20", "quote'\"<>", "~tilde!*()$,;:@", "中文/キー", "x/.hidden"]
        var written: [ObjectKey: [UInt8]] = [:]
        for name in names {
            let key = try scope.key(name)
            written[key] = randomBytes(name.utf8.count)
            _ = try await store.put(key, body: TestBody(written[key] ?? []))
        }
        for (key, bytes) in written { #expect(try await collect(store.get(key)) == bytes, "\(key)") }
        #expect(try await scope.listedKeys() == written.keys.sorted())
    }
}

extension ObjectStoreConformance {
    /// The keys of one check: all start with `prefix`.
    struct Scope: Sendable {
        let store: any ObjectStore
        let prefix: String
        /// Whether the store lists in key order; when not, listings are sorted here
        /// (after checking that no key comes twice).
        var ordered = true

        /// The key `prefix` + `name`.
        func key(_ name: String) throws -> ObjectKey { try ObjectKey(prefix + name) }

        /// The listed keys starting with `prefix` + `name`.
        func listedKeys(_ name: String = "") async throws -> [ObjectKey] {
            var keys: [ObjectKey] = []
            for try await info in store.list(prefix: prefix + name) { keys.append(info.key) }
            guard !ordered else { return keys }
            #expect(Set(keys).count == keys.count, "a listing holds each key once")
            return keys.sorted()
        }

        /// Deletes every object of the check.
        func removeAll() async throws {
            for key in try await listedKeys() { try await store.delete(key) }
        }
    }
}
