import ArgumentParser
import Barge

/// `--on-bad-record report|skip|stop|dead-letter TOPIC`: what `barge receive`
/// does with records that can never be delivered (see ``BadRecordPolicy``).
struct BadRecordOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "What to do with a record that can never be delivered (malformed, forged or corrupt): report (the default: "
            + "print it, note it in the journal, go on), skip (the same without printing), stop (exit 1 without "
            + "committing past it), or dead-letter TOPIC (copy it to TOPIC, then report it). Else $BARGE_ON_BAD_RECORD, "
            + "else on-bad-record in the config file.",
        valueName: "policy"))
    var onBadRecord: [String] = []

    /// The policy from the flag, the environment or the config file.
    func policy(settings: CommandSettings) throws -> BadRecordPolicy {
        let flag = onBadRecord.isEmpty ? nil : onBadRecord.joined(separator: " ")
        guard let text = settings.value(.onBadRecord, flag: flag) else { return .report }
        let words = text.split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("report", 1): return .report
        case ("skip", 1): return .skip
        case ("stop", 1): return .stop
        case ("dead-letter", 2): return .deadLetter(topic: words[1])
        case ("dead-letter", _): throw ValidationError("--on-bad-record dead-letter needs the topic to copy bad records to: dead-letter TOPIC")
        default: throw ValidationError("--on-bad-record must be report, skip, stop or dead-letter TOPIC, not '\(text)'")
        }
    }
}

extension BadRecordPolicy {
    /// The policy as `--on-bad-record` takes it.
    var name: String {
        switch self {
        case .report: "report"
        case .skip: "skip"
        case .stop: "stop"
        case .deadLetter(let topic): "dead-letter \(topic)"
        }
    }
}
