import Foundation

/// Base64 (RFC 4648, with padding) as SCRAM messages carry salts, proofs and signatures.
enum SaslBase64 {
    /// `bytes` in base64.
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The bytes `text` encodes; nil if it is empty or not padded base64
    /// (no whitespace, no line breaks, no other characters).
    static func decode(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count % 4 == 0, let data = Data(base64Encoded: String(text)) else {
            return nil
        }
        return Array(data)
    }
}
