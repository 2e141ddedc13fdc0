/// The options of a Java client's `sasl.jaas.config`, such as
/// `org.apache.kafka.common.security.plain.PlainLoginModule required
/// username="KEY" password="SECRET";`: `name=value` pairs after the login
/// module and its flag, values quoted with `"` or `'` (a backslash escapes
/// the next character) or bare up to a blank or `;`.
struct JAASOptions {
    private var options: [String: String] = [:]

    /// Parses `text`; what is not `name=value` is skipped.
    init(_ text: String) {
        var rest = Substring(text)
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" }).last.map(String.init) ?? ""
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if let quote = rest.first, quote == "\"" || quote == "'" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == quote {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == ";" }) ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            if !name.isEmpty { options[name] = value }
        }
    }

    /// The value of option `name`, such as `username`.
    subscript(name: String) -> String? { options[name] }
}
