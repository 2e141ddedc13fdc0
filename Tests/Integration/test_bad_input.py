"""Hostile input on raw sockets: thousands of malformed frames, each on its own
connection, never crash the broker or disturb other connections; afterwards a
normal round trip works.

Expectations follow Kafka: a corrupt record batch gets CORRUPT_MESSAGE; an
unsupported ApiVersions version gets UNSUPPORTED_VERSION with the supported
ranges; a frame the broker cannot parse gets an error response or a closed
connection (never a silent hang); a size prefix that is negative or above
socket.request.max.bytes closes the connection without waiting for the body.
"""

from __future__ import annotations

import os
import random
import re
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import kafka_wire as kw
from kafka_helpers import Msg, assert_same_messages, consume, create_topic, produce

pytestmark = pytest.mark.timeout(300)

MAX_REQUEST = 1_000_000  # socket.request.max.bytes for this broker
ANSWER_TIMEOUT = 5.0


class Outcome:
    RESPONSE = "response"
    CLOSED = "closed"
    HUNG = "hung"


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def send_and_leave(port, data: bytes):
    """Sends data and closes at once (the broker may be waiting for more)."""
    s = connect(port)
    try:
        s.sendall(data)
    except OSError:
        pass  # the broker may have closed already
    finally:
        s.close()


def read_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def send_and_observe(port, data: bytes, shut_write=False) -> tuple[str, int | None, bytes | None]:
    """Sends one complete frame and returns (outcome, correlation id, body)."""
    s = connect(port)
    try:
        try:
            s.sendall(data)
            if shut_write:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            return Outcome.CLOSED, None, None
        try:
            head = read_exact(s, 4)
            if head is None:
                return Outcome.CLOSED, None, None
            size = struct.unpack(">i", head)[0]
            assert 4 <= size <= 64 * 1024 * 1024, f"absurd response size {size}"
            frame = read_exact(s, size)
            if frame is None:
                return Outcome.CLOSED, None, None
            return Outcome.RESPONSE, struct.unpack(">i", frame[:4])[0], frame[4:]
        except socket.timeout:
            return Outcome.HUNG, None, None
        except (ConnectionResetError, BrokenPipeError):
            return Outcome.CLOSED, None, None
    finally:
        s.close()


def expect_closed(port, data: bytes) -> str:
    """For sizes the broker must refuse outright: it closes without waiting for
    a body that will never come."""
    s = connect(port)
    try:
        try:
            s.sendall(data)
        except OSError:
            return Outcome.CLOSED
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    return Outcome.CLOSED
        except socket.timeout:
            return Outcome.HUNG
        except (ConnectionResetError, BrokenPipeError):
            return Outcome.CLOSED
    finally:
        s.close()


class HangBudget:
    """Stops a phase early once the broker has hung on several frames, so that
    a failing broker fails the test quickly instead of timing out."""

    def __init__(self, limit=10):
        self.limit = limit
        self.hung = 0
        self.lock = threading.Lock()

    def exhausted(self) -> bool:
        return self.hung >= self.limit

    def record(self, outcome):
        if outcome == Outcome.HUNG:
            with self.lock:
                self.hung += 1


def frame(payload: bytes) -> bytes:
    return struct.pack(">i", len(payload)) + payload


def header(api_key, version, cid, client_id="hostile"):
    return kw.int16(api_key) + kw.int16(version) + kw.int32(cid) + kw.string(client_id)


class Observer(threading.Thread):
    """A well-behaved client on its own connection, doing round trips while the
    barrage runs: other connections must not be disturbed."""

    def __init__(self, port, topic):
        super().__init__(daemon=True)
        self.port = port
        self.topic = topic
        self.stop = threading.Event()
        self.roundtrips = 0
        self.error: BaseException | None = None
        self.progress = threading.Condition()
        self.mark = 0

    def run(self):
        try:
            with kw.Connection("127.0.0.1", self.port) as conn:
                while not self.stop.is_set():
                    av = kw.parse_api_versions_v0(conn.roundtrip(kw.api_versions_request))
                    assert av.error_code == 0
                    batch = kw.record_batch([kw.Record(b"observer", b"%d" % self.roundtrips)])
                    (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, self.topic, 0, batch, acks=1))
                    assert r.error_code == 0, r
                    assert r.base_offset == self.roundtrips, r
                    with self.progress:
                        self.roundtrips += 1
                        self.progress.notify_all()
                    time.sleep(0.02)  # pacing only: the checkpoints wait for round trips
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e
        finally:
            with self.progress:
                self.progress.notify_all()

    def checkpoint(self, count: int = 2, timeout: float = 60.0) -> None:
        """Waits (bounded) until the observer has done `count` round trips since the last
        checkpoint, so that its round trips interleave with each part of the barrage
        however fast that part was; an observer that fails or hangs shows in the asserts."""
        with self.progress:
            self.progress.wait_for(lambda: self.roundtrips >= self.mark + count or not self.is_alive(), timeout)
            self.mark = self.roundtrips


def valid_frames(topic, rng) -> list[bytes]:
    batch = kw.record_batch([kw.Record(b"k%d" % i, rng.randbytes(rng.randrange(0, 300)), [("h", b"v")])
                             for i in range(3)])
    return [
        kw.api_versions_request(7),
        kw.metadata_request(7, [topic]),
        kw.produce_request(7, topic, 0, batch, acks=1),
        kw.fetch_request(7, topic, 0, 0),
        kw.init_producer_id_request(7),
    ]


def test_thousands_of_hostile_frames(broker_factory, topic_name):
    b = broker_factory({"socket.request.max.bytes": str(MAX_REQUEST)})
    port = b.port
    create_topic(b.bootstrap, topic_name)
    observer_topic = topic_name + "-observer"
    create_topic(b.bootstrap, observer_topic)
    rng = random.Random(20240601)
    counts: dict[str, int] = {}
    problems: list[str] = []

    def note(kind, n=1):
        counts[kind] = counts.get(kind, 0) + n

    observer = Observer(port, observer_topic)
    observer.start()
    rss_before = b.rss_kb() if b.kind == "barge" else None

    # 1. Random bytes, sent and abandoned.
    for _ in range(800):
        send_and_leave(port, rng.randbytes(rng.randrange(1, 400)))
    note("random bytes", 800)
    observer.checkpoint()

    # 2. Truncated valid frames (the size prefix promises more than arrives).
    valid = valid_frames(topic_name, rng)
    for _ in range(600):
        f = rng.choice(valid)
        send_and_leave(port, f[:rng.randrange(1, len(f))])
    note("truncated frames", 600)
    observer.checkpoint()

    # 3. Negative sizes and sizes above socket.request.max.bytes: closed
    #    without the broker waiting for (or allocating) the body.
    sizes = [-1, -4, -(2 ** 31), 2 ** 31 - 1, MAX_REQUEST + 1, 2 * MAX_REQUEST, 2 ** 30]
    sizes += [rng.randrange(-(2 ** 31), 0) for _ in range(150)]
    sizes += [rng.randrange(MAX_REQUEST + 1, 2 ** 31) for _ in range(150)]

    budget = HangBudget()

    def oversized(size):
        if budget.exhausted():
            return size, "skipped after repeated hangs"
        outcome = expect_closed(port, struct.pack(">i", size) + b"\x00\x12\x00\x00" * 4)
        budget.record(outcome)
        return size, outcome

    with ThreadPoolExecutor(8) as pool:
        for size, outcome in pool.map(oversized, sizes):
            if outcome != Outcome.CLOSED:
                problems.append(f"size prefix {size}: connection not closed ({outcome})")
    note("negative / oversized size prefixes", len(sizes))
    observer.checkpoint()

    # 4. Complete frames the broker must answer or close on, never hang:
    #    tiny frames, unknown API keys, unsupported versions, garbage bodies,
    #    malformed Produce bodies.
    cases: list[tuple[str, bytes]] = []
    for n in range(0, 8):
        cases.append((f"{n}-byte frame", frame(rng.randbytes(n))))
    for _ in range(300):
        key = rng.choice([rng.randrange(100, 32768), -1, -32768, 67, 68, 99])
        cases.append((f"unknown api key {key}", frame(header(key, 0, 99) + rng.randbytes(rng.randrange(0, 64)))))
    for _ in range(300):
        key = rng.choice([0, 1, 2, 3, 19, 20, 22, 32])
        version = rng.choice([-1, -32768, 100, 32767, rng.randrange(40, 32767)])
        cases.append((f"api {key} version {version}", frame(header(key, version, 99) + rng.randbytes(rng.randrange(0, 64)))))
    for _ in range(400):
        key, version = rng.choice([(0, 3), (0, 7), (0, 9), (1, 4), (1, 11), (1, 12), (2, 1), (3, 1), (3, 9),
                                   (19, 0), (19, 5), (20, 1), (22, 0), (32, 0), (18, 3)])
        cases.append((f"api {key} v{version} garbage body",
                      frame(header(key, version, 99) + rng.randbytes(rng.randrange(0, 200)))))
    good_batch = kw.record_batch([kw.Record(b"k", b"v")])
    for _ in range(300):
        mutation = rng.randrange(5)
        if mutation == 0:    # huge topic array count
            body = kw.string(None) + kw.int16(1) + kw.int32(1000) + kw.int32(2 ** 31 - 1)
        elif mutation == 1:  # negative string length for the topic name
            body = kw.string(None) + kw.int16(1) + kw.int32(1000) + kw.int32(1) + kw.int16(-5) + rng.randbytes(20)
        elif mutation == 2:  # records length beyond the frame
            body = (kw.string(None) + kw.int16(1) + kw.int32(1000) + kw.int32(1) + kw.string(topic_name)
                    + kw.int32(1) + kw.int32(0) + kw.int32(10_000) + good_batch)
        elif mutation == 3:  # request cut short after a valid prefix
            full = kw.produce_body(topic_name, 0, good_batch)
            body = full[:rng.randrange(0, len(full))]
        else:                # random bytes in place of the record batch
            junk = rng.randbytes(rng.randrange(1, 200))
            body = (kw.string(None) + kw.int16(1) + kw.int32(1000) + kw.int32(1) + kw.string(topic_name)
                    + kw.int32(1) + kw.int32(0) + kw.bytes_(junk))
        cases.append((f"malformed produce #{mutation}", frame(header(0, 3, 99) + body)))

    budget = HangBudget()

    def answer(case):
        name, data = case
        if budget.exhausted():
            return name, data, "skipped after repeated hangs", None, None
        outcome, cid, body = send_and_observe(port, data)
        budget.record(outcome)
        return name, data, outcome, cid, body

    with ThreadPoolExecutor(8) as pool:
        for name, data, outcome, cid, body in pool.map(answer, cases):
            if outcome not in (Outcome.RESPONSE, Outcome.CLOSED):
                problems.append(f"{name}: {outcome} (no answer and not closed within {ANSWER_TIMEOUT}s)")
            elif outcome == Outcome.RESPONSE and cid != 99 and len(data) >= 12:
                problems.append(f"{name}: response with correlation id {cid}")
    note("complete malformed frames", len(cases))
    observer.checkpoint()

    # 5. ApiVersions at a version the broker does not know: UNSUPPORTED_VERSION
    #    with the supported ranges (v0 response), so clients can step down.
    for version in [5, 99, 1000, 32767]:
        outcome, cid, body = send_and_observe(port, frame(header(kw.API_VERSIONS, version, 5)))
        if outcome != Outcome.RESPONSE:
            problems.append(f"ApiVersions v{version}: {outcome}, want an UNSUPPORTED_VERSION response")
            continue
        av = kw.parse_api_versions_v0(body)
        if (cid, av.error_code) != (5, kw.UNSUPPORTED_VERSION) or kw.API_VERSIONS not in av.versions:
            problems.append(f"ApiVersions v{version}: correlation {cid}, error {av.error_code}, {len(av.versions)} apis")
    note("ApiVersions unsupported versions", 4)
    observer.checkpoint()

    # 6. Corrupt record batches: CORRUPT_MESSAGE, nothing appended.
    corrupt = []
    for i in range(150):
        corrupt.append(("bad crc", kw.record_batch([kw.Record(b"k", rng.randbytes(50))], corrupt_crc=True)))
    for i in range(150):
        good = bytearray(kw.record_batch([kw.Record(b"key-%d" % i, rng.randbytes(100), [("h", b"x")])]))
        pos = rng.randrange(kw.BATCH_HEADER_SIZE, len(good))  # inside the records, covered by the CRC
        good[pos] ^= 1 << rng.randrange(8)
        corrupt.append(("flipped bit in records", bytes(good)))
    for i in range(60):
        good = bytearray(kw.record_batch([kw.Record(b"k", b"v" * 40)]))
        good[kw.CRC_OFFSET + rng.randrange(4)] ^= 0xFF  # the stored CRC itself
        corrupt.append(("damaged crc field", bytes(good)))

    corrupt = [(name, batch, rng.choice([1, -1])) for name, batch in corrupt]
    budget = HangBudget()

    def send_corrupt(item):
        name, batch, acks = item
        if budget.exhausted():
            return name, "skipped after repeated hangs", None, None
        outcome, cid, body = send_and_observe(port, kw.produce_request(42, topic_name, 0, batch, acks=acks))
        budget.record(outcome)
        return name, outcome, cid, body

    with ThreadPoolExecutor(8) as pool:
        for name, outcome, cid, body in pool.map(send_corrupt, corrupt):
            if outcome != Outcome.RESPONSE:
                problems.append(f"{name}: {outcome}, want a CORRUPT_MESSAGE response")
                continue
            results = kw.parse_produce_v3(body)
            codes = [r.error_code for r in results]
            if cid != 42 or codes != [kw.CORRUPT_MESSAGE]:
                problems.append(f"{name}: correlation {cid}, error codes {codes}, want [{kw.CORRUPT_MESSAGE}]")
    note("corrupt record batches", len(corrupt))
    observer.checkpoint()

    observer.stop.set()
    observer.join(15)
    total = sum(counts.values())
    print(f"sent {total} hostile frames: {counts}; observer round trips: {observer.roundtrips}")
    assert total >= 3000

    # The broker survived and nobody else was disturbed.
    assert b.alive(), f"broker died:\n{b.log_tail()}"
    assert observer.error is None, f"well-behaved connection disturbed: {observer.error!r}"
    assert observer.roundtrips > 10
    if rss_before is not None:
        rss_after = b.rss_kb()
        assert rss_after["VmHWM"] < 1024 * 1024, f"peak RSS {rss_after['VmHWM']} kB after oversized size prefixes"

    # Nothing corrupt, truncated or malformed was appended (the topic is
    # still empty), and a normal round trip works.
    msgs = produce(b.bootstrap, topic_name, [Msg(b"after", b"the storm", [("ok", b"1")])])
    got = consume(b.bootstrap, topic_name, 1, offset=msgs[0].offset)
    assert_same_messages(got, msgs, first_offset=msgs[0].offset)
    if msgs[0].offset != 0:
        problems.append(f"{msgs[0].offset} records were appended by hostile frames")

    if problems:
        kinds: dict[str, int] = {}
        for p in problems:
            kind = re.sub(r"-?\d+", "N", p.split(":")[0])
            kinds[kind] = kinds.get(kind, 0) + 1
        pytest.fail(f"{len(problems)} problems by kind {kinds}; first ones:\n" + "\n".join(problems[:25]))


def test_valid_batch_built_by_hand_is_accepted(broker, topic_name):
    """The hand-built encoder is right: the same batch that is refused with a
    bad CRC is accepted with a good one and reads back byte for byte."""
    create_topic(broker.bootstrap, topic_name)
    host, port = broker.bootstrap.split(":")
    recs = [kw.Record(b"raw-key", bytes(range(256)), [("h1", b"\x00\x01"), ("h2", None)]),
            kw.Record(None, b"second")]
    with kw.Connection(host, int(port)) as conn:
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0, kw.record_batch(recs), acks=-1))
        assert (r.error_code, r.base_offset) == (0, 0)
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0,
                                                  kw.record_batch(recs, corrupt_crc=True), acks=-1))
        assert r.error_code == kw.CORRUPT_MESSAGE
    got = consume(broker.bootstrap, topic_name, 2)
    assert [(m.key, m.value, m.headers) for m in got] == [(b"raw-key", bytes(range(256)), [("h1", b"\x00\x01"), ("h2", None)]),
                                                          (None, b"second", [])]


def test_crc32c_vectors():
    # RFC 3720 B.4 test vectors and the classic check value.
    assert kw.crc32c(b"123456789") == 0xE3069283
    assert kw.crc32c(bytes(32)) == 0x8A9136AA
    assert kw.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert kw.crc32c(bytes(range(32))) == 0x46DD794E
    assert kw.crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C
    assert kw.crc32c(b"") == 0
    # Incremental use gives the same result.
    data = os.urandom(1000)
    assert kw.crc32c(data[500:], kw.crc32c(data[:500])) == kw.crc32c(data)
