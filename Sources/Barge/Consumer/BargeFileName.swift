/// The rule for the file names a receiver may write a payload under. A
/// message's `barge.filename` is the sender's word, so it is untrusted: a
/// receiver uses it only if it is one plain, visible file name that fits the
/// file system together with whatever the receiver adds to it, and falls
/// back to a name of its own (the message id) otherwise.
///
/// A name is refused when it
/// - is empty, or longer than ``maximumLength`` bytes of UTF-8 once the
///   receiver's additions are counted;
/// - has a path part: `/` or `\`;
/// - is hidden or special: it starts with `.` (so `.` and `..` too);
/// - holds a control character (C0, DEL, C1), a line or paragraph
///   separator, or a bidirectional-text control (which can make a name
///   read as another, e.g. `invoice‮fdp.exe`);
/// - ends with a suffix Barge reserves for its own files (``reservedSuffixes``).
public enum BargeFileName {
    /// Bytes a file name may have on the common file systems (`NAME_MAX`).
    public static let maximumLength = 255
    /// Suffixes of the files Barge's receivers and stores keep beside payloads.
    public static let reservedSuffixes = [".barge-partial", ".barge-received"]

    /// Why a name was refused, in words (for a receipt's note).
    public struct Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        /// What was wrong with the name.
        public let reason: String
        public var description: String { reason }
    }

    /// Checks `name` as the name of a file to write, leaving `reserving`
    /// bytes of ``maximumLength`` for what the caller adds to it (a prefix
    /// that makes it unique, a suffix).
    public static func check(_ name: String, reserving: Int = 0) throws(Refusal) {
        let limit = maximumLength - reserving
        guard !name.isEmpty else { throw Refusal(reason: "the file name is empty") }
        guard name.utf8.count <= limit else {
            throw Refusal(reason: "the file name is \(name.utf8.count) bytes long; at most \(limit) fit")
        }
        guard !name.contains("/"), !name.contains("\\") else {
            throw Refusal(reason: "the file name has a path part ('/' or '\\')")
        }
        guard !name.hasPrefix(".") else { throw Refusal(reason: "the file name starts with '.' (hidden or special)") }
        if let scalar = name.unicodeScalars.first(where: isForbidden) {
            throw Refusal(reason: "the file name holds the control character U+\(hex(scalar))")
        }
        if let suffix = reservedSuffixes.first(where: { name.hasSuffix($0) }) {
            throw Refusal(reason: "the file name ends with '\(suffix)', which Barge reserves for its own files")
        }
    }

    /// Whether `name` passes ``check(_:reserving:)``.
    public static func isAcceptable(_ name: String, reserving: Int = 0) -> Bool {
        do {
            try check(name, reserving: reserving)
            return true
        } catch {
            return false
        }
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1 (NUL and newlines among them)
        case 0x2028, 0x2029: return true  // line and paragraph separators
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidirectional controls
        default: return false
        }
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
