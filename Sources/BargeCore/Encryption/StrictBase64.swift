import Foundation

/// Standard base64 (RFC 4648 §4, with padding) that accepts only the one
/// canonical spelling of a value of a known length: no whitespace, no
/// missing padding, no stray bits in the last character.
package enum StrictBase64 {
    /// `bytes` in standard base64 with padding.
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The `byteCount` bytes that `text` spells; nil when it spells anything
    /// else. The length is checked before anything is decoded.
    package static func decode(_ text: String, byteCount: Int) -> [UInt8]? {
        guard text.utf8.count == (byteCount + 2) / 3 * 4, let data = Data(base64Encoded: text), data.count == byteCount else {
            return nil
        }
        let bytes = [UInt8](data)
        return encode(bytes) == text ? bytes : nil
    }
}
