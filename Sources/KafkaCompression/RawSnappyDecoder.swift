import KafkaProtocol

/// A decoder of one raw Snappy stream (a length preamble, then literals and
/// back-references) that takes its input in pieces and hands output on as it
/// goes, keeping only the last 64 KiB of output: the most any Snappy
/// compressor in use refers back (the reference implementation and its ports
/// compress 64 KiB blocks independently). A reference further back is
/// refused, as is output longer or shorter than the preamble declares.
struct RawSnappyDecoder {
    /// How far back a copy may refer.
    static let maximumOffset = 64 * 1024
    /// Output kept besides the history, so that several elements are handed on at once.
    private static let capacity = 2 * maximumOffset

    private enum Step {
        case preamble
        case tag
        case literal(left: Int)
    }

    private let window: UnsafeMutableRawBufferPointer
    private var step = Step.preamble
    /// The preamble or the tag and extra bytes of the element being read.
    private var pending: [UInt8] = []
    private var declaredLength = 0
    /// Output bytes written in all (the window keeps the last of them).
    private var produced = 0
    /// Bytes in the window.
    private var filled = 0
    /// Bytes of the window already handed on.
    private var handedOn = 0

    /// A decoder over `window`, which must hold at least `windowSize` bytes and is not owned.
    init(window: UnsafeMutableRawBufferPointer) {
        precondition(window.count >= Self.windowSize)
        self.window = window
        pending.reserveCapacity(5)
    }

    /// The bytes the caller provides as the window.
    static let windowSize = capacity + 64

    /// Decodes the next piece of the stream.
    mutating func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        var position = 0
        while position < input.count {
            switch step {
            case .preamble:
                let byte = input[position]
                position += 1
                pending.append(byte)
                if byte & 0x80 != 0 {
                    guard pending.count < 5 else { throw Self.corrupt("its length preamble is longer than 5 bytes") }
                    continue
                }
                declaredLength = pending.enumerated().reduce(0) { $0 | Int($1.element & 0x7F) << (7 * $1.offset) }
                guard declaredLength <= Int(UInt32.max) else { throw Self.corrupt("its length preamble does not fit 32 bits") }
                pending.removeAll(keepingCapacity: true)
                step = .tag
            case .tag:
                pending.append(input[position])
                position += 1
                guard pending.count == 1 + Self.extraBytes(pending[0]) else { continue }
                try element(output: output)
                pending.removeAll(keepingCapacity: true)
            case .literal(let left):
                let count = min(left, input.count - position, Self.capacity - filled)
                guard count > 0 else {
                    try makeRoom(output: output)
                    continue
                }
                (window.baseAddress! + filled).copyMemory(from: input.baseAddress! + position, byteCount: count)
                filled += count
                produced += count
                position += count
                step = left == count ? .tag : .literal(left: left - count)
            }
        }
        try handOn(output)
    }

    /// Checks that the stream ended after a whole element with the declared length.
    func finish() throws(RecordValidationError) {
        guard case .tag = step, pending.isEmpty else {
            throw RecordValidationError.truncated(.snappy)
        }
        guard produced == declaredLength else {
            throw Self.corrupt("decodes to \(produced) bytes but declares \(declaredLength)")
        }
    }

    /// Acts on a whole tag (with its extra bytes) in `pending`.
    private mutating func element(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        let tag = pending[0]
        let extra = pending.dropFirst().enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let length: Int
        let offset: Int
        switch tag & 3 {
        case 0:
            length = tag >> 2 < 60 ? Int(tag >> 2) + 1 : extra + 1
            guard produced + length <= declaredLength else { throw Self.corrupt("decodes to more than the \(declaredLength) bytes it declares") }
            step = .literal(left: length)
            return
        case 1:
            length = Int((tag >> 2) & 7) + 4
            offset = Int(tag >> 5) << 8 | extra
        default:
            length = Int(tag >> 2) + 1
            offset = extra
        }
        guard offset > 0, offset <= min(produced, Self.maximumOffset) else {
            throw Self.corrupt("refers back \(offset) bytes with \(produced) decoded (at most \(Self.maximumOffset) are kept)")
        }
        guard produced + length <= declaredLength else { throw Self.corrupt("decodes to more than the \(declaredLength) bytes it declares") }
        if Self.capacity - filled < length { try makeRoom(output: output) }
        let bytes = window.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if offset >= length {
            (bytes + filled).update(from: bytes + filled - offset, count: length)
        } else {
            // Byte by byte: the copy overlaps what it writes (a repeated pattern).
            for index in 0..<length {
                bytes[filled + index] = bytes[filled + index - offset]
            }
        }
        filled += length
        produced += length
    }

    /// Hands on the window's new bytes and keeps only the history copies may refer to.
    private mutating func makeRoom(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        try handOn(output)
        let keep = min(filled, Self.maximumOffset)
        window.baseAddress!.copyMemory(from: window.baseAddress! + filled - keep, byteCount: keep)
        filled = keep
        handedOn = keep
    }

    private mutating func handOn(_ output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard filled > handedOn else { return }
        let piece = UnsafeRawBufferPointer(rebasing: window[handedOn..<filled])
        handedOn = filled
        try output(piece)
    }

    /// Bytes after a tag: a literal's length (1-4 for long literals) or a copy's offset (1, 2 or 4).
    private static func extraBytes(_ tag: UInt8) -> Int {
        switch tag & 3 {
        case 0: tag >> 2 < 60 ? 0 : Int(tag >> 2) - 59
        case 1: 1
        case 2: 2
        default: 4
        }
    }

    private static func corrupt(_ problem: String) -> RecordValidationError {
        .corrupt(.snappy, "is not valid Snappy: \(problem)")
    }
}
