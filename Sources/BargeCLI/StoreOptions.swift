import ArgumentParser
import Barge
import ObjectStore

/// Where claim-check payloads are stored and with which keys: `--store` and
/// `--encryption-key-file` (or `$BARGE_ENCRYPTION_KEYS`), resolved with
/// ``CommandSettings``.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The object store for claim checks: file:///DIR, s3://BUCKET/PREFIX?endpoint=URL&region=R, or memory://NAME "
            + "(else $BARGE_STORE, else store in the config file). S3 credentials come from AWS_ACCESS_KEY_ID/"
            + "AWS_SECRET_ACCESS_KEY or the AWS config files.",
        valueName: "url"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp(
        "A file of encryption keys, one 'ID:BASE64' (32 bytes) per line, the first encrypts "
            + "(else $BARGE_ENCRYPTION_KEY_FILE, else encryption-key-file in the config file; or the keys "
            + "themselves, comma-separated, in $BARGE_ENCRYPTION_KEYS).",
        valueName: "file"))
    var encryptionKeyFile: String?

    /// The environment variable holding keys as text, `ID:BASE64[,ID:BASE64...]`.
    static let keysEnvironmentVariable = "BARGE_ENCRYPTION_KEYS"

    /// The store, if one is configured; a bad URL or missing credentials is a usage error.
    func objectStore(settings: CommandSettings) throws -> (any ObjectStore)? {
        guard let text = settings.value(.store, flag: store) else { return nil }
        do {
            return try ObjectStoreURL(text).open(environment: settings.environment)
        } catch {
            throw ValidationError("--store: \(error.message)")
        }
    }

    /// The keyring, if keys are configured; unreadable or malformed keys are a usage error.
    func keyring(settings: CommandSettings) throws -> BargeKeyring? {
        do {
            if let path = settings.value(.encryptionKeyFile, flag: encryptionKeyFile) {
                return try BargeKeyring(contentsOfFile: path)
            }
            if let text = settings.environment[Self.keysEnvironmentVariable], !text.isEmpty {
                return try BargeKeyring(parsing: text)
            }
            return nil
        } catch {
            throw ValidationError("encryption keys: \(error.message)")
        }
    }
}
