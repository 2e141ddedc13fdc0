/// The text of a SCRAM message, bounded and checked before it is parsed.
enum ScramMessageText {
    /// The longest SCRAM message either side accepts, in bytes: 4 KiB. Honest
    /// messages are far shorter (a client-final message is a nonce, a GS2 header
    /// and a proof, under 300 bytes for a 100-byte user name), so this leaves
    /// room for long user names and extensions while capping the work one message causes.
    static let maximumLength = 4096

    /// `message` as text; nil if it is empty, longer than `maximumLength`, not
    /// UTF-8, or holds NUL (which RFC 5802 allows nowhere).
    static func decode(_ message: [UInt8]) -> String? {
        guard !message.isEmpty, message.count <= maximumLength, !message.contains(0) else { return nil }
        return String(validating: message, as: UTF8.self)
    }
}
