"""Poison pills: record batches whose CRC-32C is right but whose records are
not, sent on raw sockets. Before the broker checked records, each of these was
appended and made its partition unreadable (kcat grew its fetch size to 1 GiB,
confluent-kafka never got past the batch, compressed garbage gave
_BAD_COMPRESSION forever, a count of 2^31-1 moved the high watermark to 2^31).

Now each is refused whole, as Kafka's LogValidator refuses it: records that
break the format or a rule get INVALID_RECORD, a compressed body that is not
its codec's stream CORRUPT_MESSAGE, a batch that decompresses to more than
message.max.uncompressed.bytes MESSAGE_TOO_LARGE. Nothing of it is appended:
a good record produced next lands at offset 0 and every client reads it.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess

import lz4.frame
import pytest
import snappy
import zstandard

import kafka_wire as kw
from kafka_helpers import Msg, assert_same_messages, consume, create_topic, produce, watermarks

pytestmark = pytest.mark.timeout(180)


def rec(value: bytes, offset_delta: int, key: bytes | None = None) -> bytes:
    return kw.encode_record(kw.Record(key, value, [("h", b"v")], offset_delta=offset_delta))


def records(n: int) -> bytes:
    return b"".join(rec(b"value-%d" % i, i) for i in range(n))


def record_fields(fields: bytes) -> bytes:
    """A record from raw field bytes, with a correct length prefix."""
    return kw.varint(len(fields)) + fields


GARBAGE = bytes((i * 37 + 11) % 256 for i in range(300))

# A record whose value is 200 MiB of zeros: a few KiB compressed, far above
# the default message.max.uncompressed.bytes (128 MiB) decompressed.
BOMB_VALUE = 200 * 1024 * 1024
BOMB_FIELDS = b"\x00\x00\x00" + kw.varint(-1) + kw.varint(BOMB_VALUE)
BOMB = kw.varint(len(BOMB_FIELDS) + BOMB_VALUE + 1) + BOMB_FIELDS


def bomb_batch() -> bytes:
    compressor = zstandard.ZstdCompressor().compressobj()
    body = compressor.compress(BOMB)
    zeros = bytes(1 << 20)
    for _ in range(BOMB_VALUE >> 20):
        body += compressor.compress(zeros)
    body += compressor.compress(b"\x00") + compressor.flush()  # no headers
    return kw.raw_batch(body, 1, attributes=4)


def xerial_snappy(data: bytes) -> bytes:
    out = b"\x82SNAPPY\x00" + kw.int32(1) + kw.int32(1)
    for i in range(0, len(data), 32 * 1024):
        block = snappy.compress(data[i:i + 32 * 1024])
        out += kw.int32(len(block)) + block
    return out


POISONS = {
    "garbage records": (lambda: kw.raw_batch(GARBAGE, 3), kw.INVALID_RECORD),
    "count 2^31-1 for one record": (lambda: kw.raw_batch(rec(b"one", 0), 2 ** 31 - 1), kw.INVALID_RECORD),
    "offset deltas out of order": (lambda: kw.raw_batch(rec(b"a", 0) + rec(b"b", 2) + rec(b"c", 1), 3), kw.INVALID_RECORD),
    "record length past the batch": (lambda: kw.raw_batch(kw.varint(500) + rec(b"x", 0)[1:], 1), kw.INVALID_RECORD),
    "negative key length": (lambda: kw.raw_batch(record_fields(b"\x00\x00\x00" + kw.varint(-5) + kw.varint(1) + b"v" + b"\x00"), 1),
                            kw.INVALID_RECORD),
    "varint of six bytes": (lambda: kw.raw_batch(b"\xff\xff\xff\xff\xff\x01" + rec(b"x", 0), 1), kw.INVALID_RECORD),
    "header count beyond the record": (lambda: kw.raw_batch(record_fields(b"\x00\x00\x00" + kw.varint(-1) + kw.varint(-1) + kw.varint(40)), 1),
                                       kw.INVALID_RECORD),
    "gzip garbage": (lambda: kw.raw_batch(b"this is not gzip", 1, attributes=1), kw.CORRUPT_MESSAGE),
    "snappy garbage": (lambda: kw.raw_batch(b"\xff" * 6 + b"not snappy", 1, attributes=2), kw.CORRUPT_MESSAGE),
    "lz4 garbage": (lambda: kw.raw_batch(b"this is not lz4", 1, attributes=3), kw.CORRUPT_MESSAGE),
    "zstd garbage": (lambda: kw.raw_batch(b"this is not zstd", 1, attributes=4), kw.CORRUPT_MESSAGE),
    "gzip of garbage records": (lambda: kw.raw_batch(gzip.compress(GARBAGE), 3, attributes=1), kw.INVALID_RECORD),
    "xerial snappy of a count 2^31-1": (lambda: kw.raw_batch(xerial_snappy(records(1)), 2 ** 31 - 1, attributes=2), kw.INVALID_RECORD),
    "lz4 of out-of-order records": (lambda: kw.raw_batch(lz4.frame.compress(rec(b"a", 1) + rec(b"b", 0)), 2, attributes=3),
                                    kw.INVALID_RECORD),
    "zstd decompression bomb": (bomb_batch, kw.MESSAGE_TOO_LARGE),
}


def kcat_values(bootstrap: str, topic: str, count: int) -> list[bytes]:
    res = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-c", str(count), "-e",
                          "-f", "%o:%s\n", "-X", "socket.timeout.ms=20000"], capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr.decode(errors="replace")[-2000:]
    return res.stdout.splitlines()


@pytest.mark.parametrize("poison", list(POISONS), ids=lambda name: name.replace(" ", "-"))
def test_poison_is_refused_and_the_partition_stays_readable(broker, topic_name, poison):
    build, code = POISONS[poison]
    create_topic(broker.bootstrap, topic_name)
    host, port = broker.bootstrap.split(":")
    with kw.Connection(host, int(port), timeout=60) as conn:
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0, build(), acks=-1))
        assert (r.error_code, r.base_offset) == (code, -1), f"{poison}: {r}"
        # The connection stays usable, and nothing was appended.
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0, build(), acks=1))
        assert r.error_code == code
    assert watermarks(broker.bootstrap, topic_name) == (0, 0)

    msgs = produce(broker.bootstrap, topic_name, [Msg(b"good", b"after the poison", [("ok", b"1")])])
    assert msgs[0].offset == 0
    assert watermarks(broker.bootstrap, topic_name) == (0, 1)
    assert_same_messages(consume(broker.bootstrap, topic_name, 1, timeout=30), msgs)
    if shutil.which("kcat"):
        assert kcat_values(broker.bootstrap, topic_name, 1) == [b"0:after the poison"]


def test_other_partitions_of_the_request_are_appended(broker, topic_name):
    """One request, two partitions: the poisoned one is refused, the other appended."""
    create_topic(broker.bootstrap, topic_name, partitions=2)
    poison = kw.raw_batch(rec(b"one", 0), 2 ** 31 - 1)
    good = kw.record_batch([kw.Record(b"k", b"beside the poison")])
    body = (kw.string(None) + kw.int16(-1) + kw.int32(10000)
            + kw.array([kw.string(topic_name) + kw.array([kw.int32(0) + kw.bytes_(poison), kw.int32(1) + kw.bytes_(good)])]))
    host, port = broker.bootstrap.split(":")
    with kw.Connection(host, int(port)) as conn:
        results = kw.parse_produce_v3(conn.roundtrip(lambda cid: kw.request(kw.PRODUCE, 3, cid, body)))
    assert [(r.partition, r.error_code) for r in results] == [(0, kw.INVALID_RECORD), (1, kw.NONE)]
    assert watermarks(broker.bootstrap, topic_name, 0) == (0, 0)
    assert watermarks(broker.bootstrap, topic_name, 1) == (0, 1)
    got = consume(broker.bootstrap, topic_name, 1, partition=1, timeout=30)
    assert got[0].value == b"beside the poison"
