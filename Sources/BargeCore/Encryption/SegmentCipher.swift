import Crypto
import Foundation

/// Seals and opens the segments of one object (docs/encryption.md):
/// AES-256-GCM under the object's data key, segment `i`'s nonce being
/// noncePrefix ‖ UInt32 big-endian `i` ‖ `01` for the final segment, else
/// `00`; the associated data of every segment is the algorithm name ‖ the
/// segment size as UInt32 big-endian.
package struct SegmentCipher: Sendable {
    /// Bytes in an AES-GCM nonce: 12.
    package static let nonceByteCount = 12
    /// Bytes in an AES-GCM tag: 16.
    package static let tagByteCount = 16
    /// The most segments an object may have: 2³², the indexes a nonce holds.
    package static let maximumSegmentCount = Int64(UInt32.max) + 1

    /// Plaintext bytes in every segment but the last.
    package let segmentSize: Int
    private let dataKey: SendableKey
    private let noncePrefix: [UInt8]
    private let associatedData: [UInt8]

    package init(dataKey: SendableKey, parameters: BargeEncryptionParameters) {
        self.segmentSize = parameters.segmentSize
        self.dataKey = dataKey
        self.noncePrefix = parameters.noncePrefix
        self.associatedData = Array(parameters.algorithm.utf8) + Self.bigEndian(UInt32(truncatingIfNeeded: parameters.segmentSize))
    }

    /// Appends segment `index` (`plaintext`, then its tag) to `output`.
    package func seal(_ plaintext: ArraySlice<UInt8>, index: Int64, isFinal: Bool, into output: inout [UInt8]) throws(BargeEncryptionError) {
        let nonce = try nonce(index: index, isFinal: isFinal)
        let sealed = Self.infallible {
            try AES.GCM.seal(plaintext, using: dataKey.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: associatedData)
        }
        output.append(contentsOf: sealed.ciphertext)
        output.append(contentsOf: sealed.tag)
    }

    /// The plaintext of `segment` (ciphertext ‖ tag) at `index`, or nil when
    /// it does not authenticate as that segment with that finality.
    package func open(_ segment: ArraySlice<UInt8>, index: Int64, isFinal: Bool) throws(BargeEncryptionError) -> [UInt8]? {
        let nonce = try nonce(index: index, isFinal: isFinal)
        guard segment.count >= Self.tagByteCount else { return nil }
        let tagStart = segment.endIndex - Self.tagByteCount
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: segment[..<tagStart], tag: segment[tagStart...])
            return [UInt8](try AES.GCM.open(box, using: dataKey.key, authenticating: associatedData))
        } catch {
            return nil
        }
    }

    /// The nonce of segment `index`; `.tooLarge` beyond the 2³² indexes.
    private func nonce(index: Int64, isFinal: Bool) throws(BargeEncryptionError) -> [UInt8] {
        guard let index = UInt32(exactly: index) else {
            throw BargeEncryptionError(.tooLarge, segment: index, "segment \(index) is beyond the \(Self.maximumSegmentCount) segments an object may have")
        }
        return noncePrefix + Self.bigEndian(index) + [isFinal ? 1 : 0]
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// The result of a sealing `body` that cannot fail: AES-GCM refuses only
    /// nonces other than 12 bytes and keys other than 16, 24 or 32 bytes,
    /// and these are always 12 and 32.
    package static func infallible<T>(_ body: () throws -> T) -> T {
        do {
            return try body()
        } catch {
            preconditionFailure("AES-256-GCM failed to seal with a 12-byte nonce: \(error)")
        }
    }
}
