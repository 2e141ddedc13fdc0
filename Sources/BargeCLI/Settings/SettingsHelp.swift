/// Help text the Kafka-facing commands share.
enum SettingsHelp {
    /// How settings are found, for each command's discussion.
    static let precedence = """
        Settings: each of --bootstrap-servers, --topic, --group, --store, \
        --encryption-key-file and --on-bad-record is taken from the flag, else from \
        $BARGE_BOOTSTRAP_SERVERS, $BARGE_TOPIC, $BARGE_GROUP, $BARGE_STORE, \
        $BARGE_ENCRYPTION_KEY_FILE or $BARGE_ON_BAD_RECORD, else \
        from a config file: --config FILE, else $BARGE_CONFIG, else ./barge.conf if \
        present. The file holds 'key = value' lines named like the flags, with # comments:
          bootstrap-servers = 127.0.0.1:9092
          topic = videos
        """

    /// Exit codes, for each command's discussion.
    static let exitCodes = """
        Exit codes: 0 done; 1 failed (one 'Error:' line on standard error); 64 usage \
        error (bad or missing flag or setting); 69 broker (or, for receive, object store) \
        unreachable or not answering; 74 the broker cannot store records (its disk is full \
        or failing).
        """
}
