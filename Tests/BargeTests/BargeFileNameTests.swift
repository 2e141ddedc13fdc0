import Barge
import Testing

@Suite("File names a receiver may write")
struct BargeFileNameTests {
    @Test("plain visible names pass, Unicode included", arguments: [
        "clip.mp4", "Ünïcödé 写真.jpg", "a", "-dash-first", "name with spaces", "emoji 👩‍👩‍👧.png",
        String(repeating: "x", count: 255), String(repeating: "é", count: 127),
    ])
    func accepted(name: String) throws {
        try BargeFileName.check(name)
    }

    @Test("hostile or unusable names are refused with the reason", arguments: [
        ("", "empty"), ("../etc/passwd", "path"), ("a/b", "path"), ("a\\b", "path"), (".", "starts with '.'"),
        ("..", "starts with '.'"), (".bashrc", "starts with '.'"), ("evil\nother", "U+000A"), ("nul\u{0}byte", "U+0000"),
        ("tab\there", "U+0009"), ("del\u{7F}", "U+007F"), ("c1\u{85}", "U+0085"), ("line\u{2028}sep", "U+2028"),
        ("invoice\u{202E}fdp.exe", "U+202E"), ("x.barge-partial", "reserves"), ("x.barge-received", "reserves"),
        (String(repeating: "x", count: 256), "256 bytes"), (String(repeating: "é", count: 128), "256 bytes"),
    ])
    func refused(name: String, reason: String) {
        #expect(throws: BargeFileName.Refusal.self) { try BargeFileName.check(name) }
        do {
            try BargeFileName.check(name)
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
        #expect(!BargeFileName.isAcceptable(name))
    }

    @Test("the length counts what the receiver adds")
    func lengthIncludesWhatIsAdded() {
        let name = String(repeating: "x", count: 242)
        #expect(BargeFileName.isAcceptable(name))
        #expect(!BargeFileName.isAcceptable(name, reserving: 14))
        #expect(BargeFileName.isAcceptable(name, reserving: 13))
    }
}
