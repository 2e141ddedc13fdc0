import BargeCore

/// Turns a segment's chunks into what the remote tier stores and back:
/// zstd when asked and worth it, then AES-256-GCM under the segment's data
/// key when a keyring is set. Chunk `i` is sealed as segment `i` of the
/// claim-check cipher (docs/encryption.md), the last chunk as the final one,
/// and the indexes object as segment `chunk count` (also final), so no
/// nonce is used twice under a data key.
struct RemoteChunkSealer: Sendable {
    let compress: Bool
    private let cipher: SegmentCipher?
    /// What the manifest records to open the chunks again.
    let encryption: RemoteSegmentEncryption?

    /// A sealer for one new segment: a fresh data key wrapped by the keyring's current key.
    init(compress: Bool, keyring: BargeKeyring?, chunkSize: Int) throws {
        self.compress = compress
        guard let keyring else {
            (cipher, encryption) = (nil, nil)
            return
        }
        let (parameters, dataKey) = try BargeEncryptionParameters.generate(wrappingWith: keyring.current, segmentSize: chunkSize)
        cipher = SegmentCipher(dataKey: dataKey, parameters: parameters)
        encryption = RemoteSegmentEncryption(keyID: parameters.keyID, wrappedKey: StrictBase64.encode(parameters.wrappedKey),
                                             noncePrefix: StrictBase64.encode(parameters.noncePrefix))
    }

    /// An opener for a stored segment.
    init(opening layout: RemoteSegmentLayout, keyring: BargeKeyring?) throws {
        compress = false
        encryption = layout.encryption
        guard let stored = layout.encryption else {
            cipher = nil
            return
        }
        guard let keyring else {
            throw RemoteTierError("the remote segment is encrypted with key '\(stored.keyID)' but the broker has no rsm.config.encryption.keyring")
        }
        guard let wrapped = StrictBase64.decode(stored.wrappedKey, byteCount: BargeEncryptionParameters.wrappedKeyByteCount),
              let prefix = StrictBase64.decode(stored.noncePrefix, byteCount: BargeEncryptionParameters.noncePrefixByteCount) else {
            throw RemoteTierError("the remote segment's encryption parameters do not parse")
        }
        let parameters = try BargeEncryptionParameters(keyID: stored.keyID, wrappedKey: wrapped, noncePrefix: prefix, segmentSize: layout.chunkSize)
        cipher = SegmentCipher(dataKey: try parameters.unwrapDataKey(with: keyring), parameters: parameters)
    }

    /// Whether chunks change on the way to the store (compression or encryption is on).
    var transforms: Bool { compress || cipher != nil }

    /// The stored form of chunk `index`, and whether it is compressed.
    /// `compressible` is false when the batches are compressed already.
    func seal(_ chunk: [UInt8], index: Int, isFinal: Bool, compressible: Bool) throws -> (bytes: [UInt8], zstd: Bool) {
        var body = chunk
        var zstd = false
        if compress && compressible {
            let compressed = try ChunkCodec.compress(chunk, with: .zstd)
            // Kept only when it saves at least an eighth.
            if compressed.count <= chunk.count - chunk.count / 8 {
                body = compressed
                zstd = true
            }
        }
        return (try encrypt(body, index: index, isFinal: isFinal), zstd)
    }

    /// `bytes` encrypted as segment `index` of the cipher (unchanged without a keyring).
    func encrypt(_ bytes: [UInt8], index: Int, isFinal: Bool) throws -> [UInt8] {
        guard let cipher else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + SegmentCipher.tagByteCount)
        try cipher.seal(bytes[...], index: Int64(index), isFinal: isFinal, into: &output)
        return output
    }

    /// The plain bytes of a stored chunk: decrypted, decompressed, and checked to be `plainSize` bytes.
    func open(_ stored: [UInt8], index: Int, isFinal: Bool, zstd: Bool, plainSize: Int) throws -> [UInt8] {
        let body = try decrypt(stored, index: index, isFinal: isFinal)
        let plain = zstd ? try ChunkCodec.decompress(body, with: .zstd, expectedSize: plainSize) : body
        guard plain.count == plainSize else {
            throw RemoteTierError("chunk \(index) holds \(plain.count) bytes, not the \(plainSize) its manifest gives")
        }
        return plain
    }

    /// `stored` decrypted as segment `index` (unchanged for a segment stored in the clear).
    func decrypt(_ stored: [UInt8], index: Int, isFinal: Bool) throws -> [UInt8] {
        guard let cipher else { return stored }
        guard let plain = try cipher.open(stored[...], index: Int64(index), isFinal: isFinal) else {
            throw RemoteTierError("part \(index) of a remote segment does not authenticate: it was changed, or the keyring holds another key under its id")
        }
        return plain
    }
}
