import ArgumentParser
import Foundation

/// Resolves the Kafka-facing commands' settings in one place: a flag wins,
/// then the environment (`BARGE_BOOTSTRAP_SERVERS`, `BARGE_TOPIC`,
/// `BARGE_GROUP`), then the config file (`--config FILE`, else
/// `$BARGE_CONFIG`, else `./barge.conf` if it exists). Empty values count as
/// unset.
struct CommandSettings: Sendable {
    static let configEnvironmentVariable = "BARGE_CONFIG"
    static let defaultConfigFile = "barge.conf"

    let environment: [String: String]
    let file: SettingsFile?

    init(environment: [String: String], file: SettingsFile?) {
        self.environment = environment
        self.file = file
    }

    /// Loads the config file: `configFlag`, else `$BARGE_CONFIG` (either must
    /// be readable), else `./barge.conf` when present.
    init(
        configFlag: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws {
        self.environment = environment
        let explicit = [configFlag, environment[Self.configEnvironmentVariable]].lazy.compactMap { $0 }.first { !$0.isEmpty }
        if let path = explicit {
            guard let text = try TextFile.read(path, what: "the config file") else {
                throw ValidationError("cannot read the config file \(path): it does not exist")
            }
            file = try SettingsFile(path: path, text: text)
        } else {
            let path = currentDirectory + "/" + Self.defaultConfigFile
            if let text = try TextFile.read(path, what: "the config file") {
                file = try SettingsFile(path: "./" + Self.defaultConfigFile, text: text)
            } else {
                file = nil
            }
        }
    }

    /// The value of `key`: the flag's, the environment's or the file's.
    func value(_ key: SettingKey, flag: String?) -> String? {
        lookup(key, flag: flag)?.value
    }

    /// The value of `key` and where it came from, for messages: `--sasl-mechanism`,
    /// `$BARGE_SASL_MECHANISM` or `sasl-mechanism in ./barge.conf`.
    func lookup(_ key: SettingKey, flag: String?) -> (value: String, source: String)? {
        if let flag, !flag.isEmpty { return (flag, key.flag) }
        if let value = environment[key.environmentVariable], !value.isEmpty { return (value, "$" + key.environmentVariable) }
        if let file, let value = file.values[key], !value.isEmpty { return (value, "\(key.fileKey) in \(file.path)") }
        return nil
    }

    /// A secret that has no flag of its own: at each level (flag, environment,
    /// config file) the value itself, else a file holding it (`fileKey`, whose
    /// flag is `fileFlag`): `--sasl-password-file`, then `$BARGE_SASL_PASSWORD`,
    /// `$BARGE_SASL_PASSWORD_FILE`, then `sasl-password` / `sasl.password`,
    /// `sasl-password-file` in the config file. A file that cannot be read,
    /// or is empty, is a usage error; one trailing line break is dropped.
    func secret(_ key: SettingKey, fileKey: SettingKey, fileFlag: String?) throws -> (value: String, source: String)? {
        if let fileFlag, !fileFlag.isEmpty { return (try Self.readSecret(fileFlag, what: fileKey.flag), fileKey.flag) }
        if let value = environment[key.environmentVariable], !value.isEmpty { return (value, "$" + key.environmentVariable) }
        if let path = environment[fileKey.environmentVariable], !path.isEmpty {
            return (try Self.readSecret(path, what: "$" + fileKey.environmentVariable), "$" + fileKey.environmentVariable)
        }
        guard let file else { return nil }
        if let value = file.values[key], !value.isEmpty { return (value, "\(key.fileKey) in \(file.path)") }
        if let path = file.values[fileKey], !path.isEmpty {
            let source = "\(fileKey.fileKey) in \(file.path)"
            return (try Self.readSecret(path, what: source), source)
        }
        return nil
    }

    /// The text of a file holding a secret, without its final line break.
    private static func readSecret(_ path: String, what: String) throws -> String {
        guard let text = try TextFile.read(path, what: what) else {
            throw ValidationError("cannot read \(what) \(path): it does not exist")
        }
        var secret = Substring(text)
        while let last = secret.last, last == "\n" || last == "\r" { secret = secret.dropLast() }
        guard !secret.isEmpty else { throw ValidationError("\(what) \(path) is empty") }
        return String(secret)
    }

    /// The value of `key`, or a usage error naming the three ways to give it.
    func require(_ key: SettingKey, flag: String?) throws -> String {
        guard let value = value(key, flag: flag) else { throw Self.missing(key) }
        return value
    }

    /// The bootstrap servers as a list.
    func servers(flag: String?) throws -> [String] {
        let servers = try require(.bootstrapServers, flag: flag).split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
        guard !servers.isEmpty else { throw Self.missing(.bootstrapServers) }
        return servers
    }

    static func missing(_ key: SettingKey) -> ValidationError {
        ValidationError(
            "no \(key.rawValue.replacingOccurrences(of: "-", with: " ")) given: pass \(key.flag), set \(key.environmentVariable), "
                + "or put '\(key.fileKey) = \(key.placeholder)' in a config file (--config FILE, $\(configEnvironmentVariable) or ./\(defaultConfigFile))"
        )
    }
}
