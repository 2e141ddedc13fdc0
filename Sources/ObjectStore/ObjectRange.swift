/// The byte-range rule every store follows for `get`.
enum ObjectRange {
    /// The bytes to read of an object of `size` bytes: all of them for nil, else `range`.
    ///
    /// A range lies within the object when `0 <= lowerBound` and `upperBound <= size`, as
    /// Swift slices do; so an empty range is valid anywhere from 0 up to and including `size`
    /// and reads nothing.
    ///
    /// - Throws: `.invalidRange` naming the range and the size otherwise.
    static func resolve(_ range: Range<Int64>?, size: Int64, key: ObjectKey) throws(ObjectStoreError) -> Range<Int64> {
        guard let range else { return 0..<size }
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ObjectStoreError(.invalidRange, key: key.rawValue,
                                   "the range \(range.lowerBound)..<\(range.upperBound) does not lie within the object's \(size) bytes")
        }
        return range
    }
}
