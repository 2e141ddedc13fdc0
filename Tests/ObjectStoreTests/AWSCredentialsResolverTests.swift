import Foundation
import ObjectStore
import Testing

@Suite("AWS credentials resolution")
struct AWSCredentialsResolverTests {
    /// A directory with `~/.aws/credentials` and `~/.aws/config`, removed afterwards.
    private func withHome(credentials: String?, config: String?, _ body: (String) throws -> Void) throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("barge-aws-\(UUID().uuidString)")
        let aws = home.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        if let credentials { try credentials.write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8) }
        if let config { try config.write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8) }
        try body(home.path)
    }

    @Test("environment variables come first")
    func environment() throws {
        let resolver = AWSCredentialsResolver(environment: [
            "AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s1", "AWS_SESSION_TOKEN": "t1", "AWS_REGION": "eu-west-1",
            "AWS_DEFAULT_REGION": "us-west-2", "HOME": "/nonexistent",
        ])
        #expect(try resolver.credentials() == AWSCredentials(accessKeyID: "AKIA1", secretAccessKey: "s1", sessionToken: "t1"))
        #expect(try resolver.region() == "eu-west-1")
        #expect(try AWSCredentialsResolver(environment: ["AWS_DEFAULT_REGION": "us-west-2", "HOME": "/nonexistent"]).region() == "us-west-2")
    }

    @Test("half of the environment pair is a configuration error")
    func halfEnvironment() {
        #expect {
            _ = try AWSCredentialsResolver(environment: ["AWS_ACCESS_KEY_ID": "AKIA1", "HOME": "/nonexistent"]).credentials()
        } throws: { ($0 as? ObjectStoreError)?.kind == .configuration }
    }

    @Test("profiles from ~/.aws/credentials and [profile name] in ~/.aws/config")
    func sharedFiles() throws {
        let credentials = """
            # comment
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = secret/default+=

            [work]
            aws_access_key_id=AKIAWORK
            aws_secret_access_key=workSecret
            aws_session_token = token
            """
        let config = """
            [default]
            region = us-east-2
            [profile work]
            region = ap-south-1
            s3 =
              addressing_style = path
            [profile config-only]
            aws_access_key_id = AKIACONFIG
            aws_secret_access_key = configSecret
            """
        try withHome(credentials: credentials, config: config) { (home: String) throws in
            let byDefault = AWSCredentialsResolver(environment: ["HOME": home])
            #expect(try byDefault.credentials() == AWSCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "secret/default+="))
            #expect(try byDefault.region() == "us-east-2")
            let work = AWSCredentialsResolver(environment: ["HOME": home, "AWS_PROFILE": "work"])
            #expect(try work.credentials() == AWSCredentials(accessKeyID: "AKIAWORK", secretAccessKey: "workSecret", sessionToken: "token"))
            #expect(try work.region() == "ap-south-1")
            let configOnly = AWSCredentialsResolver(environment: ["HOME": home, "AWS_PROFILE": "config-only"])
            #expect(try configOnly.credentials().accessKeyID == "AKIACONFIG")
        }
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE replace the default paths")
    func explicitPaths() throws {
        try withHome(credentials: "[other]\naws_access_key_id = A\naws_secret_access_key = B\n", config: "[profile other]\nregion = sa-east-1\n") { (home: String) throws in
            let resolver = AWSCredentialsResolver(environment: [
                "HOME": "/nonexistent", "AWS_PROFILE": "other",
                "AWS_SHARED_CREDENTIALS_FILE": "\(home)/.aws/credentials", "AWS_CONFIG_FILE": "\(home)/.aws/config",
            ])
            #expect(try resolver.credentials() == AWSCredentials(accessKeyID: "A", secretAccessKey: "B"))
            #expect(try resolver.region() == "sa-east-1")
        }
    }

    @Test("missing credentials say where the resolver looked")
    func missing() throws {
        try withHome(credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n", config: nil) { (home: String) throws in
            let resolver = AWSCredentialsResolver(environment: ["HOME": home, "AWS_PROFILE": "absent"])
            #expect(try resolver.region() == nil)
            #expect {
                _ = try resolver.credentials()
            } throws: { error in
                guard let error = error as? ObjectStoreError, error.kind == .configuration else { return false }
                return error.message.contains("AWS_ACCESS_KEY_ID") && error.message.contains("[absent] in \(home)/.aws/credentials")
                    && error.message.contains("[profile absent] in \(home)/.aws/config")
            }
        }
    }

    @Test("a profile with a key but no secret is a configuration error")
    func incompleteProfile() throws {
        try withHome(credentials: "[default]\naws_access_key_id = A\n", config: nil) { (home: String) throws in
            #expect {
                _ = try AWSCredentialsResolver(environment: ["HOME": home]).credentials()
            } throws: { ($0 as? ObjectStoreError)?.kind == .configuration }
        }
    }
}
