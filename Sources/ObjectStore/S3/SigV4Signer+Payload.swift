import Crypto
import Foundation
import NIOCore

extension SigV4Signer {
    /// The `payloadHash` of an empty body: the hex SHA-256 of no bytes.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The `payloadHash` that leaves the body out of the signature (S3 only; the usual
    /// choice for presigned URLs and for streamed uploads over TLS).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The `payloadHash` of a body: the lower-case hex SHA-256 of `bytes`.
    public static func payloadHash(of bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).hexEncoded
    }

    /// The `payloadHash` of the readable bytes of `buffer`.
    public static func payloadHash(of buffer: ByteBuffer) -> String {
        var hasher = SHA256()
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().hexEncoded
    }
}

extension Sequence<UInt8> {
    /// The bytes as lower-case hex, two digits each.
    var hexEncoded: String {
        var text: [UInt8] = []
        for byte in self {
            text.append(lowerHexDigits[Int(byte >> 4)])
            text.append(lowerHexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

private let lowerHexDigits = Array("0123456789abcdef".utf8)
