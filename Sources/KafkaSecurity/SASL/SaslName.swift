/// RFC 5802's `saslname`: a user name in which "," is written "=2C" and "=" is written "=3D".
enum SaslName {
    /// `name` with "=" and "," escaped.
    static func escape(_ name: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(name.utf8.count)
        for character in name.unicodeScalars {
            switch character {
            case "=": escaped += "=3D"
            case ",": escaped += "=2C"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// The name `saslname` escapes; nil if it is empty, holds NUL or ",", or has
    /// an "=" that does not start "=2C" or "=3D" (upper case, as RFC 5802 writes them).
    static func unescape(_ saslname: Substring) -> String? {
        guard !saslname.isEmpty else { return nil }
        var name = ""
        var scalars = saslname.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\0", ",":
                return nil
            case "=":
                switch (scalars.popFirst(), scalars.popFirst()) {
                case ("2"?, "C"?): name += ","
                case ("3"?, "D"?): name += "="
                default: return nil
                }
            default:
                name.unicodeScalars.append(scalar)
            }
        }
        return name
    }
}
