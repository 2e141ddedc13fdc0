import Foundation

/// Finds credentials and a region the way the AWS command-line tools do.
///
/// Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN` when the first two are set; otherwise from the profile
/// `AWS_PROFILE` (default `default`) in the shared credentials file
/// (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`, sections `[name]`) and
/// then in the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`, sections
/// `[profile name]`, or `[default]`). The region comes from `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, then the profile's `region` in the config file.
public struct AWSCredentialsResolver: Sendable {
    private let environment: [String: String]

    /// A resolver reading `environment` (the process's environment by default, a
    /// dictionary of one's own in tests); `~` is the environment's `HOME`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The profile asked for: `AWS_PROFILE`, or `default`.
    public var profile: String { value("AWS_PROFILE") ?? "default" }

    /// The credentials to sign with.
    ///
    /// - Throws: `ObjectStoreError` `.configuration` saying where it looked, when none are found
    ///   or a profile has an access key without its secret.
    public func credentials() throws(ObjectStoreError) -> AWSCredentials {
        let environmentKey = value("AWS_ACCESS_KEY_ID")
        let environmentSecret = value("AWS_SECRET_ACCESS_KEY")
        if let environmentKey, let environmentSecret {
            return AWSCredentials(accessKeyID: environmentKey, secretAccessKey: environmentSecret, sessionToken: value("AWS_SESSION_TOKEN"))
        }
        if (environmentKey == nil) != (environmentSecret == nil) {
            throw ObjectStoreError(.configuration, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together; only one of them is")
        }
        for (path, section) in [(credentialsFilePath, profile), (configFilePath, configSection)] {
            guard let settings = try AWSSharedConfigFile(contentsOf: path)?.sections[section] else { continue }
            let key = settings["aws_access_key_id"].flatMap(nonEmpty)
            let secret = settings["aws_secret_access_key"].flatMap(nonEmpty)
            if let key, let secret {
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: settings["aws_session_token"].flatMap(nonEmpty))
            }
            if key != nil || secret != nil {
                throw ObjectStoreError(.configuration, "[\(section)] in \(path) needs both aws_access_key_id and aws_secret_access_key")
            }
        }
        throw ObjectStoreError(.configuration, """
            no AWS credentials found: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set, \
            and neither [\(profile)] in \(credentialsFilePath) nor [\(configSection)] in \(configFilePath) has \
            aws_access_key_id and aws_secret_access_key
            """)
    }

    /// The region from `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile in the config file;
    /// nil when none names one.
    ///
    /// - Throws: `ObjectStoreError` `.configuration` when the config file exists but cannot be read.
    public func region() throws(ObjectStoreError) -> String? {
        if let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") { return region }
        return try AWSSharedConfigFile(contentsOf: configFilePath)?.sections[configSection]?["region"].flatMap(nonEmpty)
    }

    private var credentialsFilePath: String {
        value("AWS_SHARED_CREDENTIALS_FILE").map(expandingHome) ?? expandingHome("~/.aws/credentials")
    }

    private var configFilePath: String {
        value("AWS_CONFIG_FILE").map(expandingHome) ?? expandingHome("~/.aws/config")
    }

    /// The profile's section in the config file: `default`, or `profile name`.
    private var configSection: String { profile == "default" ? "default" : "profile \(profile)" }

    private func value(_ name: String) -> String? { environment[name].flatMap(nonEmpty) }

    private func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    private func expandingHome(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = value("HOME") else { return path }
        return home + path.dropFirst()
    }
}
