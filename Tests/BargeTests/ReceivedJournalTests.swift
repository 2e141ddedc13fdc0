import Barge
import Foundation
import Testing

@Suite("The receive journal (barge receive's exactly-once record)")
struct ReceivedJournalTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var journalPath: String { directory + "/" + ReceivedJournal.fileName }

    func text() throws -> String { try String(contentsOfFile: journalPath, encoding: .utf8) }

    @Test("entries survive reopening: received names, interrupted writes, failures")
    func roundTrip() async throws {
        do {
            let journal = try ReceivedJournal(directory: directory)
            try await journal.beginWriting("a1", name: "clip.mp4")
            try await journal.record("a1", name: "clip.mp4")
            try await journal.beginWriting("b2", name: "half.bin")
            try await journal.recordFailure("t-0-7", kind: "malformedRecord")
        }
        let journal = try ReceivedJournal(directory: directory)
        #expect(journal.name(of: "a1") == "clip.mp4")
        #expect(journal.name(of: "b2") == nil && journal.interruptedName(of: "b2") == "half.bin")
        #expect(journal.isTaken("clip.mp4") && journal.isTaken("half.bin") && !journal.isTaken("other"))
        #expect(journal.ignoredLines == 0)
        #expect(try text().hasPrefix(ReceivedJournal.header + "\n"))
    }

    @Test("a name with a line break, a space or a NUL cannot forge an entry for another message")
    func injectionProof() async throws {
        let victim = "0123456789abcdef0123456789abcdef"
        let hostile = "x\n\(victim) stolen.bin\nreceived \(victim) y 00000000\u{0}z"
        do {
            let journal = try ReceivedJournal(directory: directory)
            try await journal.record("a1", name: hostile)
        }
        let lines = try text().split(separator: "\n")
        #expect(lines.count == 2, "\(lines)")
        let journal = try ReceivedJournal(directory: directory)
        #expect(journal.name(of: victim) == nil)
        #expect(journal.name(of: "a1") == hostile)
    }

    @Test("escaping round-trips every byte and leaves no space or line break")
    func escaping() {
        let text = "a b\n%\u{0}é\u{202E}\r\t~"
        let escaped = ReceivedJournal.escape(text)
        #expect(!escaped.contains(" ") && !escaped.contains("\n") && !escaped.contains("\r"))
        #expect(ReceivedJournal.unescape(Substring(escaped)) == text)
        #expect(ReceivedJournal.unescape("%4") == nil && ReceivedJournal.unescape("%zz") == nil && ReceivedJournal.unescape("%FF") == nil)
    }

    @Test("a torn or edited line is ignored and counted; the others stand")
    func checksums() async throws {
        do {
            let journal = try ReceivedJournal(directory: directory)
            try await journal.record("a1", name: "one")
            try await journal.record("b2", name: "two")
        }
        var lines = try text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: "two", with: "owt")
        let torn = ReceivedJournal.line(.received, "c3", "three").dropLast(5)
        try (lines.joined(separator: "\n") + torn).write(toFile: journalPath, atomically: true, encoding: .utf8)
        let journal = try ReceivedJournal(directory: directory)
        #expect(journal.name(of: "a1") == "one")
        #expect(journal.name(of: "b2") == nil && journal.name(of: "c3") == nil)
        #expect(journal.ignoredLines == 2)
    }

    @Test("a version 1 journal is read, with names holding spaces, and rewritten as version 2")
    func version1() throws {
        try "a1 clip.mp4\nb2 my holiday.mov\n".write(toFile: journalPath, atomically: true, encoding: .utf8)
        do {
            let journal = try ReceivedJournal(directory: directory)
            #expect(journal.name(of: "a1") == "clip.mp4")
            #expect(journal.name(of: "b2") == "my holiday.mov")
        }
        #expect(try text().hasPrefix(ReceivedJournal.header + "\n"))
        let reopened = try ReceivedJournal(directory: directory)
        #expect(reopened.name(of: "b2") == "my holiday.mov" && reopened.ignoredLines == 0)
        #expect(!FileManager.default.fileExists(atPath: directory + "/.barge-partial-journal"))
    }

    @Test("a second receiver cannot open a directory in use")
    func locked() throws {
        let first = try ReceivedJournal(directory: directory)
        #expect(throws: ReceivedJournalError.self) { try ReceivedJournal(directory: directory) }
        _ = first
    }

    @Test("the partial directory is emptied at start; delivered files that merely look partial stay")
    func partialFiles() throws {
        let journal = try ReceivedJournal(directory: directory)
        let partial = try journal.preparePartialDirectory()
        #expect(partial == directory + "/.barge-partial")
        try Data([1]).write(to: URL(fileURLWithPath: partial + "/0-17"))
        try Data([2]).write(to: URL(fileURLWithPath: directory + "/delivered.barge-partial"))
        _ = try journal.preparePartialDirectory()
        #expect(try FileManager.default.contentsOfDirectory(atPath: partial).isEmpty)
        #expect(FileManager.default.fileExists(atPath: directory + "/delivered.barge-partial"))
    }

    @Test("something other than a directory in the partial directory's place is an error, never followed")
    func partialDirectoryInTheWay() throws {
        let outside = directory + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data([1]).write(to: URL(fileURLWithPath: outside + "/keep"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/.barge-partial", withDestinationPath: outside)
        let journal = try ReceivedJournal(directory: directory)
        #expect(throws: ReceivedJournalError.self) { try journal.preparePartialDirectory() }
        #expect(FileManager.default.fileExists(atPath: outside + "/keep"))
    }
}
