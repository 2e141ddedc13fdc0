/// One `name=value` attribute of a SCRAM message.
///
/// RFC 5802 names attributes with one letter; Kafka's extensions (such as
/// `tokenauth`) use longer names, so any run of ASCII letters is a name here.
struct ScramAttribute {
    /// The letters before "=".
    let name: Substring
    /// The text after the first "=", never empty.
    let value: Substring

    /// The attribute `text` holds; nil if it does not start with ASCII letters
    /// and "=", or if its value is empty.
    init?(_ text: Substring) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let name = text[..<equals]
        let value = text[text.index(after: equals)...]
        guard !name.isEmpty, !value.isEmpty,
              name.utf8.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { return nil }
        self.name = name
        self.value = value
    }

    /// `parts` (a message split at ",") as attributes; nil if any part is not one.
    static func parse<S: Sequence<Substring>>(_ parts: S) -> [ScramAttribute]? {
        var attributes: [ScramAttribute] = []
        for part in parts {
            guard let attribute = ScramAttribute(part) else { return nil }
            attributes.append(attribute)
        }
        return attributes
    }
}
