import ArgumentParser

/// A duration on the command line: a whole number with a unit, `90s`, `15m`,
/// `1h`, `2d`, or `0`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let value: Duration

    init?(argument: String) {
        if argument == "0" {
            value = .zero
            return
        }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = argument.last, let scale = units[unit],
              let count = Int64(argument.dropLast()), count >= 0, count <= Int64.max / scale / 1_000 else { return nil }
        value = .seconds(count * scale)
    }
}
