/// A foreign large-message format Barge can read (and, for bakdata and
/// LinkedIn, write); see docs/interop.md.
public struct InteropFormat: Hashable, Sendable, CustomStringConvertible {
    /// The name used on the command line (`--interop bakdata,linkedin,irori`).
    public let name: String

    private init(name: String) { self.name = name }

    /// bakdata's kafka-large-message-serde: byte-flag and header mode.
    public static let bakdata = InteropFormat(name: "bakdata")
    /// LinkedIn's li-apache-kafka-clients: large-message segments.
    public static let linkedIn = InteropFormat(name: "linkedin")
    /// irori's claim-check interceptors.
    public static let irori = InteropFormat(name: "irori")

    /// Every format.
    public static let all: [InteropFormat] = [.bakdata, .linkedIn, .irori]

    /// The format called `name` (as in ``name``, any case); nil if none is.
    public init?(named name: String) {
        guard let format = Self.all.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = format
    }

    public var description: String { name }
}
