import KafkaValues

extension BakdataPayload {
    /// The bytes and headers bakdata's serde writes for this payload as the
    /// record's `side`: in byte-flag mode the flag byte, then the payload or
    /// the URI in UTF-8; in header mode the payload or URI as they are and
    /// the side's flag header. A backed, compressed payload also gets the
    /// compression header, under the two-dot name of 2.5.0-3.2.1, which
    /// every bakdata reader since 2.5.0 (4.x included) reads. The object of a
    /// backed payload is the caller's to store (compressed as it says).
    public func encoded(side: BakdataSide = .value) -> (bytes: [UInt8], headers: [KafkaHeader]) {
        let flag: UInt8
        let body: [UInt8]
        switch content {
        case .inline(let payload):
            flag = 0
            body = payload
        case .backed(let reference):
            flag = 1
            body = Array(reference.uri.utf8)
        }
        var headers: [KafkaHeader] = []
        if case .backed = content, compression != .none {
            headers.append(KafkaHeader(key: BakdataHeaderName.legacyCompression, value: [compression.id]))
        }
        switch mode {
        case .byteFlag:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(body.count + 1)
            bytes.append(flag)
            bytes += body
            return (bytes, headers)
        case .headers:
            return (body, [KafkaHeader(key: BakdataHeaderName.flag(side), value: [flag])] + headers)
        }
    }
}
