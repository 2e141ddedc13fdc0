import ArgumentParser
import Barge
import Foundation

extension InteropFormat {
    /// An `--interop` list: names of formats, comma-separated.
    static func parseList(_ argument: String) throws -> Set<InteropFormat> {
        try Set(argument.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let format = InteropFormat(named: trimmed) else {
                throw ValidationError("'\(trimmed)' is not a format; choose from \(InteropFormat.all.map(\.name).joined(separator: ", "))")
            }
            return format
        })
    }
}
