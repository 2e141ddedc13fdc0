import Foundation
import NIOCore
@testable import ObjectStore
import Testing

/// The S3 store against a real SeaweedFS; each test starts one server (a few seconds) and
/// runs several scenarios in it.
@Suite("S3ObjectStore against SeaweedFS", .serialized)
struct S3ObjectStoreTests {
    private let mebibyte: Int64 = 1024 * 1024

    @Test("round trips (single PUT and multipart), ranges, head, delete, list paging")
    func roundTrips() async throws {
        try await withSeaweedFS { server in
            let store = try server.store(prefix: "claims")

            // Small object in one PUT, Content-Type kept.
            let small = try ObjectKey("t/small é+ key.bin")
            let smallInfo = try await store.put(small, body: PatternBody(size: 100_000), options: ObjectPutOptions(contentType: "image/png", expectedSize: 100_000))
            #expect(smallInfo.size == 100_000)
            #expect(try await store.get(small).verifyPattern() == 100_000)
            #expect(try await server.contentType(of: small.rawValue, in: store) == "image/png")

            // 40 MiB in 5 MiB parts, 3 in flight.
            let large = try ObjectKey("t/large")
            let size = 40 * mebibyte + 12_345
            let largeInfo = try await store.put(large, body: PatternBody(size: size, chunkSize: 300_007), options: ObjectPutOptions(contentType: "video/mp4"))
            #expect(largeInfo.size == size)
            let body = try await store.get(large)
            #expect(body.expectedSize == size)
            #expect(try await body.verifyPattern() == size)
            #expect(try await server.contentType(of: large.rawValue, in: store) == "video/mp4")

            // Exactly one part's worth goes in one PUT.
            let exact = try ObjectKey("t/exact")
            _ = try await store.put(exact, body: PatternBody(size: 5 * mebibyte))
            #expect(try await store.get(exact).verifyPattern() == 5 * mebibyte)

            // Ranges.
            let range: Range<Int64> = 6 * mebibyte - 10 ..< 11 * mebibyte + 7
            #expect(try await store.get(large, range: range).verifyPattern(from: range.lowerBound) == Int64(range.count))
            #expect(try await store.get(large, range: size - 1 ..< size).verifyPattern(from: size - 1) == 1)
            #expect(try await store.get(small, range: 10..<10).collected().isEmpty)
            for bad: Range<Int64> in [size ..< size + 1, size - 1 ..< size + 1, size + 5 ..< size + 5] {
                await #expect {
                    _ = try await store.get(large, range: bad).collected()
                } throws: { ($0 as? ObjectStoreError)?.kind == .invalidRange }
            }

            // Head and missing keys.
            let head = try #require(try await store.head(large))
            #expect(head.size == size)
            #expect(head.eTag != nil)
            #expect(abs(head.lastModified.timeIntervalSinceNow) < 300)
            let missing = try ObjectKey("t/missing")
            #expect(try await store.head(missing) == nil)
            await #expect {
                _ = try await store.get(missing)
            } throws: { ($0 as? ObjectStoreError)?.kind == .notFound }

            // Replace, then delete (twice: deleting nothing succeeds).
            _ = try await store.put(small, body: PatternBody(size: 10))
            #expect(try await store.head(small)?.size == 10)
            try await store.delete(small)
            try await store.delete(small)
            #expect(try await store.head(small) == nil)

            // Listing in pages of 2, relative to the store's prefix.
            let paged = try server.store(prefix: "claims", configuration: server.configuration(listPageSize: 2))
            let names = ["p/a", "p/b", "p/c&<d>", "p/e", "p/f", "q/x"]
            for name in names { _ = try await store.put(try ObjectKey(name), body: PatternBody(size: 3)) }
            var listed: [String] = []
            for try await info in paged.list(prefix: "p/") {
                listed.append(info.key.rawValue)
                #expect(info.size == 3)
            }
            #expect(listed == ["p/a", "p/b", "p/c&<d>", "p/e", "p/f"])
            var all: [String] = []
            for try await info in paged.list(prefix: "") { all.append(info.key.rawValue) }
            #expect(all == ["p/a", "p/b", "p/c&<d>", "p/e", "p/f", "q/x", "t/exact", "t/large"])
            var none = 0
            for try await _ in paged.list(prefix: "nothing/") { none += 1 }
            #expect(none == 0)
        }
    }

    @Test("failures are typed: bad bodies, wrong credentials, missing bucket, a dead server")
    func failures() async throws {
        try await withSeaweedFS { server in
            let store = try server.store()
            let key = try ObjectKey("fail/body")

            // A body failing in the middle of a multipart upload leaves nothing behind.
            await #expect {
                _ = try await store.put(key, body: PatternBody(size: 30 * mebibyte, triggerAfter: 17 * mebibyte))
            } throws: { ($0 as? ObjectStoreError)?.kind == .badBody }
            #expect(try await store.head(key) == nil)
            #expect(try await server.multipartUploadsInProgress() == 0)

            // A size other than announced, small and large.
            for size in [1000, 12 * mebibyte] {
                await #expect {
                    _ = try await store.put(key, body: PatternBody(size: size), options: ObjectPutOptions(expectedSize: size + 1))
                } throws: { ($0 as? ObjectStoreError)?.kind == .badBody }
                await #expect {
                    _ = try await store.put(key, body: PatternBody(size: size), options: ObjectPutOptions(expectedSize: size - 1))
                } throws: { ($0 as? ObjectStoreError)?.kind == .badBody }
            }
            #expect(try await store.head(key) == nil)
            #expect(try await server.multipartUploadsInProgress() == 0)

            // Cancelling a multipart upload aborts it. The body gives two whole parts and some
            // more, then waits; the put is cancelled once S3 holds both parts (so no part
            // request is in flight, and only the abort can remove them).
            let (uploadsBefore, partsBefore) = (try await server.multipartUploadsInProgress(), try await server.uploadedParts())
            let cancelled = Task {
                try await store.put(key, body: PatternBody(
                    size: 40 * mebibyte, chunkSize: 64 * 1024, triggerAfter: 12 * mebibyte, atTrigger: .waitForCancellation
                ))
            }
            defer { cancelled.cancel() }
            try await waitUntil("S3 holds the upload's first two parts") { try await server.uploadedParts() == partsBefore + 2 }
            #expect(try await server.multipartUploadsInProgress() == uploadsBefore + 1)
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(try await store.head(key) == nil)
            #expect(try await server.multipartUploadsInProgress() == 0)

            // Wrong secret, unknown access key.
            for credentials in [
                AWSCredentials(accessKeyID: server.credentials.accessKeyID, secretAccessKey: "wrong"),
                AWSCredentials(accessKeyID: "UNKNOWNKEY", secretAccessKey: server.credentials.secretAccessKey),
            ] {
                let intruder = try server.store(configuration: server.configuration(credentials: credentials))
                await #expect {
                    _ = try await intruder.put(key, body: PatternBody(size: 10))
                } throws: { ($0 as? ObjectStoreError)?.kind == .accessDenied }
                await #expect {
                    _ = try await intruder.get(key)
                } throws: { ($0 as? ObjectStoreError)?.kind == .accessDenied }
            }

            // A bucket that does not exist.
            let nowhere = try server.store(bucket: "no-such-bucket")
            await #expect {
                for try await _ in nowhere.list(prefix: "") {}
            } throws: { ($0 as? ObjectStoreError)?.kind == .configuration }
            await #expect {
                _ = try await nowhere.get(key)
            } throws: { error in
                let kind = (error as? ObjectStoreError)?.kind
                return kind == .configuration || kind == .notFound
            }

            // The server dies in the middle of a multipart upload.
            let kept = try ObjectKey("kept")
            _ = try await store.put(kept, body: PatternBody(size: 1000))
            let started = ContinuousClock.now
            await #expect {
                _ = try await store.put(key, body: PatternBody(size: 30 * mebibyte, triggerAfter: 12 * mebibyte, atTrigger: .run { server.kill() }))
            } throws: { ($0 as? ObjectStoreError)?.kind == .unavailable }
            #expect(ContinuousClock.now - started < .seconds(60))

            // And everything after that fails as unavailable, quickly.
            let afterwards = ContinuousClock.now
            await #expect {
                _ = try await store.get(kept)
            } throws: { ($0 as? ObjectStoreError)?.kind == .unavailable }
            await #expect {
                _ = try await store.head(kept)
            } throws: { ($0 as? ObjectStoreError)?.kind == .unavailable }
            #expect(ContinuousClock.now - afterwards < .seconds(30))
        }
    }
}

@Suite("S3ObjectStore conformance against SeaweedFS")
struct S3ObjectStoreConformanceTests {
    @Test("keeps the ObjectStore promises, as the file-system and memory stores do")
    func conformance() async throws {
        try await withSeaweedFS { server in
            let store = try server.store(prefix: "conformance", configuration: server.configuration(listPageSize: 3))
            try await ObjectStoreConformance(store: store, keyPrefix: "suite/", listPageSize: 3, listsInKeyOrder: false).runAll()
        }
    }
}
