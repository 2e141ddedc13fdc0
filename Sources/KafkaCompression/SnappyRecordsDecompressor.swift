import KafkaProtocol

/// Snappy as Kafka clients write it: the xerial framing of Kafka's Java
/// client (an 16-byte header, then blocks, each a big-endian int32 length and
/// a raw Snappy stream) or one raw Snappy stream (librdkafka, kafka-python).
/// Decoded by `RawSnappyDecoder` with a 64 KiB window.
final class SnappyRecordsDecompressor: RecordsDecompressor {
    /// The first bytes of the xerial framing.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// The framing's header: the magic, then its version and compatible version (int32 each).
    static let xerialHeaderSize = 16

    private enum Framing {
        /// Fewer than eight bytes seen: not known yet.
        case undecided
        case xerialHeader
        case blockLength
        case block(left: Int)
        case raw
        /// Zero padding after the last block (a block length of 0 begins it).
        case padding
    }

    private let window: UnsafeMutableRawBufferPointer
    private var decoder: RawSnappyDecoder
    private var framing = Framing.undecided
    private var pending: [UInt8] = []
    private var blockOpen = false
    private let allowsTrailingZeros: Bool

    init(allowingTrailingZeros: Bool = false) {
        allowsTrailingZeros = allowingTrailingZeros
        window = UnsafeMutableRawBufferPointer.allocate(byteCount: RawSnappyDecoder.windowSize, alignment: 16)
        decoder = RawSnappyDecoder(window: window)
    }

    deinit { window.deallocate() }

    func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        var position = 0
        while position < input.count {
            switch framing {
            case .undecided:
                let count = min(Self.xerialMagic.count - pending.count, input.count - position)
                pending += UnsafeRawBufferPointer(rebasing: input[position..<(position + count)])
                position += count
                guard pending.count == Self.xerialMagic.count else { continue }
                if pending == Self.xerialMagic {
                    framing = .xerialHeader
                } else {
                    framing = .raw
                    let start = pending
                    pending = []
                    try decode(start, output: output)
                }
            case .xerialHeader:
                let count = min(Self.xerialHeaderSize - pending.count, input.count - position)
                pending += UnsafeRawBufferPointer(rebasing: input[position..<(position + count)])
                position += count
                if pending.count == Self.xerialHeaderSize {
                    pending = []
                    framing = .blockLength
                }
            case .blockLength:
                pending.append(input[position])
                position += 1
                guard pending.count == 4 else { continue }
                let length = pending.reduce(0) { $0 << 8 | Int($1) }
                pending = []
                if length == 0 && allowsTrailingZeros {
                    framing = .padding
                    continue
                }
                guard length > 0, length <= Int(Int32.max) else {
                    throw .corrupt(.snappy, "has a xerial block of \(length) bytes")
                }
                decoder = RawSnappyDecoder(window: window)
                blockOpen = true
                framing = .block(left: length)
            case .block(let left):
                let count = min(left, input.count - position)
                try decoder.feed(UnsafeRawBufferPointer(rebasing: input[position..<(position + count)]), output: output)
                position += count
                if count == left {
                    try decoder.finish()
                    blockOpen = false
                    framing = .blockLength
                } else {
                    framing = .block(left: left - count)
                }
            case .raw:
                try decoder.feed(UnsafeRawBufferPointer(rebasing: input[position...]), output: output)
                position = input.count
            case .padding:
                try RecordsDecompression.checkPadding(UnsafeRawBufferPointer(rebasing: input[position...]), codec: .snappy)
                position = input.count
            }
        }
    }

    func finish(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        switch framing {
        case .undecided:
            // A raw stream shorter than the magic.
            try decode(pending, output: output)
            try decoder.finish()
        case .raw:
            try decoder.finish()
        case .blockLength where !blockOpen && (pending.isEmpty || allowsTrailingZeros && pending.allSatisfy { $0 == 0 }), .padding:
            // Fewer than four zero bytes after the last block are padding too.
            return
        default:
            throw .truncated(.snappy)
        }
    }

    /// Feeds bytes held aside (the start of a raw stream) to the decoder.
    private func decode(_ bytes: [UInt8], output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        try bytes.withUnsafeBytes { bytes in
            Result { () throws(RecordValidationError) in try decoder.feed(bytes, output: output) }
        }.get()
    }
}
