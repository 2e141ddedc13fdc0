/// One page of a ListObjectsV2 answer.
struct S3ListObjectsPage: Sendable, Hashable {
    /// One listed object, with its full S3 key.
    struct Object: Sendable, Hashable {
        var key: String
        var size: Int64
        var lastModified: String
        var eTag: String?
    }

    var objects: [Object]
    /// The token for the next page; nil on the last page.
    var continuationToken: String?

    /// Parses a `<ListBucketResult>` document.
    ///
    /// - Throws: `ObjectStoreError` `.badResponse` when it is malformed, an object lacks its
    ///   key or size, or the page says it is truncated without a continuation token.
    init(xml: [UInt8]) throws(ObjectStoreError) {
        let root = try S3XML.parse(xml)
        guard root.name == "ListBucketResult" else {
            throw ObjectStoreError(.badResponse, "S3 answered a listing with <\(root.name)> instead of <ListBucketResult>")
        }
        var objects: [Object] = []
        for contents in root.children("Contents") {
            guard let key = contents.text(of: "Key"), !key.isEmpty,
                  let sizeText = contents.text(of: "Size"), let size = Int64(sizeText), size >= 0 else {
                throw ObjectStoreError(.badResponse, "S3 listed an object without a key or a valid size")
            }
            objects.append(Object(key: key, size: size, lastModified: contents.text(of: "LastModified") ?? "", eTag: contents.text(of: "ETag")))
        }
        self.objects = objects
        if root.text(of: "IsTruncated") == "true" {
            guard let token = root.text(of: "NextContinuationToken"), !token.isEmpty else {
                throw ObjectStoreError(.badResponse, "S3 said the listing is truncated but gave no NextContinuationToken")
            }
            continuationToken = token
        }
    }
}
