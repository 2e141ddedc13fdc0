/// A buffer librdkafka writes a NUL-terminated error text into.
struct CTextBuffer {
    var bytes = [CChar](repeating: 0, count: 512)

    /// The text up to the first NUL.
    var text: String {
        String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
