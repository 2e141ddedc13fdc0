import ArgumentParser
import Foundation

/// `--json`: one JSON object per line on standard output instead of text.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object per line instead of text.")
    var json = false
}

/// Where a command's result lines go: standard output, text or JSON
/// lines, flushed line by line so a pipe sees each result as it happens.
struct CommandOutput: Sendable {
    let json: Bool

    init(_ options: OutputOptions) {
        json = options.json
    }

    /// Prints `text`, or `value` as one line of JSON.
    func emit(_ text: @autoclosure () -> String, json value: @autoclosure () -> some Encodable) {
        let line = json ? Self.encode(value()) : text()
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// A diagnostic: as text on standard error, or as JSON on standard output.
    func report(_ text: @autoclosure () -> String, json value: @autoclosure () -> some Encodable) {
        if json {
            emit("", json: value())
        } else {
            FileHandle.standardError.write(Data((text() + "\n").utf8))
        }
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }
}
