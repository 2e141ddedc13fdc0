import ArgumentParser
import Logging

/// A command that could not do its job: one line for standard error and a
/// non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The logger commands hand to Barge: warnings and worse, on standard error.
func commandLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}
