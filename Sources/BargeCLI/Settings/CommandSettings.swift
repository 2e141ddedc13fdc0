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
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[key.environmentVariable], !value.isEmpty { return value }
        if let value = file?.values[key], !value.isEmpty { return value }
        return nil
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
