"""The `barge` CLI against a real secured barge broker (secure_broker.py):
`send` (a small file, and a multi-MB file with --strategy chunked) and
`receive` over SASL_SSL and SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and
SCRAM-SHA-512, the password from --sasl-password-file or
$BARGE_SASL_PASSWORD; a Confluent-style client.properties as is; mutual TLS
on an SSL listener with ssl.client.auth=required; `topics describe` over
SASL_SSL with its tiers read by Barge's own wire client; refusals (wrong
password, unknown user, untrusted CA, untrusted or missing client
certificate) exit 77 within seconds and never print the password; and with
the StandardAuthorizer, a user allowed only WRITE on one topic sends to it
and is refused (77) everything else: receiving (its group, then, with READ
on the group, the topic), sending to another topic, creating a topic.

Two module brokers: `secure` (ssl.client.auth=required on the SSL listener,
which leaves SASL_SSL without client certificates, no authorizer) and
`acl_broker` (StandardAuthorizer, super.users=User:admin), started only when
a test needs it. Every test uses its own topics and groups.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import TopicPartition
from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, NewTopic,
                                   ResourcePatternType, ResourceType)

import kafka_helpers as kh
from barge_cli import sha256_of, write_file
from conftest import barge_bin
from secure_broker import AUTHORIZER, USERS, Login, SecureBroker, start_secure_broker
from tls_material import TLSMaterial, make_tls_material

pytestmark = pytest.mark.timeout(120)

MB = 1 << 20
T = 15  # seconds, every bounded wait of a Python client
RUN = 60  # seconds, the bound of one barge run that should succeed
REFUSAL_BOUND = 30  # seconds: a refused barge run exits 77 within this
NO_PERMISSION = 77
GROUP_SETTINGS = {"group.initial.rebalance.delay.ms": "0"}


# -- brokers --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TLSMaterial:
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def secure(tmp_path_factory, tls) -> SecureBroker:
    b = start_secure_broker(tmp_path_factory.mktemp("cli-secure-broker"), tls,
                            {"ssl.client.auth": "required", **GROUP_SETTINGS})
    yield b
    b.stop()


@pytest.fixture(scope="module")
def acl_broker(tmp_path_factory, tls) -> SecureBroker:
    b = start_secure_broker(tmp_path_factory.mktemp("cli-acl-broker"), tls, {
        "authorizer.class.name": AUTHORIZER,
        "super.users": "User:admin",
        "allow.everyone.if.no.acl.found": "false",
        **GROUP_SETTINGS,
    })
    yield b
    b.stop()


@pytest.fixture(autouse=True)
def _attach_logs(request):
    # conftest attaches the log tail of each broker of a failed test.
    brokers = [request.getfixturevalue(n) for n in ("secure", "acl_broker") if n in request.fixturenames]
    request.node._brokers = brokers
    yield
    for b in brokers:
        assert b.alive(), f"broker died:\n{b.log_tail()}"


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- running barge ---------------------------------------------------------------------

def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARGE_")}
    env.update(extra)
    return env


class Run:
    """One finished `barge` run: exit code, output, and how long it took."""

    def __init__(self, args: list[str], result: subprocess.CompletedProcess, elapsed: float):
        self.args = args
        self.returncode = result.returncode
        self.stdout = result.stdout.decode(errors="replace")
        self.stderr = result.stderr.decode(errors="replace")
        self.elapsed = elapsed

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return (f"barge {' '.join(self.args[:3])}... exited {self.returncode} after {self.elapsed:.1f}s\n"
                f"stdout: {self.stdout[-1500:]}\nstderr: {self.stderr[-1500:]}")


def barge(*args: str, env: dict[str, str] | None = None, cwd: Path, timeout: float = RUN) -> Run:
    started = time.monotonic()
    result = subprocess.run([barge_bin(), *args], capture_output=True, timeout=timeout, cwd=cwd,
                            env=env if env is not None else clean_env())
    return Run(list(args), result, time.monotonic() - started)


def ok(run: Run, *secrets: str) -> Run:
    assert run.returncode == 0, run
    for s in secrets:
        assert s not in run.output, f"a secret in the output of {run!r}"
    return run


def refused(run: Run, *secrets: str, words: tuple[str, ...] = ()) -> str:
    """Checks a run exited 77 within REFUSAL_BOUND with one `Error:` line that
    names no secret (and mentions one of `words`); returns that line."""
    assert run.returncode == NO_PERMISSION, run
    assert run.elapsed < REFUSAL_BOUND, run
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, run
    for s in secrets:
        assert s not in run.output, f"a secret in the output of {run!r}"
    if words:
        assert any(w in errors[0].lower() for w in words), run
    return errors[0]


def security_flags(b: SecureBroker, login: Login, directory: Path, password_from: str = "file"
                   ) -> tuple[list[str], dict[str, str]]:
    """The flags and environment for `login`: bootstrap servers, protocol, TLS
    files, SASL mechanism and user, and the password from a file
    (--sasl-password-file) or from $BARGE_SASL_PASSWORD."""
    flags = ["--bootstrap-servers", b.address(login.listener), "--security-protocol", login.listener]
    env = clean_env()
    if login.tls:
        flags += ["--ssl-ca-location", login.cafile or b.tls.ca]
        if login.cert:
            flags += ["--ssl-certificate-location", login.cert.cert, "--ssl-key-location", login.cert.key]
    if login.sasl:
        flags += ["--sasl-mechanism", login.mechanism, "--sasl-username", login.user]
        if password_from == "file":
            pw = directory / f"{login.user}-{uuid.uuid4().hex[:6]}.password"
            pw.write_text(login.pw() + "\n")
            pw.chmod(0o600)
            flags += ["--sasl-password-file", str(pw)]
        elif password_from == "env":
            env["BARGE_SASL_PASSWORD"] = login.pw()
        else:
            raise ValueError(password_from)
    return flags, env


def send(b, login, directory, path: Path, topic: str, *extra: str, password_from: str = "file") -> Run:
    flags, env = security_flags(b, login, directory, password_from)
    return barge("send", str(path), "--topic", topic, *flags, *extra, env=env, cwd=directory)


def receive(b, login, directory, topic: str, group: str, to: Path, count: int, password_from: str = "file",
            timeout: float = RUN) -> Run:
    flags, env = security_flags(b, login, directory, password_from)
    return barge("receive", "--topic", topic, "--group", group, "--to", str(to), "--count", str(count), *flags,
                 env=env, cwd=directory, timeout=timeout)


def received_lines(run: Run) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("received ")]


def payloads(directory: Path) -> dict[str, str]:
    return {p.name: sha256_of(str(p)) for p in directory.iterdir() if not p.name.startswith(".")}


def small_and_big(directory: Path, tag: str, big: int = 3 * MB + 12345) -> dict[Path, str]:
    """A 5000-byte file and a multi-MB one (several 960 KiB chunks); path -> sha256."""
    out = {}
    for label, size, seed in (("small", 5000, 1), ("big", big, 2)):
        path = directory / f"{tag}-{label}.bin"
        out[path] = write_file(str(path), size, seed=seed)
    return out


# -- 1. send and receive over SASL ------------------------------------------------------

SASL_CASES = [
    pytest.param("SASL_SSL", "SCRAM-SHA-512", "alice", "file", id="sasl_ssl-scram512-password-file"),
    pytest.param("SASL_SSL", "SCRAM-SHA-512", "bob", "env", id="sasl_ssl-scram512-env"),
    pytest.param("SASL_PLAINTEXT", "PLAIN", "bob", "env", id="sasl_plaintext-plain-env"),
    pytest.param("SASL_PLAINTEXT", "PLAIN", "alice", "file", id="sasl_plaintext-plain-password-file"),
    pytest.param("SASL_PLAINTEXT", "SCRAM-SHA-256", "admin", "file", id="sasl_plaintext-scram256-password-file"),
    pytest.param("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice", "env", id="sasl_plaintext-scram256-env"),
]


@pytest.mark.parametrize("listener,mechanism,user,password_from", SASL_CASES)
def test_send_and_receive_over_sasl(secure, tmp_path, listener, mechanism, user, password_from):
    login = Login(listener, mechanism, user)
    topic, group = name("cli-sasl"), name("g")
    files = small_and_big(tmp_path, listener.lower())
    small, big = files
    ok(send(secure, login, tmp_path, small, topic, password_from=password_from), login.pw())
    ok(send(secure, login, tmp_path, big, topic, "--strategy", "chunked", password_from=password_from), login.pw())
    # The big file went as several records (960 KiB chunks), after the small one's.
    assert kh.watermarks(secure.bootstrap, topic)[1] >= 1 + 4

    inbox = tmp_path / "in"
    run = ok(receive(secure, login, tmp_path, topic, group, inbox, 2, password_from=password_from), login.pw())
    assert len(received_lines(run)) == 2, run
    assert payloads(inbox) == {p.name: digest for p, digest in files.items()}


# -- 2. a Confluent-style client.properties --------------------------------------------

def test_confluent_client_properties_as_is(secure, tmp_path):
    password = USERS["alice"]
    conf = tmp_path / "client.properties"
    conf.write_text(
        "# Required connection configs for Kafka producer, consumer, and admin\n"
        f"bootstrap.servers={secure.address('SASL_SSL')}\n"
        "security.protocol=SASL_SSL\n"
        "sasl.mechanisms=SCRAM-SHA-512\n"
        "sasl.username=alice\n"
        f"sasl.password={password}\n"
        f"ssl.ca.location={secure.tls.ca}\n"
        "\n# Best practice for higher availability in librdkafka clients prior to 1.7\n"
        "session.timeout.ms=45000\n"
        "client.dns.lookup=use_all_dns_ips\n"
        "acks=all\n")
    conf.chmod(0o600)
    topic = name("cli-props")
    payload = tmp_path / "props.bin"
    digest = write_file(str(payload), 70_000, seed=7)
    ok(barge("send", str(payload), "--topic", topic, "--config", str(conf), cwd=tmp_path), password)
    listed = ok(barge("topics", "list", "--config", str(conf), cwd=tmp_path,
                      env=clean_env(BARGE_LOG_LEVEL="debug")), password)
    assert topic in listed.stdout.split(), listed
    # What it sent arrived: read back over PLAINTEXT by the reference client...
    [record] = kh.consume(secure.bootstrap, topic, 1, timeout=T)
    assert record.value is not None
    # ... and by `barge receive` with the same file.
    inbox = tmp_path / "in"
    run = ok(barge("receive", "--topic", topic, "--group", name("g"), "--to", str(inbox), "--count", "1",
                   "--config", str(conf), cwd=tmp_path), password)
    assert payloads(inbox) == {"props.bin": digest}, run


# -- 3. mutual TLS --------------------------------------------------------------------

def test_send_and_receive_with_a_client_certificate(secure, tls, tmp_path):
    login = Login("SSL", cert=tls.clients["writer"])
    topic = name("cli-mtls")
    files = small_and_big(tmp_path, "mtls", big=2 * MB + 777)
    small, big = files
    ok(send(secure, login, tmp_path, small, topic))
    ok(send(secure, login, tmp_path, big, topic, "--strategy", "chunked"))
    inbox = tmp_path / "in"
    run = ok(receive(secure, login, tmp_path, topic, name("g"), inbox, 2))
    assert len(received_lines(run)) == 2, run
    assert payloads(inbox) == {p.name: digest for p, digest in files.items()}


def test_ssl_without_a_client_certificate_is_refused_when_required(secure, tmp_path):
    flags, env = security_flags(secure, Login("SSL"), tmp_path)
    refused(barge("topics", "list", *flags, env=env, cwd=tmp_path))


def test_a_client_certificate_from_an_untrusted_ca_is_refused(secure, tls, tmp_path):
    login = Login("SSL", cert=tls.untrusted)
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"untrusted client certificate")
    refused(send(secure, login, tmp_path, payload, name("cli-untrusted")))


# -- 4. topics describe over SASL_SSL ------------------------------------------------------

def test_topics_describe_over_sasl_ssl_reads_the_tiers(secure, tmp_path):
    login = Login("SASL_SSL", "SCRAM-SHA-512", "bob")
    topic = name("cli-describe")
    payload = tmp_path / "d.bin"
    write_file(str(payload), 40_000, seed=3)
    ok(send(secure, login, tmp_path, payload, topic))
    ok(send(secure, login, tmp_path, payload, topic, password_from="env"))
    flags, env = security_flags(secure, login, tmp_path)
    run = ok(barge("topics", "describe", topic, *flags, env=env, cwd=tmp_path), login.pw())
    lines = run.stdout.splitlines()
    assert lines[0] == f"{topic} partitions=1", run
    assert "tiers unavailable" not in run.output, run
    [partition] = [line for line in lines if line.startswith("partition=0 ")]
    fields = dict(f.split("=", 1) for f in partition.split())
    # Two inline records, nothing tiered (no remote tier: no remote-bytes).
    assert (fields["log-start"], fields["local-start"], fields["tiered-end"], fields["end"]) == ("0", "0", "-1", "2"), run
    assert int(fields["local-bytes"]) >= 2 * 40_000, run
    assert "remote-bytes" not in fields, run
    assert any(line.startswith("config ") for line in lines), run
    # The same as JSON, and from the environment instead of a file.
    flags, env = security_flags(secure, login, tmp_path, password_from="env")
    run = ok(barge("topics", "describe", topic, "--json", *flags, env=env, cwd=tmp_path), login.pw())
    doc = json.loads(run.stdout)
    assert doc["tiers"] and doc["tiers"][0]["endOffset"] == 2, run


# -- 5. refusals ----------------------------------------------------------------------

WRONG = "not-alices-pw-Qx7-never-shown"


def test_wrong_password_exits_77_quickly(secure, tmp_path):
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"never sent")
    topic = name("cli-wrong")
    for login, password_from in ((Login("SASL_SSL", "SCRAM-SHA-512", "alice", password=WRONG), "file"),
                                 (Login("SASL_PLAINTEXT", "PLAIN", "alice", password=WRONG), "env"),
                                 (Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice", password=WRONG), "file")):
        flags, env = security_flags(secure, login, tmp_path, password_from)
        env["BARGE_LOG_LEVEL"] = "debug"
        for args in (["send", str(payload), "--topic", topic],
                     ["receive", "--topic", topic, "--group", name("g"), "--to", str(tmp_path / "in"), "--count", "1"],
                     ["topics", "list"]):
            line = refused(barge(*args, *flags, env=env, cwd=tmp_path), WRONG, USERS["alice"],
                           words=("authentication",))
            assert login.mechanism in line or "sasl" in line.lower(), line
    # Nothing was sent: the topic was never even created.
    assert topic not in AdminClient({"bootstrap.servers": secure.bootstrap}).list_topics(timeout=T).topics


def test_unknown_user_exits_77(secure, tmp_path):
    for login in (Login("SASL_SSL", "SCRAM-SHA-256", "mallory", password=WRONG),
                  Login("SASL_PLAINTEXT", "PLAIN", "mallory", password=WRONG)):
        flags, env = security_flags(secure, login, tmp_path, "env")
        refused(barge("topics", "list", *flags, env=env, cwd=tmp_path), WRONG, words=("authentication",))


def test_an_untrusted_broker_certificate_exits_77(secure, tls, tmp_path):
    """The client trusts another CA than the one that signed the broker's
    certificate: the handshake fails, before the password is sent."""
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"never sent")
    login = Login("SASL_SSL", "SCRAM-SHA-512", "alice", cafile=tls.rogue_ca)
    flags, env = security_flags(secure, login, tmp_path)
    line = refused(barge("send", str(payload), "--topic", name("cli-rogue"), *flags, env=env, cwd=tmp_path),
                   USERS["alice"], words=("certificate", "ssl", "handshake"))
    assert line.startswith("Error: authentication failed"), line
    flags, env = security_flags(secure, Login("SSL", cert=tls.clients["reader"], cafile=tls.rogue_ca), tmp_path)
    refused(barge("topics", "list", *flags, env=env, cwd=tmp_path), words=("certificate", "ssl", "handshake"))


# -- 6. ACLs ----------------------------------------------------------------------------

ADMIN = Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "admin")


def admin_client(b: SecureBroker) -> AdminClient:
    return AdminClient(ADMIN.librdkafka(b))


def add_acls(b: SecureBroker, *bindings: AclBinding) -> None:
    a = admin_client(b)  # the client must outlive its futures
    for f in a.create_acls(list(bindings), request_timeout=T).values():
        f.result(T)


def test_a_write_only_user(acl_broker, tmp_path):
    b = acl_broker
    mine, other, created = name("alice-x"), name("other-y"), name("alice-new")
    a = admin_client(b)
    for f in a.create_topics([NewTopic(t, 1, 1) for t in (mine, other)], request_timeout=T).values():
        f.result(T)
    add_acls(b, AclBinding(ResourceType.TOPIC, mine, ResourcePatternType.LITERAL, "User:alice", "*",
                           AclOperation.WRITE, AclPermissionType.ALLOW))

    alice = Login("SASL_SSL", "SCRAM-SHA-512", "alice")
    password = USERS["alice"]
    payload = tmp_path / "alice.bin"
    digest = write_file(str(payload), 2 * MB + 99, seed=11)

    # alice sends to her topic (chunked: several records).
    ok(send(b, alice, tmp_path, payload, mine, "--strategy", "chunked"), password)
    # She cannot read it back: first her group is refused, then, with READ on
    # the group, the topic.
    group = name("alice-g")
    line = refused(receive(b, alice, tmp_path, mine, group, tmp_path / "alice-in", 1, timeout=REFUSAL_BOUND + 5),
                   password)
    assert "GROUP_AUTHORIZATION_FAILED" in line or "TOPIC_AUTHORIZATION_FAILED" in line, line
    add_acls(b, AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, "User:alice", "*",
                           AclOperation.READ, AclPermissionType.ALLOW))
    line = refused(receive(b, alice, tmp_path, mine, group, tmp_path / "alice-in", 1, timeout=REFUSAL_BOUND + 5),
                   password)
    assert "TOPIC_AUTHORIZATION_FAILED" in line, line
    assert not (tmp_path / "alice-in").exists() or not payloads(tmp_path / "alice-in")
    # She cannot send to another topic, which stays empty.
    line = refused(send(b, alice, tmp_path, payload, other, password_from="env"), password)
    assert "TOPIC_AUTHORIZATION_FAILED" in line and other in line, line
    # She cannot create a topic.
    flags, env = security_flags(b, alice, tmp_path)
    line = refused(barge("topics", "create", created, "--partitions", "1", *flags, env=env, cwd=tmp_path), password)
    assert "TOPIC_AUTHORIZATION_FAILED" in line or "CLUSTER_AUTHORIZATION_FAILED" in line, line

    topics = a.list_topics(timeout=T).topics
    assert created not in topics, sorted(topics)
    # The super user reads what alice sent, byte for byte; nothing reached the other topic.
    inbox = tmp_path / "admin-in"
    ok(receive(b, ADMIN, tmp_path, mine, name("admin-g"), inbox, 1), USERS["admin"])
    assert payloads(inbox) == {"alice.bin": digest}
    conf = ADMIN.librdkafka(b)
    c = kh.consumer(conf.pop("bootstrap.servers"), **conf)
    try:
        assert c.get_watermark_offsets(TopicPartition(other, 0), timeout=T, cached=False) == (0, 0)
    finally:
        c.close()
