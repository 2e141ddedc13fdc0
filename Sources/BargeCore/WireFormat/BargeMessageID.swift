import Crypto

/// A message id: 16 random bytes, written as 32 lowercase hex digits.
public struct BargeMessageID: Hashable, Sendable, CustomStringConvertible {
    /// The 32 hex digits.
    public let text: String

    /// A new random id.
    public init() {
        var generator = SystemRandomNumberGenerator()
        text = (0..<2).map { _ in
            let word = generator.next() as UInt64
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// The id named by `name`: the first 16 bytes of its SHA-256. The same
    /// name always gives the same id, so work done again after a crash (the
    /// bridge naming a message by its source record's topic, partition and
    /// offset) writes the same object instead of a second one.
    public init(derivedFrom name: String) {
        text = SHA256.hash(data: Array(name.utf8)).prefix(16).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The id written as `text`; `nil` unless it is exactly 32 lowercase hex digits.
    public init?(_ text: String) {
        guard text.utf8.count == 32, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        self.text = text
    }

    public var description: String { text }
}
