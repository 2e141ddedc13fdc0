/// One element of an XML document: its local name (namespace prefix dropped), its child
/// elements and its text (entities resolved; the text of children not included).
struct S3XMLElement: Sendable, Hashable {
    var name: String
    var children: [S3XMLElement] = []
    var text: String = ""

    /// The first child named `name`.
    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }

    /// Every child named `name`.
    func children(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    func text(of name: String) -> String? { child(name)?.text }
}

/// A small XML reader for the few documents S3 answers with (listings, errors, multipart
/// results). It keeps elements and text, skips the declaration, comments, processing
/// instructions and attributes, resolves the five predefined entities and character
/// references, and refuses document type declarations, so entity expansion cannot blow up.
/// Malformed input throws `ObjectStoreError` `.badResponse`; it never traps.
enum S3XML {
    /// The deepest nesting accepted.
    static let maximumDepth = 32

    /// Parses `bytes` (UTF-8) and returns the root element.
    static func parse(_ bytes: [UInt8]) throws(ObjectStoreError) -> S3XMLElement {
        var parser = Parser(bytes: bytes)
        return try parser.document()
    }
}

private struct Parser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func failure(_ problem: String) -> ObjectStoreError {
        ObjectStoreError(.badResponse, "malformed XML from S3 at byte \(position): \(problem)")
    }

    mutating func document() throws(ObjectStoreError) -> S3XMLElement {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?
        while position < bytes.count {
            if bytes[position] != UInt8(ascii: "<") {
                let text = try readText()
                if stack.isEmpty {
                    if text.contains(where: { !$0.isWhitespace }) { throw failure("text outside the root element") }
                } else {
                    stack[stack.count - 1].text += text
                }
                continue
            }
            if try skipMarkup() { continue }
            if peek(1) == UInt8(ascii: "/") {
                position += 2
                let name = try readName()
                skipWhitespace()
                try expect(">")
                guard let element = stack.popLast() else { throw failure("closing tag </\(name)> without an opening tag") }
                guard element.name == name else { throw failure("</\(name)> closes <\(element.name)>") }
                if stack.isEmpty {
                    root = element
                } else {
                    stack[stack.count - 1].children.append(element)
                }
                continue
            }
            if root != nil { throw failure("a second root element") }
            position += 1
            let name = try readName()
            let selfClosing = try skipAttributes()
            if selfClosing {
                let element = S3XMLElement(name: name)
                if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
            } else {
                guard stack.count < S3XML.maximumDepth else { throw failure("nesting deeper than \(S3XML.maximumDepth)") }
                stack.append(S3XMLElement(name: name))
            }
        }
        if let open = stack.last { throw failure("<\(open.name)> is never closed") }
        guard let root else { throw failure("no root element") }
        return root
    }

    func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    func starts(with literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        return position + utf8.count <= bytes.count && Array(bytes[position..<position + utf8.count]) == utf8
    }

    /// Skips `<?...?>`, `<!--...-->` and refuses `<!DOCTYPE`; returns whether it skipped something.
    mutating func skipMarkup() throws(ObjectStoreError) -> Bool {
        if starts(with: "<?") {
            try skip(past: "?>")
            return true
        }
        if starts(with: "<!--") {
            try skip(past: "-->")
            return true
        }
        if starts(with: "<!") { throw failure("document type declarations and CDATA are not accepted") }
        return false
    }

    mutating func skip(past terminator: String) throws(ObjectStoreError) {
        while position < bytes.count {
            if starts(with: terminator) {
                position += terminator.utf8.count
                return
            }
            position += 1
        }
        throw failure("'\(terminator)' is missing")
    }

    mutating func expect(_ character: Unicode.Scalar) throws(ObjectStoreError) {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else {
            throw failure("expected '\(character)'")
        }
        position += 1
    }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    /// Reads a tag name and returns its local part (after any `prefix:`).
    mutating func readName() throws(ObjectStoreError) -> String {
        let start = position
        while position < bytes.count, !" \t\r\n/>=<".utf8.contains(bytes[position]) { position += 1 }
        guard position > start else { throw failure("a tag without a name") }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        return name.split(separator: ":").last.map(String.init) ?? name
    }

    /// Skips attributes up to `>` or `/>`; returns whether the tag closed itself.
    mutating func skipAttributes() throws(ObjectStoreError) -> Bool {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: ">"):
                position += 1
                return false
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: ">"):
                position += 2
                return true
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let quote = bytes[position]
                position += 1
                while position < bytes.count, bytes[position] != quote { position += 1 }
                guard position < bytes.count else { throw failure("an attribute value is never closed") }
                position += 1
            case UInt8(ascii: "<"):
                throw failure("'<' inside a tag")
            default:
                position += 1
            }
        }
        throw failure("a tag is never closed")
    }

    /// Reads text up to the next `<`, resolving entities.
    mutating func readText() throws(ObjectStoreError) -> String {
        var result: [UInt8] = []
        while position < bytes.count, bytes[position] != UInt8(ascii: "<") {
            if bytes[position] == UInt8(ascii: "&") {
                result += try readEntity()
            } else {
                result.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Reads `&name;` or `&#NN;` / `&#xHH;` and returns its UTF-8 bytes.
    mutating func readEntity() throws(ObjectStoreError) -> [UInt8] {
        let start = position + 1
        var end = start
        while end < bytes.count, end - start <= 10, bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw failure("an '&' that starts no entity") }
        let name = String(decoding: bytes[start..<end], as: UTF8.self)
        position = end + 1
        switch name {
        case "amp": return Array("&".utf8)
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default: break
        }
        var value: UInt32?
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            value = UInt32(name.dropFirst(2), radix: 16)
        } else if name.hasPrefix("#") {
            value = UInt32(name.dropFirst(), radix: 10)
        }
        guard let value, value != 0, let scalar = Unicode.Scalar(value) else {
            throw failure("unknown entity '&\(name);'")
        }
        return Array(String(Character(scalar)).utf8)
    }
}
