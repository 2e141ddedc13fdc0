import ArgumentParser
import FileIO

/// Small text files the tool reads whole (its settings file, a broker's
/// server.properties), through FileIO.
enum TextFile {
    /// The largest text file read: settings files are a few kilobytes.
    static let limit = 16 << 20

    /// The UTF-8 text of the file at `path`, nil when there is none. A file
    /// that cannot be read, is larger than `limit` or is not UTF-8 is an
    /// error naming `what` ("the config file", "--config").
    static func read(_ path: String, what: String) throws -> String? {
        let bytes: [UInt8]?
        do throws(FileIOError) {
            bytes = try PosixFileSystem().readWholeFile(path, limit: limit)
        } catch {
            throw ValidationError("cannot read \(what) \(path): \(error.reason)")
        }
        guard let bytes else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ValidationError("\(what) \(path) is not UTF-8 text")
        }
        return text
    }

    /// Checks that the file at `path` exists and can be read (a certificate
    /// or key handed to the Kafka client); a usage error naming `what` if not.
    static func requireReadable(_ path: String, what: String) throws {
        let bytes: [UInt8]?
        do throws(FileIOError) {
            bytes = try PosixFileSystem().readWholeFile(path, limit: limit)
        } catch {
            throw ValidationError("cannot read \(what) \(path): \(error.reason)")
        }
        guard bytes != nil else { throw ValidationError("cannot read \(what) \(path): it does not exist") }
    }
}
