/// Runs `work` every `milliseconds` (after each wait) until the task is cancelled:
/// the loop of the broker's background work.
func repeatedly(every milliseconds: Int64, _ work: @Sendable () async -> Void) async {
    while !Task.isCancelled {
        do { try await Task.sleep(for: .milliseconds(milliseconds)) } catch { return }
        await work()
    }
}
