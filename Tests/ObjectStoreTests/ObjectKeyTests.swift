import ObjectStore
import Testing

@Suite("ObjectKey")
struct ObjectKeyTests {
    @Test("accepts relative slash-separated keys", arguments: ["a", "topic/2026/id.bin", "a.b/c-d_e", "x/.hidden", "..a/b..", "é/ü"])
    func acceptsGoodKeys(text: String) throws {
        #expect(try ObjectKey(text).rawValue == text)
    }

    @Test("refuses keys that could escape or are malformed", arguments: [
        "", "/abs", "a/../b", "..", ".", "a/./b", "a//b", "a/", "a\\b", "a\u{0}b", "a\nb", String(repeating: "k", count: 1025),
    ])
    func refusesBadKeys(text: String) {
        #expect {
            _ = try ObjectKey(text)
        } throws: { error in
            (error as? ObjectStoreError)?.kind == .invalidKey
        }
    }

    @Test("a location maps object URLs back to keys only inside itself")
    func locationConfinement() throws {
        let location = ObjectStoreLocation.s3(bucket: "b", prefix: "claims/")
        let key = try ObjectKey("t/1")
        #expect(location.url(of: key) == "s3://b/claims/t/1")
        #expect(location.key(ofObjectURL: "s3://b/claims/t/1") == key)
        #expect(location.key(ofObjectURL: "s3://b/other/t/1") == nil)
        #expect(location.key(ofObjectURL: "s3://b/claims/../etc/passwd") == nil)
        #expect(location.description == "s3://b/claims")
        let files = ObjectStoreLocation.fileSystem(root: "/srv/objects")
        #expect(files.key(ofObjectURL: "file:///srv/objects/a/b") == (try ObjectKey("a/b")))
        #expect(files.key(ofObjectURL: "file:///srv/objectsX/a") == nil)
        #expect(files.key(ofObjectURL: "file:///etc/passwd") == nil)
    }
}
