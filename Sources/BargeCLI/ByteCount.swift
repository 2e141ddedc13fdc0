import ArgumentParser

/// A byte count on the command line: a number with an optional unit,
/// `512`, `64KiB`, `1MiB`, `1m`, `2GB` (binary units either way).
struct ByteCount: ExpressibleByArgument, Sendable {
    let value: Int
    /// The text it was written as, for help output.
    let text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        let lowered = argument.lowercased()
        let digits = lowered.prefix { $0.isNumber }
        let unit = lowered.dropFirst(digits.count)
        let scales: [String: Int] = ["": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30]
        guard let number = Int(digits), let scale = scales[String(unit)] else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        value = product
        text = argument
    }
}
