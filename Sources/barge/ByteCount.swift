import ArgumentParser

/// A byte count on the command line: a number with an optional unit,
/// `512`, `64KiB`, `1MiB`, `1m`, `2GB` (binary units either way).
struct ByteCount: ExpressibleByArgument, Sendable {
    let value: Int

    init?(argument: String) {
        let text = argument.lowercased()
        let digits = text.prefix { $0.isNumber }
        let unit = text.dropFirst(digits.count)
        let scales: [String: Int] = ["": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30]
        guard let number = Int(digits), let scale = scales[String(unit)] else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        value = product
    }
}
