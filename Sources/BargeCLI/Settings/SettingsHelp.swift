/// Help text the Kafka-facing commands share.
enum SettingsHelp {
    /// How settings are found, for each command's discussion.
    static let precedence = """
        Settings: each of --bootstrap-servers, --topic, --group, --store, \
        --encryption-key-file, --on-bad-record and the security flags is taken from the \
        flag, else from $BARGE_BOOTSTRAP_SERVERS, $BARGE_TOPIC, $BARGE_GROUP, $BARGE_STORE, \
        $BARGE_ENCRYPTION_KEY_FILE, $BARGE_ON_BAD_RECORD, $BARGE_SECURITY_PROTOCOL, ..., else \
        from a config file: --config FILE, else $BARGE_CONFIG, else ./barge.conf if \
        present. The file holds 'key = value' lines named like the flags, or like Kafka's \
        client properties (a cluster's client.properties works as is), with # comments:
          bootstrap-servers = 127.0.0.1:9092
          topic = videos
        Passwords are never flag values: --sasl-password-file FILE, $BARGE_SASL_PASSWORD or \
        sasl.password in the config file (docs/security.md); they are never printed.
        """

    /// Exit codes, for each command's discussion.
    static let exitCodes = """
        Exit codes: 0 done; 1 failed (one 'Error:' line on standard error); 64 usage \
        error (bad or missing flag or setting); 69 broker (or, for receive, object store) \
        unreachable or not answering; 74 the broker cannot store records (its disk is full \
        or failing); 77 authentication failed (SASL, TLS) or not authorized (ACLs).
        """
}
