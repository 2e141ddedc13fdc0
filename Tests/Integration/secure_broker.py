"""A barge broker with TLS, SASL and (optionally) ACLs, and client settings for
each real client on each of its listeners.

`SecureBroker` is conftest's `Broker` with four listeners on free ports,
PLAINTEXT first (conftest's readiness probe, ApiVersions v0, goes to it),
then SSL, SASL_PLAINTEXT and SASL_SSL; `ports[name]` and `address(name)`
give each one. The users in USERS are added with `barge users add` before
the broker starts.

`client_conf(kind, ...)` turns one description of a login (listener,
mechanism, user, client certificate) into each client's settings:
confluent-kafka / kcat properties, kafka-python and aiokafka keyword
arguments.
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import BROKER_KIND, HOST, Broker, barge_bin, free_port
from tls_material import ClientCert, TLSMaterial

LISTENERS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
USERS = {"admin": "admin-secret-pw", "alice": "alice-secret-pw", "bob": "bob-secret-pw"}
ALL_MECHANISMS = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


class SecureBroker(Broker):
    """A barge broker with the four listeners and the USERS."""

    def __init__(self, data_dir: Path, log_path: Path, tls: TLSMaterial, settings: dict[str, str] | None = None,
                 users: dict[str, str] | None = None):
        self.ports = {name: free_port() for name in LISTENERS}
        base = {
            "listeners": ",".join(f"{n}://{HOST}:{p}" for n, p in self.ports.items()),
            "ssl.keystore.location": tls.broker_keystore,
            "ssl.truststore.location": tls.ca,
            "sasl.enabled.mechanisms": ALL_MECHANISMS,
            "connection.failed.authentication.delay.ms": "0",
        }
        base.update(settings or {})
        super().__init__(BROKER_KIND, data_dir, log_path, base)
        self.port = self.ports["PLAINTEXT"]
        self.tls = tls
        self.users = dict(USERS if users is None else users)

    def address(self, listener: str) -> str:
        return f"{HOST}:{self.ports[listener]}"

    def add_users(self) -> None:
        for name, password in self.users.items():
            pw = self.data_dir.parent / f"{name}.password"
            pw.write_text(password + "\n")
            res = subprocess.run([barge_bin(), "users", "add", name, "--data-dir", str(self.data_dir),
                                  "--password-file", str(pw)], capture_output=True, timeout=60)
            assert res.returncode == 0, f"barge users add {name}: {res.stderr.decode(errors='replace')}"

    def list_users(self) -> str:
        res = subprocess.run([barge_bin(), "users", "list", "--data-dir", str(self.data_dir)], capture_output=True,
                             timeout=60)
        assert res.returncode == 0, res.stderr.decode(errors="replace")
        return res.stdout.decode()

    def start(self, timeout: float = 30.0) -> None:
        if self.starts == 0:
            self.add_users()
        super().start(timeout)


def start_secure_broker(directory: Path, tls: TLSMaterial, settings: dict[str, str] | None = None,
                        users: dict[str, str] | None = None) -> SecureBroker:
    if BROKER_KIND != "barge":
        import pytest
        pytest.skip("the security tests need barge (BROKER=barge)")
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    data.mkdir()
    b = SecureBroker(data, directory / "broker.log", tls, settings, users)
    b.start()
    return b


@dataclass
class Login:
    """How a client connects: a listener, and a SASL mechanism and user, or a
    client certificate, or nothing."""
    listener: str
    mechanism: str | None = None
    user: str | None = None
    password: str | None = None
    cert: ClientCert | None = None
    # Trust this CA file instead of the test CA (None: the test CA).
    cafile: str | None = None

    @property
    def tls(self) -> bool:
        return self.listener in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.listener.startswith("SASL")

    def pw(self) -> str | None:
        if self.password is not None:
            return self.password
        return USERS.get(self.user or "", "")

    def describe(self) -> str:
        who = self.user or (self.cert and self.cert.principal) or "anonymous"
        return f"{self.listener}/{self.mechanism or '-'}/{who}"

    # -- per client ------------------------------------------------------
    def librdkafka(self, b: SecureBroker) -> dict[str, str]:
        """confluent-kafka and kcat (-X) properties, bootstrap included."""
        conf = {"bootstrap.servers": b.address(self.listener), "security.protocol": self.listener.lower()}
        if self.tls:
            conf["ssl.ca.location"] = self.cafile or b.tls.ca
            if self.cert:
                conf["ssl.certificate.location"] = self.cert.cert
                conf["ssl.key.location"] = self.cert.key
        if self.sasl:
            conf.update({"sasl.mechanisms": self.mechanism, "sasl.username": self.user, "sasl.password": self.pw()})
        return conf

    def kafka_python(self, b: SecureBroker) -> dict:
        conf = {"bootstrap_servers": b.address(self.listener), "security_protocol": self.listener}
        if self.tls:
            conf["ssl_cafile"] = self.cafile or b.tls.ca
            if self.cert:
                conf["ssl_certfile"] = self.cert.cert
                conf["ssl_keyfile"] = self.cert.key
        if self.sasl:
            conf.update({"sasl_mechanism": self.mechanism, "sasl_plain_username": self.user,
                         "sasl_plain_password": self.pw()})
        return conf

    def ssl_context(self, b: SecureBroker) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.cafile or b.tls.ca)
        if self.cert:
            ctx.load_cert_chain(self.cert.cert, self.cert.key)
        return ctx

    def aiokafka(self, b: SecureBroker) -> dict:
        conf = {"bootstrap_servers": b.address(self.listener), "security_protocol": self.listener}
        if self.tls:
            conf["ssl_context"] = self.ssl_context(b)
        if self.sasl:
            conf.update({"sasl_mechanism": self.mechanism, "sasl_plain_username": self.user,
                         "sasl_plain_password": self.pw()})
        return conf

    def kcat_args(self, b: SecureBroker) -> list[str]:
        conf = self.librdkafka(b)
        args = ["-b", conf.pop("bootstrap.servers")]
        for k, v in conf.items():
            args += ["-X", f"{k}={v}"]
        return args


# -- each client, produce / consume / refused ---------------------------------

CLIENTS = ["confluent", "kcat", "kafka-python", "aiokafka"]
TIMEOUT = 30.0


def text_messages(n: int, tag: str) -> list[tuple[bytes, bytes]]:
    """(key, value) pairs without ':' or newlines, so kcat can carry them."""
    return [(b"k%d" % i, f"{tag}-value-{i}-".encode() + os.urandom(24).hex().encode()) for i in range(n)]


def kcat_run(args: list[str], input: bytes | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(["kcat", *args], input=input, capture_output=True, timeout=timeout)


def kcat_metadata(args: list[str], bound: float = 15.0, debug: bool = False) -> tuple[int | None, str]:
    """`kcat -L` with these connection arguments. Returns (exit code, stderr),
    or (None, stderr) as soon as librdkafka logs an error (a `%3|` line, or
    with `debug` any connection FAIL line: librdkafka 2.0.2 logs a disconnect
    during ApiVersion at debug level only): kcat itself would retry until
    its metadata timeout."""
    extra = ["-X", "debug=broker"] if debug else []
    proc = subprocess.Popen(["kcat", *args, *extra, "-L", "-m", str(int(bound))], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = b""
    deadline = time.monotonic() + bound + 5
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 0.1)
            if ready:
                chunk = os.read(proc.stderr.fileno(), 65536)
                if not chunk:
                    return proc.wait(10), err.decode(errors="replace")
                err += chunk
                if b"%3|" in err or b"% ERROR" in err or (debug and b"|FAIL|" in err):
                    return None, err.decode(errors="replace")
            elif proc.poll() is not None:
                return proc.returncode, err.decode(errors="replace")
        raise AssertionError(f"kcat -L still running after {bound + 5}s: {err[-1000:]!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()


def roundtrip(client: str, b: SecureBroker, login: Login, topic: str, msgs: list[tuple[bytes, bytes]]) -> list:
    """Produces msgs to topic partition 0 with `client` logged in as `login`,
    then reads them back with the same client; returns the (key, value) read."""
    if client == "confluent":
        import kafka_helpers as kh
        conf = login.librdkafka(b)
        bootstrap = conf.pop("bootstrap.servers")
        kh.produce(bootstrap, topic, [kh.Msg(k, v) for k, v in msgs], timeout=TIMEOUT, **conf)
        return [(m.key, m.value) for m in kh.consume(bootstrap, topic, len(msgs), timeout=TIMEOUT, **conf)]
    if client == "kcat":
        base = login.kcat_args(b)
        rc, err = kcat_metadata(base, 10)
        assert rc == 0, f"kcat -L failed: {err[-2000:]}"
        data = b"".join(k + b":" + v + b"\n" for k, v in msgs)
        res = kcat_run([*base, "-P", "-t", topic, "-p", "0", "-K", ":"], input=data)
        assert res.returncode == 0, f"kcat -P exited {res.returncode}: {res.stderr.decode(errors='replace')[-2000:]}"
        res = kcat_run([*base, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-c", str(len(msgs)), "-e",
                        "-f", "%k:%s\n"])
        assert res.returncode == 0, f"kcat -C exited {res.returncode}: {res.stderr.decode(errors='replace')[-2000:]}"
        return [tuple(line.split(b":", 1)) for line in res.stdout.splitlines()]
    if client == "kafka-python":
        from kafka import KafkaConsumer, KafkaProducer, TopicPartition
        conf = login.kafka_python(b)
        p = KafkaProducer(**conf, acks="all", linger_ms=5, request_timeout_ms=20000)
        try:
            futures = [p.send(topic, key=k, value=v, partition=0) for k, v in msgs]
            p.flush(TIMEOUT)
            for f in futures:
                f.get(timeout=TIMEOUT)
        finally:
            p.close(10)
        c = KafkaConsumer(**conf, group_id=None, enable_auto_commit=False, auto_offset_reset="none")
        try:
            tp = TopicPartition(topic, 0)
            c.assign([tp])
            c.seek(tp, 0)
            out = []
            deadline = time.monotonic() + TIMEOUT
            while len(out) < len(msgs) and time.monotonic() < deadline:
                for recs in c.poll(timeout_ms=300).values():
                    out += [(r.key, r.value) for r in recs]
            return out
        finally:
            c.close()
    if client == "aiokafka":
        return asyncio.run(_aio_roundtrip(b, login, topic, msgs))
    raise ValueError(client)


async def _aio_roundtrip(b, login, topic, msgs):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    p = AIOKafkaProducer(**login.aiokafka(b), acks="all", linger_ms=5, request_timeout_ms=20000)
    await p.start()
    try:
        futs = [await p.send(topic, key=k, value=v, partition=0) for k, v in msgs]
        for f in futs:
            await asyncio.wait_for(f, TIMEOUT)
    finally:
        await p.stop()
    c = AIOKafkaConsumer(**login.aiokafka(b), group_id=None, enable_auto_commit=False, auto_offset_reset="none")
    await c.start()
    try:
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek(tp, 0)
        out = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while len(out) < len(msgs) and loop.time() < deadline:
            for recs in (await c.getmany(tp, timeout_ms=300)).values():
                out += [(r.key, r.value) for r in recs]
        return out
    finally:
        await c.stop()


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a log line we cannot format still counts
            msg = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            msg += f" {record.exc_info[1]!r}"
        self.lines.append(msg)


def refused(client: str, b: SecureBroker, login: Login, address: str | None = None, bound: float = 8.0) -> str:
    """Connects with `client` as `login` (to `address`, default the login's
    listener), expects the connection to be refused, and returns what the
    client reported, as text. Fails if the client gets metadata, or takes
    longer than `bound` seconds to give up."""
    address = address or b.address(login.listener)
    started = time.monotonic()
    if client == "confluent":
        from confluent_kafka import KafkaError
        from confluent_kafka.admin import AdminClient
        errors: list[KafkaError] = []
        conf = login.librdkafka(b)
        conf.update({"bootstrap.servers": address, "error_cb": errors.append, "reconnect.backoff.ms": 200})
        a = AdminClient(conf)
        while not errors and time.monotonic() - started < bound:
            a.poll(0.05)
        report = "; ".join(f"{e.name()}: {e.str()}" for e in errors)
    elif client == "kcat":
        rc, report = kcat_metadata([*login.kcat_args(b)[2:], "-b", address], bound, debug=True)
        assert rc != 0, f"kcat -L succeeded: {report[-500:]}"
    elif client == "kafka-python":
        from kafka import KafkaConsumer
        from kafka.errors import KafkaError as KPError
        cap = _Capture()
        log = logging.getLogger("kafka")
        old_level = log.level
        log.setLevel(logging.DEBUG)
        log.addHandler(cap)
        try:
            try:
                c = KafkaConsumer(**{**login.kafka_python(b), "bootstrap_servers": address}, group_id=None,
                                  bootstrap_timeout_ms=1000, request_timeout_ms=5000, reconnect_backoff_ms=100)
            except KPError as e:
                report = f"{e!r} | " + " | ".join(cap.lines)
            else:
                topics = c.topics()
                c.close()
                raise AssertionError(f"kafka-python connected: {topics}")
        finally:
            log.removeHandler(cap)
            log.setLevel(old_level)
    elif client == "aiokafka":
        cap = _Capture()
        log = logging.getLogger("aiokafka")
        log.addHandler(cap)
        try:
            report = asyncio.run(_aio_refused(b, login, address)) + " | " + " | ".join(cap.lines)
        finally:
            log.removeHandler(cap)
    else:
        raise ValueError(client)
    elapsed = time.monotonic() - started
    assert report, f"{client} reported nothing"
    assert elapsed < bound + 4, f"{client} took {elapsed:.1f}s to give up"
    return report


async def _aio_refused(b, login, address):
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaError as AIOError
    p = AIOKafkaProducer(**{**login.aiokafka(b), "bootstrap_servers": address}, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(p.start(), 15)
    except AIOError as e:
        return repr(e)
    finally:
        await p.stop()
    raise AssertionError("aiokafka connected")


class Witness:
    """A confluent-kafka producer logged in on SASL_SSL that keeps producing
    in a thread: `check()` waits until it has delivered more after the point
    of the call, with no error — the broker still serves others."""

    def __init__(self, b: SecureBroker, topic: str):
        from confluent_kafka import Producer
        conf = Login("SASL_SSL", "SCRAM-SHA-256", "bob").librdkafka(b)
        conf.update({"acks": "all", "linger.ms": 0})
        self.producer = Producer(conf)
        self.topic = topic
        self.delivered = 0
        self.errors: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cb(self, err, msg):
        if err is not None:
            self.errors.append(err)
        else:
            self.delivered += 1

    def _run(self):
        i = 0
        while not self._stop.is_set():
            self.producer.produce(self.topic, b"witness-%d" % i, on_delivery=self._cb)
            i += 1
            self.producer.poll(0.02)

    def __enter__(self):
        self._thread.start()
        self.check()
        return self

    def check(self, more: int = 3, timeout: float = 15.0):
        start = self.delivered
        deadline = time.monotonic() + timeout
        while self.delivered < start + more:
            assert not self.errors, f"witness producer failed: {self.errors[:3]}"
            assert time.monotonic() < deadline, f"witness producer stalled at {self.delivered} deliveries"
            time.sleep(0.02)
        assert not self.errors, f"witness producer failed: {self.errors[:3]}"

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                self.check()
        finally:
            self._stop.set()
            self._thread.join(10)
            self.producer.flush(10)
            self.producer.close()
