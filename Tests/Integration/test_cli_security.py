"""Kafka security settings of every `barge` command that connects (send,
receive, bridge, topics, gc): flag, then BARGE_* variable, then config file
(by Barge's names or Kafka's own, so that a client.properties works as is);
usage errors (exit 64) for combinations that cannot work; secrets never in
any output; TLS through a TLS-terminating proxy in front of the plaintext
broker, for librdkafka and for the wire client of `topics describe`, with
exit 77 when the handshake fails."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import barge_bin
from tls_fixtures import CertificateAuthority, TlsProxy

UNREACHABLE = "127.0.0.1:1"
PASSWORD = "pw-Zq8-never-shown-7Kx"
KEY_PASSWORD = "key-pw-Lm3-never-shown-9Rt"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARGE_")}
    env.update(extra)
    return env


def barge(*args: str, env: dict[str, str] | None = None, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([barge_bin(), *args], capture_output=True, timeout=timeout,
                          env=env if env is not None else clean_env(), cwd=cwd)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.decode().splitlines() if line.startswith("Error: ")]


def usage_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 64, result.stderr.decode(errors="replace")
    [line] = error_lines(result)
    return line


def commands(tmp_path: Path) -> list[list[str]]:
    """One invocation of each command that connects, against an unreachable broker."""
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"x")
    return [
        ["send", str(payload), "--topic", "t"],
        ["receive", "--topic", "t", "--group", "g", "--to", str(tmp_path / "in")],
        ["bridge", "externalize", "--from", "a", "--to", "b", "--threshold", "1KiB", "--store", f"file://{tmp_path}/objects"],
        ["bridge", "internalize", "--from", "a", "--to", "b", "--store", f"file://{tmp_path}/objects"],
        ["topics", "list"],
        ["topics", "describe", "t"],
        ["topics", "create", "t", "--partitions", "1"],
        ["gc", "--store", f"file://{tmp_path}/objects"],
    ]


INVALID = [
    (["--security-protocol", "TLS"], "must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not 'TLS'"),
    (["--security-protocol", "sasl_ssl"], "needs a sasl mechanism: pass --sasl-mechanism"),
    (["--security-protocol", "SASL_SSL", "--sasl-mechanism", "GSSAPI", "--sasl-username", "u"], "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
    (["--security-protocol", "SASL_PLAINTEXT", "--sasl-mechanism", "plain"], "needs a sasl username: pass --sasl-username"),
    (["--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "u"],
     "needs a SASL password: pass --sasl-password-file FILE, set BARGE_SASL_PASSWORD"),
    (["--sasl-mechanism", "PLAIN"], "--sasl-mechanism sets a SASL setting, but the security protocol is PLAINTEXT"),
    (["--security-protocol", "SSL", "--sasl-username", "u"], "--sasl-username sets a SASL setting, but the security protocol is SSL"),
    (["--ssl-ca-location", "/etc/hosts"], "--ssl-ca-location sets a TLS setting, but the security protocol is PLAINTEXT"),
    (["--security-protocol", "SASL_PLAINTEXT", "--sasl-mechanism", "PLAIN", "--sasl-username", "u", "--sasl-password-file", "PWFILE",
      "--ssl-ca-location", "/etc/hosts"], "but the security protocol is SASL_PLAINTEXT"),
    (["--security-protocol", "SSL", "--ssl-ca-location", "/nonexistent/ca.pem"], "cannot read --ssl-ca-location /nonexistent/ca.pem"),
    (["--security-protocol", "SSL", "--ssl-certificate-location", "/etc/hosts"], "--ssl-certificate-location needs its private key"),
    (["--security-protocol", "SSL", "--ssl-key-location", "/etc/hosts"], "--ssl-key-location needs its certificate"),
    (["--security-protocol", "SSL", "--ssl-key-password-file", "PWFILE"], "is a key's password, but no --ssl-key-location is set"),
    (["--security-protocol", "SSL", "--ssl-endpoint-identification-algorithm", "ldap"], "must be https or none, not 'ldap'"),
    (["--security-protocol", "SASL_SSL", "--sasl-mechanism", "PLAIN", "--sasl-username", "u", "--sasl-password-file", "/nonexistent/pw"],
     "cannot read --sasl-password-file /nonexistent/pw"),
    (["--security-protocol", "SASL_SSL", "--sasl-mechanism", "PLAIN", "--sasl-username", "u", "--sasl-password-file", "EMPTY"],
     "is empty"),
]


@pytest.mark.parametrize("index,flags,expected", [(i, f, e) for i, (f, e) in enumerate(INVALID)],
                         ids=[" ".join(f)[:60] for f, _ in INVALID])
def test_invalid_combinations_are_usage_errors_for_every_command(tmp_path, index, flags, expected):
    """Every command resolves its settings through the same code: the first
    two combinations go through every command, the others each through one
    of them in turn (each run of the binary costs a start-up)."""
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    (tmp_path / "empty").write_text("\n")
    flags = [str(tmp_path / "pw") if f == "PWFILE" else str(tmp_path / "empty") if f == "EMPTY" else f for f in flags]
    every = commands(tmp_path)
    for command in every if index < 2 else [every[index % len(every)]]:
        result = barge(*command, "--bootstrap-servers", UNREACHABLE, *flags, cwd=tmp_path)
        line = usage_error(result)
        assert expected in line, (command, line)
        assert PASSWORD not in result.stdout.decode() + result.stderr.decode()
    assert not (tmp_path / "in").exists(), "nothing happens before the settings are complete"


def test_flag_beats_environment_beats_config_file(tmp_path):
    conf = tmp_path / "barge.conf"
    conf.write_text(f"bootstrap.servers = {UNREACHABLE}\nsecurity.protocol = from-file\n")
    topics = ["topics", "list", "--timeout", "1"]
    assert "not 'from-file'" in usage_error(barge(*topics, cwd=tmp_path))
    assert f"security-protocol in ./barge.conf" in usage_error(barge(*topics, cwd=tmp_path))
    env = clean_env(BARGE_SECURITY_PROTOCOL="from-env")
    assert "$BARGE_SECURITY_PROTOCOL must be" in usage_error(barge(*topics, cwd=tmp_path, env=env))
    assert "not 'from-flag'" in usage_error(barge(*topics, "--security-protocol", "from-flag", cwd=tmp_path, env=env))

    # The password: its file flag, then $BARGE_SASL_PASSWORD, then $BARGE_SASL_PASSWORD_FILE, then the file's.
    conf.write_text(f"bootstrap-servers = {UNREACHABLE}\nsecurity-protocol = SASL_PLAINTEXT\nsasl-mechanism = PLAIN\n"
                    "sasl-username = u\nsasl-password-file = /nonexistent/from-file\n")
    assert "sasl-password-file in ./barge.conf /nonexistent/from-file" in usage_error(barge(*topics, cwd=tmp_path))
    env = clean_env(BARGE_SASL_PASSWORD_FILE="/nonexistent/from-env")
    assert "$BARGE_SASL_PASSWORD_FILE /nonexistent/from-env" in usage_error(barge(*topics, cwd=tmp_path, env=env))
    flag = ["--sasl-password-file", "/nonexistent/from-flag"]
    assert "--sasl-password-file /nonexistent/from-flag" in usage_error(barge(*topics, *flag, cwd=tmp_path, env=env))
    # A password in the environment beats the file's: the settings are complete, the broker is not there (69).
    result = barge(*topics, cwd=tmp_path, env=clean_env(BARGE_SASL_PASSWORD=PASSWORD))
    assert result.returncode == 69, result.stderr
    assert PASSWORD not in result.stdout.decode() + result.stderr.decode()


CONFLUENT_PROPERTIES = """\
# Required connection configs for Kafka producer, consumer, and admin
bootstrap.servers={servers}
security.protocol=SASL_SSL
sasl.mechanisms=PLAIN
sasl.username=ABCDEFGHIJKLMNOP
sasl.password={password}

# Best practice for higher availability in librdkafka clients prior to 1.7
session.timeout.ms=45000
client.dns.lookup=use_all_dns_ips
acks=all

# Required connection configs for Confluent Cloud Schema Registry
schema.registry.url=https://psrc-xxxxx.us-east-2.aws.confluent.cloud
basic.auth.credentials.source=USER_INFO
basic.auth.user.info={{{{ SR_API_KEY }}}}:{{{{ SR_API_SECRET }}}}
"""

JAVA_MSK_PROPERTIES = """\
bootstrap.servers={servers}
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="{password}";
"""


@pytest.mark.parametrize("properties", [CONFLUENT_PROPERTIES, JAVA_MSK_PROPERTIES], ids=["confluent", "java-jaas"])
def test_a_clusters_client_properties_work_as_is(tmp_path, properties):
    conf = tmp_path / "client.properties"
    conf.write_text(properties.format(servers=UNREACHABLE, password=PASSWORD))
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"x")
    for command in (["topics", "list", "--timeout", "1"], ["send", str(payload), "--topic", "t", "--delivery-timeout", "2s"]):
        result = barge(*command, "--config", str(conf), cwd=tmp_path, timeout=120)
        assert result.returncode == 69, (command, result.stderr.decode(errors="replace"))
        assert len(error_lines(result)) == 1, result.stderr
        assert PASSWORD not in result.stdout.decode() + result.stderr.decode()
    # Without the password (and, for JAAS, the user on its line) nothing is complete: the usage error names every source.
    conf.write_text("\n".join(line for line in properties.format(servers=UNREACHABLE, password=PASSWORD).splitlines()
                              if "password" not in line))
    line = usage_error(barge("topics", "list", "--config", str(conf), cwd=tmp_path))
    assert "SASL_SSL needs a SASL password" in line or "SASL_SSL needs a sasl username" in line, line


def test_kafka_dotted_names_reach_a_real_broker(broker, tmp_path):
    conf = tmp_path / "client.properties"
    conf.write_text(f"bootstrap.servers={broker.bootstrap}\nsecurity.protocol=PLAINTEXT\nacks=all\nlinger.ms=5\n")
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"dotted")
    result = barge("send", str(payload), "--topic", "dotted", "--config", str(conf), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    # An unknown name without a dot is still a usage error: it can only be a typo of Barge's own.
    conf.write_text(f"bootstrap.servers={broker.bootstrap}\nsecurity-protocl=SSL\n")
    assert "unknown setting 'security-protocl'" in usage_error(barge("topics", "list", "--config", str(conf), cwd=tmp_path))


def test_secrets_never_appear_in_any_output(broker, tmp_path):
    """Passwords from every source, against an unreachable broker and against a
    broker that does not speak SASL, with librdkafka's logs turned on."""
    (tmp_path / "pw").write_text(PASSWORD)
    (tmp_path / "key-pw").write_text(KEY_PASSWORD)
    ca = CertificateAuthority(tmp_path / "certs")
    cert, key = ca.issue("client", key_password=KEY_PASSWORD)
    conf = tmp_path / "barge.conf"
    conf.write_text(f"sasl.password = {PASSWORD}\nssl.key.password = {KEY_PASSWORD}\n")
    sasl = ["--security-protocol", "SASL_PLAINTEXT", "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", "u"]
    tls = ["--security-protocol", "SASL_SSL", "--sasl-mechanism", "PLAIN", "--sasl-username", "u",
           "--ssl-certificate-location", str(cert), "--ssl-key-location", str(key)]
    runs = []
    for servers in (UNREACHABLE, broker.bootstrap):
        for flags, env in (
            (sasl + ["--sasl-password-file", str(tmp_path / "pw")], {}),
            (sasl, {"BARGE_SASL_PASSWORD": PASSWORD}),
            (sasl + ["--config", str(conf)], {}),
            (tls + ["--config", str(conf)], {}),
            (tls + ["--sasl-password-file", str(tmp_path / "pw"), "--ssl-key-password-file", str(tmp_path / "key-pw")], {}),
            (tls + ["--ssl-endpoint-identification-algorithm", "nonsense"], {"BARGE_SASL_PASSWORD": PASSWORD,
                                                                              "BARGE_SSL_KEY_PASSWORD": KEY_PASSWORD}),
        ):
            runs.append(barge("topics", "list", "--timeout", "3", "--bootstrap-servers", servers, *flags, cwd=tmp_path, timeout=120,
                              env=clean_env(BARGE_LOG_LEVEL="debug", **env)))
        runs.append(barge("send", str(tmp_path / "pw"), "--topic", "t", "--delivery-timeout", "3s", "--bootstrap-servers", servers,
                          *sasl, cwd=tmp_path, timeout=120, env=clean_env(BARGE_LOG_LEVEL="debug", BARGE_SASL_PASSWORD=PASSWORD)))
    for result in runs:
        output = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
        assert result.returncode != 0
        assert PASSWORD not in output and KEY_PASSWORD not in output, output[-2000:]


def test_a_malformed_line_that_may_hold_a_secret_is_not_echoed(tmp_path):
    conf = tmp_path / "barge.conf"
    conf.write_text(f"bootstrap.servers = {UNREACHABLE}\nsasl.password {PASSWORD}\n")
    line = usage_error(barge("topics", "list", "--config", str(conf), cwd=tmp_path))
    assert "barge.conf:2: expected 'key = value'" in line and PASSWORD not in line


def test_help_offers_password_files_never_password_flags():
    for command in (["send"], ["receive"], ["topics", "list"], ["gc"], ["bridge", "externalize"]):
        text = barge(*command, "--help").stdout.decode()
        for flag in ("--security-protocol", "--sasl-mechanism", "--sasl-username", "--sasl-password-file", "--ssl-ca-location",
                     "--ssl-certificate-location", "--ssl-key-location", "--ssl-key-password-file"):
            assert flag in text, (command, flag)
        assert "--sasl-password " not in text and "--sasl-password\n" not in text and "--ssl-key-password " not in text


# -- TLS through a terminating proxy ---------------------------------------------


@pytest.fixture
def certificates(tmp_path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "certs")


def tls_broker(broker_factory, proxy: TlsProxy):
    """A plaintext broker behind `proxy`, advertising the proxy's port."""
    broker = broker_factory({"advertised.listeners": f"PLAINTEXT://{proxy.bootstrap}"})
    proxy.target = ("127.0.0.1", broker.port)
    return broker


def test_tls_with_a_ca_file_for_librdkafka_and_the_wire_client(broker_factory, certificates, tmp_path):
    cert, key = certificates.issue("broker", "DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1")
    proxy = TlsProxy(cert, key)
    tls_broker(broker_factory, proxy)
    tls = ["--bootstrap-servers", proxy.bootstrap, "--security-protocol", "SSL", "--ssl-ca-location", str(certificates.ca)]
    payload = tmp_path / "clip.bin"
    payload.write_bytes(os.urandom(3000))
    sent = barge("send", str(payload), "--topic", "secure", *tls, cwd=tmp_path)
    assert sent.returncode == 0, sent.stderr.decode(errors="replace")
    received = barge("receive", "--topic", "secure", "--group", "g", "--to", str(tmp_path / "in"), "--count", "1", *tls, cwd=tmp_path)
    assert received.returncode == 0, received.stderr.decode(errors="replace")
    assert (tmp_path / "in" / "clip.bin").read_bytes() == payload.read_bytes()
    described = barge("topics", "describe", "secure", *tls, cwd=tmp_path)
    assert described.returncode == 0, described.stderr.decode(errors="replace")
    assert "tiers unavailable" not in described.stdout.decode(), described.stdout.decode()
    assert "log-start=0" in described.stdout.decode()
    # The same from the environment and from a client.properties.
    env = clean_env(BARGE_SECURITY_PROTOCOL="ssl", BARGE_SSL_CA_LOCATION=str(certificates.ca))
    assert barge("topics", "list", "--bootstrap-servers", proxy.bootstrap, env=env, cwd=tmp_path).returncode == 0
    conf = tmp_path / "client.properties"
    conf.write_text(f"bootstrap.servers={proxy.bootstrap}\nsecurity.protocol=SSL\nssl.ca.location={certificates.ca}\n")
    assert barge("topics", "describe", "secure", "--config", str(conf), cwd=tmp_path).returncode == 0


def test_an_untrusted_or_misnamed_broker_certificate_exits_77(broker_factory, certificates, tmp_path):
    cert, key = certificates.issue("broker", "DNS:kafka.example.com")
    proxy = TlsProxy(cert, key)
    tls_broker(broker_factory, proxy)
    base = ["topics", "list", "--bootstrap-servers", proxy.bootstrap, "--security-protocol", "SSL"]
    for flags in ([], ["--ssl-ca-location", str(certificates.ca)]):  # the system's roots; then the right CA, the wrong name
        result = barge(*base, *flags, cwd=tmp_path)
        assert result.returncode == 77, result.stderr.decode(errors="replace")
        [line] = error_lines(result)
        assert line.startswith("Error: authentication failed") and "certificate" in line, line
    # Without the host name check the chain is enough.
    result = barge(*base, "--ssl-ca-location", str(certificates.ca), "--ssl-endpoint-identification-algorithm", "none", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"no host name check")
    sent = barge("send", str(payload), "--topic", "t", "--bootstrap-servers", proxy.bootstrap, "--security-protocol", "SSL",
                 "--ssl-ca-location", str(certificates.ca), "--ssl-endpoint-identification-algorithm", "none", cwd=tmp_path)
    assert sent.returncode == 0, sent.stderr.decode(errors="replace")
    described = barge("topics", "describe", "t", "--bootstrap-servers", proxy.bootstrap, "--security-protocol", "SSL",
                      "--ssl-ca-location", str(certificates.ca), "--ssl-endpoint-identification-algorithm", "none", cwd=tmp_path)
    assert described.returncode == 0 and "tiers unavailable" not in described.stdout.decode(), described.stdout.decode()


def test_client_certificates_with_an_encrypted_key(broker_factory, certificates, tmp_path):
    cert, key = certificates.issue("broker", "DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1")
    client_cert, client_key = certificates.issue("client", key_password=KEY_PASSWORD)
    proxy = TlsProxy(cert, key, client_ca=certificates.ca)
    tls_broker(broker_factory, proxy)
    (tmp_path / "key-pw").write_text(KEY_PASSWORD + "\n")
    base = ["--bootstrap-servers", proxy.bootstrap, "--security-protocol", "SSL", "--ssl-ca-location", str(certificates.ca)]
    refused = barge("topics", "list", *base, cwd=tmp_path)
    assert refused.returncode == 77, refused.stderr.decode(errors="replace")
    assert len(error_lines(refused)) == 1
    mtls = [*base, "--ssl-certificate-location", str(client_cert), "--ssl-key-location", str(client_key),
            "--ssl-key-password-file", str(tmp_path / "key-pw")]
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"mutual")
    for command in (["send", str(payload), "--topic", "m"], ["topics", "describe", "m"]):
        result = barge(*command, *mtls, cwd=tmp_path)
        output = result.stdout.decode() + result.stderr.decode()
        assert result.returncode == 0, output
        assert KEY_PASSWORD not in output
        assert "tiers unavailable" not in output
    env = clean_env(BARGE_SSL_KEY_PASSWORD=KEY_PASSWORD)
    assert barge("topics", "list", *mtls[:-2], env=env, cwd=tmp_path).returncode == 0
