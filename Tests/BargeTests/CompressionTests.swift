@testable import Barge
@testable import BargeCore
import Foundation
import Testing

/// Payloads and hostile values for the codec tests.
private enum Samples {
    static let codecs: [BargeCodec] = [.gzip, .lz4, .zstd, .snappy]
    static let sizes = [0, 1, 64 * 1024, 1024 * 1024 + 1]

    /// CSV-like text: compresses well with every codec.
    static func text(_ size: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 64)
        var row = 0
        while bytes.count < size {
            bytes += Array("row \(row),\(row * 7919 % 1000),camera-\(row % 7)\n".utf8)
            row += 1
        }
        return Array(bytes.prefix(size))
    }

    /// Deterministic bytes that do not compress (SplitMix64).
    static func random(_ size: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 8)
        while bytes.count < size {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z.littleEndian) { bytes += $0 }
        }
        return Array(bytes.prefix(size))
    }
}

/// Values that expand far beyond what their headers say, built by hand from
/// each format's specification so that the test never holds the expanded
/// bytes itself.
private enum Bombs {
    /// What every bomb expands to: 1 GiB of zeros.
    static let size = 1 << 30

    /// A gzip member whose one fixed-Huffman deflate block writes a zero and
    /// then copies it (length 258, distance 1) to `size` bytes (1 + 258·k).
    /// Its CRC is left 0 unless `withCRC`: computing it for 1 GiB is slow, and
    /// a reader must give up long before the trailer.
    static func gzip(size: Int = size, withCRC: Bool = false) -> [UInt8] {
        var bits = BitWriter()
        bits.write(0b011, count: 3)  // BFINAL = 1, BTYPE = 01 (fixed Huffman), least significant bit first
        bits.writeHuffman(0b0011_0000, length: 8)  // literal 0
        // Length code 285 (258 bytes, code 11000101) then distance code 0 (distance 1, code 00000).
        let copy = BitWriter.reversed(0b1100_0101, length: 8)
        for _ in 0..<((size - 1) / 258) { bits.write(copy, count: 13) }
        bits.writeHuffman(0, length: 7)  // end of block (256)
        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        let crc = withCRC ? crc32(zeros: 1 + (size - 1) / 258 * 258) : 0
        return header + bits.finish() + littleEndian(crc) + littleEndian(UInt32(truncatingIfNeeded: size))
    }

    /// CRC-32 (gzip's) of `count` zero bytes, bit by bit.
    static func crc32(zeros count: Int) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for _ in 0..<count {
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// An LZ4 frame without a content size: the header of an empty frame made
    /// by liblz4, then liblz4's block for 64 KiB of zeros repeated to `size`.
    static func lz4(size: Int = size) throws -> [UInt8] {
        let empty = try ChunkCodec.compress([], with: .lz4)
        let frame = try ChunkCodec.compress([UInt8](repeating: 0, count: 64 * 1024), with: .lz4)
        #expect(empty.count == 11 && empty[4] & 0x08 == 0, "an empty frame declares no content size")
        #expect(frame[4] & 0x08 != 0, "a non-empty frame declares its content size")
        let block = frame[15..<(frame.count - 4)]  // after magic, FLG, BD, content size, HC; before the end mark
        var bomb = Array(empty.prefix(7))
        bomb.reserveCapacity(7 + block.count * (size / (64 * 1024)) + 4)
        for _ in 0..<(size / (64 * 1024)) { bomb += block }
        return bomb + [0, 0, 0, 0]
    }

    /// A Zstandard frame that declares no content size and a 128 MiB window,
    /// made of RLE blocks of 128 KiB zeros.
    static func zstd(size: Int = size) -> [UInt8] {
        var bomb: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 17 << 3]  // magic; no content size; window 2^(10+17)
        let blocks = size / (128 * 1024)
        for index in 0..<blocks {
            let header = UInt32(128 * 1024) << 3 | 1 << 1 | (index == blocks - 1 ? 1 : 0)  // size, RLE, last
            bomb += littleEndian(header).prefix(3) + [0]
        }
        return bomb
    }

    /// Raw Snappy that declares `size` bytes and holds a few copies.
    static func snappy(declaring declared: Int = size, expandingTo actual: Int = 4096) -> [UInt8] {
        var bomb = varint(declared) + [0x00, 0x00]  // literal of one zero
        for _ in 0..<((actual - 1) / 64) { bomb += [0xFE, 0x01, 0x00] }  // copy 64 bytes from distance 1
        return bomb
    }

    static func varint(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func bomb(_ codec: BargeCodec, size: Int = size) throws -> [UInt8] {
        switch codec {
        case .gzip: gzip(size: size, withCRC: size < 1 << 20)
        case .lz4: try lz4(size: size)
        case .zstd: zstd(size: size)
        default: snappy(declaring: size, expandingTo: size <= 1 << 20 ? size : 1 + 64 * 1024)  // the declaration is the bomb
        }
    }
}

/// Deflate's bit order: fields least significant bit first, Huffman codes
/// most significant bit first.
private struct BitWriter {
    private var bytes: [UInt8] = []
    private var pending: UInt64 = 0
    private var pendingCount = 0

    mutating func write(_ value: UInt64, count: Int) {
        pending |= value << pendingCount
        pendingCount += count
        while pendingCount >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending >>= 8
            pendingCount -= 8
        }
    }

    mutating func writeHuffman(_ code: UInt64, length: Int) {
        write(Self.reversed(code, length: length), count: length)
    }

    static func reversed(_ code: UInt64, length: Int) -> UInt64 {
        (0..<length).reduce(0) { $0 << 1 | (code >> $1 & 1) }
    }

    mutating func finish() -> [UInt8] {
        if pendingCount > 0 { write(0, count: 8 - pendingCount) }
        return bytes
    }
}

/// The growth of this process's peak resident memory while `body` runs; nil
/// where it cannot be measured (Linux's /proc/self/clear_refs resets the peak).
private func peakMemoryGrowth(_ body: () throws -> Void) rethrows -> Int? {
    #if os(Linux)
    func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") }.map { $0 * 1024 }
    }
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs"),
        (try? handle.write(contentsOf: Data("5".utf8))) != nil, let before = status("VmRSS")
    else {
        try body()
        return nil
    }
    try? handle.close()
    try body()
    return status("VmHWM").map { $0 - before }
    #else
    try body()
    return nil
    #endif
}

@Suite("Compression: per-chunk codecs over the C libraries")
struct CompressionTests {
    @Test("every codec round-trips compressible and random payloads", arguments: BargeCodec.all, Samples.sizes)
    func roundTrip(codec: BargeCodec, size: Int) throws {
        for payload in [Samples.text(size), Samples.random(size)] {
            let compressed = try ChunkCodec.compress(payload, with: codec)
            let restored = try ChunkCodec.decompress(compressed, with: codec, expectedSize: size)
            #expect(restored == payload, "\(codec), \(size) bytes")
        }
        if size >= 64 * 1024 && codec != .none {
            #expect(try ChunkCodec.compress(Samples.text(size), with: codec).count < size / 2, "\(codec) compresses text")
        }
    }

    @Test("every level of every codec round-trips", arguments: Samples.codecs)
    func levels(codec: BargeCodec) throws {
        let payload = Samples.text(64 * 1024)
        guard let levels = BargeCompression.levels(of: codec) else {
            #expect(throws: BargeCompressionError.self) { try ChunkCodec.compress(payload, with: codec, level: 1) }
            return
        }
        for level in [levels.lowerBound, levels.upperBound, 3] {
            let compressed = try ChunkCodec.compress(payload, with: codec, level: level)
            #expect(try ChunkCodec.decompress(compressed, with: codec, expectedSize: payload.count) == payload, "\(codec) level \(level)")
        }
        #expect(throws: BargeCompressionError.self) { try ChunkCodec.compress(payload, with: codec, level: levels.upperBound + 1) }
    }

    @Test("values are the standard formats: gzip member, LZ4 frame, Zstandard frame, raw Snappy")
    func standardFormats() throws {
        let payload = Samples.text(100_000)
        let gzip = try ChunkCodec.compress(payload, with: .gzip)
        #expect(Array(gzip.prefix(3)) == [0x1F, 0x8B, 0x08], "gzip magic, deflate")
        #expect(Array(gzip.suffix(4)) == Bombs.littleEndian(UInt32(payload.count)), "gzip trailer: ISIZE")
        let lz4 = try ChunkCodec.compress(payload, with: .lz4)
        #expect(Array(lz4.prefix(4)) == [0x04, 0x22, 0x4D, 0x18], "LZ4 frame magic")
        #expect(Array(lz4.suffix(4)) == [0, 0, 0, 0], "LZ4 end mark")
        let zstd = try ChunkCodec.compress(payload, with: .zstd)
        #expect(Array(zstd.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD], "Zstandard frame magic")
        let snappy = try ChunkCodec.compress(payload, with: .snappy)
        #expect(Array(snappy.prefix(3)) == Bombs.varint(payload.count), "raw Snappy starts with the length, no stream identifier")
    }

    @Test("none returns the bytes as they are, after checking their size")
    func none() throws {
        let payload = Samples.random(1000)
        #expect(try ChunkCodec.compress(payload, with: .none) == payload)
        #expect(try ChunkCodec.decompress(payload, with: .none, expectedSize: 1000) == payload)
        for expected in [999, 1001] {
            let error = #expect(throws: BargeWireError.self) { try ChunkCodec.decompress(payload, with: .none, expectedSize: expected) }
            #expect(error?.kind == .inconsistent && error?.header == BargeHeaderName.codec)
        }
    }

    /// Decompressing `value` must fail with `kind` (or one of `kinds`) on `barge.codec`.
    private func expectRejected(
        _ value: [UInt8], _ codec: BargeCodec, expectedSize: Int, _ kinds: BargeWireError.Kind..., what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: BargeWireError.self, "\(codec): \(what)", sourceLocation: sourceLocation) {
            _ = try ChunkCodec.decompress(value, with: codec, expectedSize: expectedSize)
        }
        guard let error else { return }
        #expect(kinds.contains(error.kind), "\(codec): \(what): \(error)", sourceLocation: sourceLocation)
        #expect(error.header == BargeHeaderName.codec, sourceLocation: sourceLocation)
    }

    @Test("truncated values are rejected", arguments: Samples.codecs)
    func truncated(codec: BargeCodec) throws {
        let payload = Samples.text(64 * 1024)
        let value = try ChunkCodec.compress(payload, with: codec)
        for length in [0, 1, 4, value.count / 2, value.count - 1] {
            expectRejected(Array(value.prefix(length)), codec, expectedSize: payload.count, .malformedValue, what: "cut to \(length) bytes")
        }
    }

    @Test("garbage is rejected", arguments: Samples.codecs)
    func garbage(codec: BargeCodec) throws {
        let payload = Samples.text(4096)
        for (index, junk) in [Samples.random(4096, seed: 7), [UInt8](repeating: 0xFF, count: 64), Array("not compressed at all".utf8)].enumerated() {
            expectRejected(junk, codec, expectedSize: payload.count, .malformedValue, .inconsistent, what: "garbage #\(index)")
        }
        // A flipped byte: rejected, or (in a literal, without a checksum) decoded to the expected
        // size, wrong bytes that the message's SHA-256 catches. Never anything else.
        let value = try ChunkCodec.compress(payload, with: codec)
        for offset in stride(from: 0, to: value.count, by: max(1, value.count / 50)) {
            var flipped = value
            flipped[offset] ^= 0x55
            do {
                #expect(try ChunkCodec.decompress(flipped, with: codec, expectedSize: payload.count).count == payload.count)
            } catch {
                #expect(error.header == BargeHeaderName.codec && [.malformedValue, .inconsistent].contains(error.kind), "\(error)")
            }
        }
    }

    @Test("trailing bytes after the one member or frame are rejected", arguments: Samples.codecs)
    func trailingBytes(codec: BargeCodec) throws {
        let payload = Samples.text(4096)
        let value = try ChunkCodec.compress(payload, with: codec)
        expectRejected(value + [0], codec, expectedSize: payload.count, .malformedValue, what: "one zero byte after it")
        if codec != .snappy {  // two raw Snappy blocks would decode to twice the declared size: not a trailing-bytes case
            expectRejected(value + value, codec, expectedSize: payload.count, .malformedValue, what: "a second member or frame")
        }
    }

    @Test("a value that decompresses to another size than the headers give is rejected", arguments: Samples.codecs)
    func sizeMismatch(codec: BargeCodec) throws {
        let payload = Samples.text(10_000)
        let value = try ChunkCodec.compress(payload, with: codec)
        for expected in [0, 1, payload.count - 1, payload.count + 1, payload.count * 2] {
            expectRejected(value, codec, expectedSize: expected, .inconsistent, what: "expected \(expected) bytes")
        }
        let empty = try ChunkCodec.compress([], with: codec)
        expectRejected(empty, codec, expectedSize: 1, .inconsistent, what: "an empty payload expected as 1 byte")
    }

    @Test("the size a Snappy value declares is checked, and a lie is caught while decoding")
    func snappyDeclaredSize() throws {
        // Declares 1 GiB: rejected from the declaration, before any allocation.
        expectRejected(Bombs.snappy(), .snappy, expectedSize: 1 << 20, .inconsistent, what: "declares 1 GiB")
        // Declares what the headers say but holds four times as much.
        expectRejected(Bombs.snappy(declaring: 1 << 20, expandingTo: 4 << 20), .snappy, expectedSize: 1 << 20, .malformedValue, what: "body longer than declared")
        // Consistent: decodes.
        let exact = Bombs.snappy(declaring: 1 + 64 * 100, expandingTo: 1 + 64 * 100)
        #expect(try ChunkCodec.decompress(exact, with: .snappy, expectedSize: 1 + 64 * 100) == [UInt8](repeating: 0, count: 1 + 64 * 100))
    }

    @Test("the probe compresses text and skips random bytes, judging from the first 64 KiB", arguments: Samples.codecs)
    func probe(codec: BargeCodec) throws {
        let compression = try #require(BargeCompression(codec: codec, level: nil))
        #expect(try CompressionProbe.codec(for: Samples.text(1 << 20), compression: compression) == codec)
        #expect(try CompressionProbe.codec(for: Samples.random(1 << 20), compression: compression) == .none)
        #expect(try CompressionProbe.codec(for: Samples.random(CompressionProbe.sampleSize) + [UInt8](repeating: 0, count: 1 << 20), compression: compression) == .none)
        #expect(try CompressionProbe.codec(for: [UInt8](), compression: compression) == .none)
        #expect(try CompressionProbe.codec(for: Samples.text(100), compression: .none) == .none)
        #expect(try CompressionProbe.codec(for: Samples.text(CompressionProbe.sampleSize) + Samples.random(1 << 20), compression: compression) == codec)
    }

    @Test("compression settings parse from the wire names, with an optional level")
    func settings() {
        #expect(BargeCompression(named: "none") == BargeCompression.none)
        #expect(BargeCompression(named: "gzip") == .gzip)
        #expect(BargeCompression(named: "lz4")?.codec == .lz4)
        #expect(BargeCompression(named: "snappy") == .snappy)
        let zstd19 = BargeCompression(named: "zstd:19")
        #expect(zstd19?.codec == .zstd && zstd19?.level == 19)
        #expect(zstd19?.description == "zstd:19")
        #expect(BargeCompression.zstd.description == "zstd")
        #expect(BargeCompression.zstd.level == nil)
        for text in ["brotli", "GZIP", "", "gzip:", "gzip:x", "gzip:10", "gzip:0", "snappy:1", "none:1", "zstd:99", "lz4:13", "zstd:3:1"] {
            #expect(BargeCompression(named: text) == nil, "\(text)")
        }
        #expect(BargeCompression(codec: .gzip, level: 9)?.level == 9)
        #expect(BargeCompression(codec: .snappy, level: nil) == .snappy)
        #expect(BargeCompression.levels(of: .gzip) == 1...9)
        #expect(BargeCompression.levels(of: .zstd)?.contains(22) == true)
        #expect(BargeCompression.levels(of: .none) == nil)
    }
}

@Suite("Compression: decompression bombs", .serialized)
struct CompressionBombTests {
    @Test("a value expanding to 1 GiB is stopped at the expected 1 MiB, fast and without the memory", arguments: Samples.codecs)
    func bomb(codec: BargeCodec) throws {
        let bomb = try Bombs.bomb(codec)
        #expect(bomb.count < 8 << 20, "the bomb itself is small")
        let expected = 1 << 20
        let clock = ContinuousClock()
        var error: BargeWireError?
        var elapsed = Duration.zero
        let growth = peakMemoryGrowth {
            elapsed = clock.measure {
                error = #expect(throws: BargeWireError.self) { _ = try ChunkCodec.decompress(bomb, with: codec, expectedSize: expected) }
            }
        }
        #expect(error?.kind == .inconsistent, "\(String(describing: error))")
        #expect(error?.header == BargeHeaderName.codec)
        #expect(elapsed < .seconds(1), "\(codec): \(elapsed)")
        if let growth {
            #expect(growth < 256 << 20, "\(codec): peak memory grew by \(growth >> 20) MiB")
        }
    }

    @Test("the hand-built bombs are valid values: built smaller, each decodes in full", arguments: Samples.codecs)
    func bombsAreValid(codec: BargeCodec) throws {
        // One zero and whole copies (gzip: 258 bytes, Snappy: 64), or whole blocks (LZ4: 64 KiB, Zstandard: 128 KiB).
        let size = codec == .gzip || codec == .snappy ? 1 + 258 * 64 * 32 : 4 << 17
        let payload = try ChunkCodec.decompress(try Bombs.bomb(codec, size: size), with: codec, expectedSize: size)
        #expect(payload == [UInt8](repeating: 0, count: size))
    }
}
