"""Shared helpers: topic creation and a confluent-kafka reference producer and
assign-mode consumer used to check what other clients wrote."""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

import kafka_wire

CODECS = ["gzip", "snappy", "lz4", "zstd"]
# Record batch attribute bits 0-2.
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


@dataclass
class Msg:
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)
    offset: int = -1
    partition: int = 0
    timestamp: int | None = None

    def content(self):
        """What must survive a round trip byte for byte."""
        return (self.key, self.value, [(k, v) for k, v in self.headers])


def sample_messages(n: int = 20, value_size: int = 2000, seed: int = 1, compressible: bool = True,
                    binary_headers: bool = True, null_header_values: bool = True) -> list[Msg]:
    """Messages with varied keys (null, empty, binary), values (empty, binary,
    compressible text) and headers (binary values, repeated names, empty and
    null values)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 7 == 0:
            key = None
        elif i % 7 == 1:
            key = b""
        else:
            key = b"key-%d-" % i + bytes(rng.randrange(256) for _ in range(8))
        if i == 2:
            value = b""
        elif compressible:
            value = (b"barge line %06d the quick brown fox jumps over the lazy dog\n" % i) * (value_size // 60 + 1)
            value = value[:value_size]
        else:
            value = rng.randbytes(value_size)
        headers: list[tuple[str, bytes | None]] = [("seq", str(i).encode()), ("content-type", b"text/plain")]
        if binary_headers:
            headers.append(("bin", bytes(range(256))[i % 256:] + b"\x00\xff"))
        headers.append(("seq", b"repeated-name"))
        headers.append(("empty", b""))
        if null_header_values and i % 3 == 0:
            headers.append(("null", None))
        out.append(Msg(key, value, headers))
    return out



def messages_without_null_headers(n: int = 25, value_size: int = 3000) -> list[Msg]:
    """`sample_messages` for clients that cannot send a null header value
    (kafka-python, aiokafka)."""
    return sample_messages(n, value_size=value_size, null_header_values=False)

def digest(b: bytes | None) -> str:
    return "null" if b is None else hashlib.sha256(b).hexdigest()


def admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def incremental(bootstrap: str, topic: str, *entries, validate_only: bool = False):
    """IncrementalAlterConfigs of `entries` (confluent-kafka ConfigEntry with
    an incremental_operation) on a topic; returns the result or raises the
    broker's refusal. The admin client lives until the answer is in."""
    a = admin(bootstrap)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=list(entries))
    return a.incremental_alter_configs([res], request_timeout=15, validate_only=validate_only)[res].result(15)


def create_topic(bootstrap: str, name: str, partitions: int = 1, config: dict[str, str] | None = None,
                 timeout: float = 20.0) -> None:
    a = admin(bootstrap)
    futures = a.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})],
                              operation_timeout=timeout, request_timeout=timeout)
    futures[name].result(timeout)
    wait_for_topic(bootstrap, name, partitions, timeout, client=a)


def wait_for_topic(bootstrap: str, name: str, partitions: int, timeout: float = 20.0, client=None) -> None:
    a = client or admin(bootstrap)
    deadline = time.monotonic() + timeout
    while True:
        md = a.list_topics(name, timeout=5)
        t = md.topics.get(name)
        if t is not None and t.error is None and len(t.partitions) == partitions and all(
                p.leader >= 0 for p in t.partitions.values()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"topic {name} not ready: {t and t.error}, {t and len(t.partitions)} partitions")
        time.sleep(0.1)


def producer(bootstrap: str, **extra) -> Producer:
    conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5}
    conf.update(extra)
    return Producer(conf)


def produce(bootstrap: str, topic: str, msgs: list[Msg], partition: int = 0, flush_each: bool = False,
            timeout: float = 60.0, **extra) -> list[Msg]:
    """Produces msgs with confluent-kafka, waits for every delivery report and
    fails on any error. Sets msg.offset/partition from the reports."""
    p = producer(bootstrap, **extra)
    errors = []

    def on_delivery(m: Msg):
        def cb(err, rec):
            if err is not None:
                errors.append(err)
            else:
                m.offset = rec.offset()
                m.partition = rec.partition()
        return cb

    for m in msgs:
        kwargs = {}
        if m.timestamp is not None:
            kwargs["timestamp"] = m.timestamp
        p.produce(topic, value=m.value, key=m.key, headers=m.headers or None, partition=partition,
                  on_delivery=on_delivery(m), **kwargs)
        p.poll(0)
        if flush_each:
            assert p.flush(timeout) == 0
    left = p.flush(timeout)
    assert left == 0, f"{left} messages not delivered"
    assert not errors, f"delivery errors: {errors}"
    return msgs


def consumer(bootstrap: str, **extra) -> Consumer:
    # confluent-kafka insists on a group.id even in assign mode; nothing is
    # ever committed and no subscription is made, so no group is joined.
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": f"assign-only-{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "error",
        "enable.partition.eof": False,
    }
    conf.update(extra)
    return Consumer(conf)


def consume(bootstrap: str, topic: str, count: int, partition: int = 0, offset: int = 0,
            timeout: float = 60.0, **extra) -> list[Msg]:
    """Reads exactly `count` messages from topic/partition starting at offset
    in assign mode, failing on any error or timeout."""
    c = consumer(bootstrap, **extra)
    try:
        c.assign([TopicPartition(topic, partition, offset)])
        out: list[Msg] = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"consumed {len(out)} of {count} from {topic}[{partition}] in {timeout}s")
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                raise KafkaException(m.error())
            out.append(Msg(m.key(), m.value(), list(m.headers() or []), m.offset(), m.partition(),
                           m.timestamp()[1]))
        return out
    finally:
        c.close()


def assert_same_messages(got: list[Msg], want: list[Msg], first_offset: int = 0) -> None:
    assert len(got) == len(want), f"{len(got)} messages, want {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.offset == first_offset + i, f"message {i}: offset {g.offset}, want {first_offset + i}"
        assert g.key == w.key, f"message {i}: key {g.key!r} != {w.key!r}"
        assert digest(g.value) == digest(w.value), f"message {i}: value differs ({len(g.value or b'')} vs {len(w.value or b'')} bytes)"
        assert g.headers == w.headers, f"message {i}: headers {g.headers!r} != {w.headers!r}"


def watermarks(bootstrap: str, topic: str, partition: int = 0) -> tuple[int, int]:
    c = consumer(bootstrap)
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10, cached=False)
    finally:
        c.close()


def unique_topic(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"



def raw_fetch_batches(bootstrap: str, topic: str, partition: int = 0, offset: int = 0,
                      until_offset: int | None = None, timeout: float = 20.0) -> list[kafka_wire.DecodedBatch]:
    """Fetches (Fetch v4 on a raw socket) every batch from offset up to the high
    watermark (or until_offset) and returns them decoded, exactly as stored."""
    host, port = bootstrap.rsplit(":", 1)
    batches: list[kafka_wire.DecodedBatch] = []
    deadline = time.monotonic() + timeout
    with kafka_wire.Connection(host, int(port)) as conn:
        next_offset = offset
        while True:
            res = kafka_wire.parse_fetch_v4(conn.roundtrip(kafka_wire.fetch_request, topic, partition, next_offset))
            assert len(res) == 1, res
            r = res[0]
            assert r.error_code == 0, f"fetch error {r.error_code}"
            end = r.high_watermark if until_offset is None else until_offset
            if next_offset >= end:
                return batches
            got = kafka_wire.decode_batches(r.records)
            for b in got:
                if b.base_offset + b.last_offset_delta >= next_offset:
                    batches.append(b)
                    next_offset = b.base_offset + b.last_offset_delta + 1
            if time.monotonic() > deadline:
                raise AssertionError(f"raw fetch stuck at {next_offset} of {end}")


def assert_stored_with_codec(bootstrap: str, topic: str, codec: str, partition: int = 0) -> None:
    """The partition's batches, fetched raw, all use `codec` and pass their CRC:
    the broker stored them as the producer compressed them."""
    batches = raw_fetch_batches(bootstrap, topic, partition)
    assert batches
    assert {b.codec for b in batches} == {CODEC_IDS[codec]}
    assert all(b.crc_ok for b in batches)
