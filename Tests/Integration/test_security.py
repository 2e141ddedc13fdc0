"""TLS and SASL with the real clients: confluent-kafka, kcat, kafka-python and
aiokafka produce and consume over SSL (with and without a client
certificate), SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, and
SASL_SSL; refusals (wrong password, unknown user, expired or untrusted client
certificate, plaintext on the TLS port, TLS on the plaintext port) are clean
and bounded while another client goes on; a 20 MB record over TLS; hostile
bytes before login on the SASL port.

One broker for the module (no authorizer, ssl.client.auth=requested): the
tests use their own topics and do not interfere. ACLs and
ssl.client.auth=required are in test_security_acls.py.
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import time
import uuid

import pytest

import kafka_helpers as kh
import kafka_wire as kw
from secure_broker import CLIENTS, Login, SecureBroker, Witness, refused, roundtrip, start_secure_broker, text_messages
from tls_material import make_tls_material

pytestmark = pytest.mark.timeout(120)

MB = 1_000_000
BIG_LIMIT = 30 * MB

@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def secure(tmp_path_factory, tls) -> SecureBroker:
    b = start_secure_broker(tmp_path_factory.mktemp("secure-broker"), tls, {
        "ssl.client.auth": "requested",
        # For the 20 MB record.
        "message.max.bytes": str(BIG_LIMIT),
        "socket.request.max.bytes": str(2 * BIG_LIMIT),
    })
    yield b
    b.stop()


@pytest.fixture(autouse=True)
def _attach_log(request, secure):
    # conftest attaches the broker log tail of a failed test.
    request.node._brokers = [secure]
    yield
    assert secure.alive(), f"broker died:\n{secure.log_tail()}"


def topic() -> str:
    return f"sec-{uuid.uuid4().hex[:12]}"


def logins():
    """(id, Login factory taking the TLS material, whether it uses SASL)."""
    return [
        ("ssl", lambda t: Login("SSL"), False),
        ("ssl-client-cert", lambda t: Login("SSL", cert=t.clients["reader"]), False),
        ("sasl_plaintext-plain", lambda t: Login("SASL_PLAINTEXT", "PLAIN", "alice"), True),
        ("sasl_plaintext-scram256", lambda t: Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice"), True),
        ("sasl_plaintext-scram512", lambda t: Login("SASL_PLAINTEXT", "SCRAM-SHA-512", "bob"), True),
        ("sasl_ssl-scram512", lambda t: Login("SASL_SSL", "SCRAM-SHA-512", "admin"), True),
        ("sasl_ssl-plain", lambda t: Login("SASL_SSL", "PLAIN", "bob"), True),
    ]


ROUNDTRIP_PARAMS = [
    pytest.param(client, make, id=f"{client}-{name}")
    for client in CLIENTS for name, make, _ in logins()
]


def test_users_listed(secure):
    # `barge users add` ran before the start; `barge users list` reads the same directory.
    out = secure.list_users()
    for user in ("admin", "alice", "bob"):
        assert user in out and "SCRAM-SHA-256" in out and "SCRAM-SHA-512" in out, out


@pytest.mark.parametrize("client,make", ROUNDTRIP_PARAMS)
def test_roundtrip(secure, tls, client, make):
    login = make(tls)
    t = topic()
    kh.create_topic(secure.bootstrap, t)
    msgs = text_messages(8, client)
    got = roundtrip(client, secure, login, t, msgs)
    assert got == msgs, f"{login.describe()}: read {got[:3]}..., want {msgs[:3]}..."
    # What the client wrote is what the reference client reads over PLAINTEXT.
    assert [(m.key, m.value) for m in kh.consume(secure.bootstrap, t, len(msgs))] == msgs


def test_metadata_advertises_the_listener_of_the_connection(secure, tls):
    """Each listener's clients are sent to that listener's address."""
    from confluent_kafka.admin import AdminClient
    for login in (Login("SSL"), Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice"),
                  Login("SASL_SSL", "SCRAM-SHA-512", "bob"), Login("PLAINTEXT")):
        md = AdminClient(login.librdkafka(secure)).list_topics(timeout=15)
        assert [f"{b.host}:{b.port}" for b in md.brokers.values()] == [secure.address(login.listener)], login


# -- refusals -------------------------------------------------------------------

REFUSALS = {
    # name: (Login factory, port to connect to or None for the login's own, what the report must mention)
    "wrong-password-scram": (lambda t: Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice", password="not-alice"), None,
                             ("authentication", "sasl")),
    "wrong-password-plain": (lambda t: Login("SASL_SSL", "PLAIN", "bob", password="not-bob"), None,
                             ("authentication", "sasl")),
    "unknown-user": (lambda t: Login("SASL_PLAINTEXT", "SCRAM-SHA-512", "mallory", password="whatever"), None,
                     ("authentication", "sasl")),
    "expired-client-cert": (lambda t: Login("SSL", cert=t.expired), None, ("expired",)),
    "untrusted-client-cert": (lambda t: Login("SSL", cert=t.untrusted), None, ("unknown ca", "unknown_ca")),
    "plaintext-on-tls-port": (lambda t: Login("PLAINTEXT"), "SSL",
                              ("disconnect", "closed", "frame", "brokers are down", "ssl", "unable to bootstrap")),
    "tls-on-plaintext-port": (lambda t: Login("SSL"), "PLAINTEXT",
                              ("ssl", "handshake", "eof", "closed", "disconnect")),
}

REFUSAL_PARAMS = [
    pytest.param(client, name, id=f"{client}-{name}")
    for client in CLIENTS for name in REFUSALS
]


@pytest.mark.parametrize("client,case", REFUSAL_PARAMS)
def test_refused_cleanly_while_others_go_on(secure, tls, client, case):
    make, port, words = REFUSALS[case]
    login = make(tls)
    address = secure.address(port) if port else None
    with Witness(secure, topic()) as witness:
        report = refused(client, secure, login, address)
        witness.check()
    low = report.lower()
    if client == "aiokafka" and login.tls or port == "PLAINTEXT":
        # aiokafka logs only "Unable connect to ...: Connection ... closed" (or an empty
        # reason) for a failed TLS handshake: it does not surface the TLS alert.
        words = (*words, "closed", "unable connect")
    assert any(w in low for w in words), f"{client} {case}: report does not say why: {report[-1500:]}"
    if "sasl" in words:
        # The refusal must not be mistaken for a missing SASL handshake.
        assert "not supported" not in low, report[-1500:]
    assert secure.alive()


def test_refused_login_then_good_login_on_the_same_client_config(secure):
    """A failed login leaves nothing behind: the same user with the right
    password logs in at once, many times over."""
    for _ in range(5):
        refused("confluent", secure, Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice", password="wrong"))
    t = topic()
    kh.create_topic(secure.bootstrap, t)
    msgs = text_messages(3, "after-failures")
    assert roundtrip("confluent", secure, Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice"), t, msgs) == msgs


# -- a large record over TLS --------------------------------------------------------

def test_20mb_record_over_ssl(secure, tls):
    """A 20 MB record produced and consumed over SSL byte for byte: the broker
    reads the stored file region in pieces and encrypts each (no sendfile)."""
    t = topic()
    kh.create_topic(secure.bootstrap, t, config={"max.message.bytes": str(BIG_LIMIT)})
    payload = os.urandom(20 * MB)
    want = hashlib.sha256(payload).hexdigest()
    conf = Login("SSL").librdkafka(secure)
    bootstrap = conf.pop("bootstrap.servers")
    msgs = [kh.Msg(b"big", payload, [("sha256", want.encode())]), kh.Msg(b"small", b"after the big one")]
    kh.produce(bootstrap, t, msgs, timeout=60, **conf, **{
        "message.max.bytes": BIG_LIMIT, "linger.ms": 0, "compression.type": "none", "request.timeout.ms": 60000})
    assert [m.offset for m in msgs] == [0, 1]
    fetch = {"fetch.max.bytes": BIG_LIMIT, "max.partition.fetch.bytes": BIG_LIMIT,
             "receive.message.max.bytes": BIG_LIMIT + MB}
    for login in (Login("SSL"), Login("SASL_SSL", "SCRAM-SHA-256", "alice")):
        conf = login.librdkafka(secure)
        bootstrap = conf.pop("bootstrap.servers")
        got = kh.consume(bootstrap, t, 2, timeout=90, **conf, **fetch)
        assert got[0].key == b"big" and len(got[0].value) == len(payload), login.describe()
        assert hashlib.sha256(got[0].value).hexdigest() == want, login.describe()
        assert (got[1].key, got[1].value) == (b"small", b"after the big one")
        del got
    # kafka-python reads it over SSL too (Python's ssl module, another TLS stack).
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(**Login("SSL").kafka_python(secure), group_id=None, enable_auto_commit=False,
                      auto_offset_reset="none", fetch_max_bytes=BIG_LIMIT, max_partition_fetch_bytes=BIG_LIMIT)
    try:
        tp = TopicPartition(t, 0)
        c.assign([tp])
        c.seek(tp, 0)
        deadline = time.monotonic() + 60
        first = None
        while first is None and time.monotonic() < deadline:
            for recs in c.poll(timeout_ms=500, max_records=1).values():
                first = recs[0]
        assert first is not None, "kafka-python read nothing over SSL"
        assert hashlib.sha256(first.value).hexdigest() == want
    finally:
        c.close()


# -- hostile input before login ---------------------------------------------------------

def _closed(sock: socket.socket, timeout: float = 10.0) -> bytes:
    """Reads until the peer closes; returns what came (fails on a timeout)."""
    sock.settimeout(timeout)
    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return got
        if not chunk:
            return got
        got += chunk
    raise AssertionError(f"connection still open after {timeout}s ({len(got)} bytes read)")


def _send_all_or_reset(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _sasl_port(secure) -> tuple[str, int]:
    host, port = secure.address("SASL_PLAINTEXT").rsplit(":", 1)
    return host, int(port)


def test_garbage_before_login_is_closed(secure):
    addr = _sasl_port(secure)
    rng = __import__("random").Random(5)
    for blob in (b"\x00\x00\x00\x10" + b"\xff" * 16,             # a frame of garbage
                 b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",             # a stray HTTP request
                 b"\x16\x03\x01\x02\x00" + rng.randbytes(512),     # a TLS ClientHello on a plaintext port
                 struct.pack(">i", -5) + b"abc",                   # a negative size
                 rng.randbytes(2048)):
        with socket.create_connection(addr, timeout=10) as s:
            _send_all_or_reset(s, blob)
            got = _closed(s)
            assert len(got) < 200, f"a long answer to garbage: {got[:100]!r}"
    # A request other than ApiVersions/SASL before login is not served.
    with socket.create_connection(addr, timeout=10) as s:
        _send_all_or_reset(s, kw.metadata_request(7, None))
        got = _closed(s)
        assert b"sec-" not in got, "metadata served before login"
    t = topic()
    kh.create_topic(secure.bootstrap, t)
    msgs = text_messages(3, "after-garbage")
    assert roundtrip("confluent", secure, Login("SASL_PLAINTEXT", "SCRAM-SHA-512", "bob"), t, msgs) == msgs


def test_oversized_sasl_frame_is_closed(secure):
    """A frame beyond sasl.server.max.receive.size (524288) before login is
    closed without the broker reading (or buffering) it whole."""
    addr = _sasl_port(secure)
    with socket.create_connection(addr, timeout=10) as s:
        # SaslHandshake v1 for PLAIN first, so the next frame is a SASL token.
        hs = struct.pack(">hhih", 17, 1, 1, 4) + b"test" + struct.pack(">h", 5) + b"PLAIN"
        s.sendall(struct.pack(">i", len(hs)) + hs)
        size = 2 * 524_288
        head = struct.pack(">hhih", 36, 2, 2, 4) + b"test"
        _send_all_or_reset(s, struct.pack(">i", size) + head + b"\x00" * 65536)
        sent = 0
        try:
            s.settimeout(10)
            while sent < size:
                sent += s.send(b"\x00" * 65536)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        got = _closed(s)
        # Only the handshake's answer may come back.
        assert len(got) < 200, got[:200]
    # A frame that claims 100 MB is refused at its size, before any body.
    with socket.create_connection(addr, timeout=10) as s:
        _send_all_or_reset(s, struct.pack(">i", 100 * MB) + b"\x00" * 16)
        assert _closed(s) == b""
    msgs = text_messages(3, "after-oversized")
    for client, login in (("confluent", Login("SASL_PLAINTEXT", "PLAIN", "alice")),
                          ("kafka-python", Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "bob"))):
        t = topic()
        kh.create_topic(secure.bootstrap, t)
        assert roundtrip(client, secure, login, t, msgs) == msgs


def test_encrypted_keystore_with_key_password(tmp_path, tls):
    """ssl.key.password opens an encrypted PEM key; a wrong one stops the start with a clear error."""
    from tls_material import BROKER_KEY_PASSWORD
    b = start_secure_broker(tmp_path / "enc", tls, {"ssl.keystore.location": tls.broker_keystore_encrypted,
                                                    "ssl.key.password": BROKER_KEY_PASSWORD})
    try:
        t = topic()
        kh.create_topic(b.bootstrap, t)
        msgs = text_messages(3, "encrypted-key")
        assert roundtrip("confluent", b, Login("SASL_SSL", "SCRAM-SHA-256", "alice"), t, msgs) == msgs
    finally:
        b.stop()
    with pytest.raises(RuntimeError) as e:
        start_secure_broker(tmp_path / "wrong", tls, {"ssl.keystore.location": tls.broker_keystore_encrypted,
                                                      "ssl.key.password": "not-the-password"})
    assert "ssl.key.password" in str(e.value) or "private key" in str(e.value), str(e.value)[-2000:]


def test_slowloris_of_500_connections_is_closed_in_time_while_others_are_served(secure):
    """500 connections that each send half a size prefix and nothing more:
    a real client is still served meanwhile, and the authentication deadline
    (connections.authentication.timeout.ms, 10 s) closes every one of them."""
    addr = _sasl_port(secure)
    crowd = []
    try:
        for _ in range(500):
            s = socket.create_connection(addr, timeout=10)
            _send_all_or_reset(s, b"\x00\x00")
            crowd.append(s)
        t = topic()
        kh.create_topic(secure.bootstrap, t)
        msgs = text_messages(3, "through-the-crowd")
        assert roundtrip("confluent", secure, Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice"), t, msgs) == msgs
        deadline = time.monotonic() + 40
        for s in crowd:
            assert _closed(s, max(1.0, deadline - time.monotonic())) == b""
    finally:
        for s in crowd:
            s.close()
