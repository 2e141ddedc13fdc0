import Foundation

/// A finished child process: its exit status and what it wrote to standard output.
struct ChildProcessOutput: Sendable {
    var status: Int32
    var standardOutput: String
}

/// Runs `command` (looked up in `PATH`) with `arguments` and waits for it to
/// exit. Starting it, reading its output and waiting block, so that happens
/// on a thread of its own, never on Swift's cooperative pool. The child's
/// standard error goes to ours.
func runChildProcess(_ command: String, _ arguments: [String]) async throws -> ChildProcessOutput {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [command] + arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.standardError
                process.standardInput = FileHandle.nullDevice
                try process.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return ChildProcessOutput(status: process.terminationStatus, standardOutput: String(decoding: data, as: UTF8.self))
            })
        }
        thread.name = "barge-bench-child"
        thread.start()
    }
}
