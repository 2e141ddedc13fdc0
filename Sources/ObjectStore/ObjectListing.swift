/// The objects under a prefix, fetched page by page as they are iterated.
public struct ObjectListing: AsyncSequence, Sendable {
    public typealias Element = ObjectInfo

    private let fetchPage: @Sendable (_ continuation: String?) async throws -> (objects: [ObjectInfo], continuation: String?)

    /// A listing that calls `fetchPage` with nil first, then with each returned continuation
    /// token until one comes back nil.
    public init(fetchPage: @escaping @Sendable (_ continuation: String?) async throws -> (objects: [ObjectInfo], continuation: String?)) {
        self.fetchPage = fetchPage
    }

    public func makeAsyncIterator() -> Iterator { Iterator(fetchPage: fetchPage) }

    /// Iterates an `ObjectListing`.
    public struct Iterator: AsyncIteratorProtocol {
        let fetchPage: @Sendable (String?) async throws -> (objects: [ObjectInfo], continuation: String?)
        var page: [ObjectInfo] = []
        var position = 0
        var continuation: String?
        var started = false

        public mutating func next() async throws -> ObjectInfo? {
            while position == page.count {
                if started && continuation == nil { return nil }
                let fetched = try await fetchPage(continuation)
                started = true
                page = fetched.objects
                position = 0
                continuation = fetched.continuation
            }
            defer { position += 1 }
            return page[position]
        }
    }
}
