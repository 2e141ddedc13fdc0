/// The header names of bakdata's kafka-large-message-serde.
public enum BakdataHeaderName {
    /// The flag byte of a key in header mode (since 2.3.0): 0 inline, 1 backed.
    public static let keyFlag = "__large.message.backed.key"
    /// The flag byte of a value in header mode (since 2.3.0): 0 inline, 1 backed.
    public static let valueFlag = "__large.message.backed.value"
    /// The flag byte shared by key and value in 2.2.0 and 2.2.1.
    public static let legacyFlag = "__large.message.backed"
    /// The compression id byte of backed payloads (4.0.0 and later).
    public static let compression = "__large.message.backed.compression"
    /// The compression header as 2.5.0 to 3.2.1 wrote it (two dots); 4.x reads it too.
    public static let legacyCompression = "__large.message.backed..compression"

    /// The flag header of `side`.
    public static func flag(_ side: BakdataSide) -> String {
        side == .key ? keyFlag : valueFlag
    }
}

/// Which part of a record bakdata's serde wrote: its key or its value.
public enum BakdataSide: Hashable, Sendable {
    case key, value
}
