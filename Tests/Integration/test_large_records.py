"""Large records: a 50 MB record with raised limits, and too-large records
rejected with MESSAGE_TOO_LARGE while the connection stays usable."""

import hashlib
import os

import pytest
from confluent_kafka import KafkaError, Producer

import kafka_wire as kw
from kafka_helpers import Msg, consume, create_topic, produce, raw_fetch_batches, watermarks

pytestmark = pytest.mark.timeout(180)

MB = 1_000_000
BIG_LIMIT = 60 * MB


def test_50mb_record_with_raised_limits(broker_factory, topic_name):
    b = broker_factory({"message.max.bytes": str(BIG_LIMIT), "socket.request.max.bytes": str(2 * BIG_LIMIT)})
    create_topic(b.bootstrap, topic_name, config={"max.message.bytes": str(BIG_LIMIT)})
    payload = os.urandom(50 * MB)
    want = hashlib.sha256(payload).hexdigest()
    msgs = [Msg(b"big", payload, [("sha256", want.encode())]), Msg(b"small", b"after the big one")]
    produce(b.bootstrap, topic_name, msgs, **{"message.max.bytes": BIG_LIMIT, "linger.ms": 0,
                                              "compression.type": "none", "request.timeout.ms": 60000})
    assert [m.offset for m in msgs] == [0, 1]
    got = consume(b.bootstrap, topic_name, 2, timeout=120, **{
        "fetch.max.bytes": BIG_LIMIT, "max.partition.fetch.bytes": BIG_LIMIT,
        "receive.message.max.bytes": BIG_LIMIT + 1_000_000})
    assert got[0].key == b"big" and len(got[0].value) == len(payload)
    assert hashlib.sha256(got[0].value).hexdigest() == want
    assert got[0].headers == [("sha256", want.encode())]
    assert (got[1].key, got[1].value, got[1].offset) == (b"small", b"after the big one", 1)
    del got

    # The first batch is returned whole even when larger than the fetch limits.
    host, port = b.bootstrap.split(":")
    with kw.Connection(host, int(port), timeout=60) as conn:
        (r,) = kw.parse_fetch_v4(conn.roundtrip(kw.fetch_request, topic_name, 0, 0, max_bytes=1024,
                                                partition_max_bytes=1024))
    assert r.error_code == 0 and r.high_watermark == 2
    batches = kw.decode_batches(r.records)
    assert batches and batches[0].base_offset == 0 and batches[0].crc_ok
    assert hashlib.sha256(batches[0].records[0].value).hexdigest() == want


def test_too_large_record_is_rejected_and_producer_keeps_working(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    # The producer's own limit is high, so the broker (default
    # message.max.bytes = 1048588) is the one that refuses.
    p = Producer({"bootstrap.servers": broker.bootstrap, "message.max.bytes": 10 * MB, "acks": "all",
                  "compression.type": "none", "linger.ms": 0})
    results = []
    p.produce(topic_name, os.urandom(2 * MB), on_delivery=lambda err, m: results.append(err))
    assert p.flush(30) == 0
    assert len(results) == 1 and results[0] is not None, "a 2 MB record must be refused by default"
    assert results[0].code() == KafkaError.MSG_SIZE_TOO_LARGE, results[0]
    results.clear()
    p.produce(topic_name, b"small enough", on_delivery=lambda err, m: results.append((err, m.offset())))
    assert p.flush(30) == 0
    assert results == [(None, 0)]
    assert watermarks(broker.bootstrap, topic_name) == (0, 1)


def test_topic_max_message_bytes(broker, topic_name):
    create_topic(broker.bootstrap, topic_name, config={"max.message.bytes": "100000"})
    p = Producer({"bootstrap.servers": broker.bootstrap, "message.max.bytes": 10 * MB, "linger.ms": 0})
    results = []
    p.produce(topic_name, os.urandom(200_000), on_delivery=lambda err, m: results.append(err))
    # Flushed apart so that librdkafka cannot put both in one (too large) batch.
    assert p.flush(30) == 0
    p.produce(topic_name, os.urandom(50_000), on_delivery=lambda err, m: results.append(err))
    assert p.flush(30) == 0
    assert results[0] is not None and results[0].code() == KafkaError.MSG_SIZE_TOO_LARGE
    assert results[1] is None
    assert watermarks(broker.bootstrap, topic_name) == (0, 1)


def test_too_large_batch_on_the_wire_keeps_connection(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    host, port = broker.bootstrap.split(":")
    with kw.Connection(host, int(port), timeout=30) as conn:
        big = kw.record_batch([kw.Record(b"k", os.urandom(2 * MB))])
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0, big, acks=1))
        assert r.error_code in (kw.MESSAGE_TOO_LARGE, kw.RECORD_LIST_TOO_LARGE), r
        # Same connection, still usable.
        av = kw.parse_api_versions_v0(conn.roundtrip(kw.api_versions_request))
        assert av.error_code == 0 and kw.PRODUCE in av.versions
        ok = kw.record_batch([kw.Record(b"k", b"fits")])
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0, ok, acks=1))
        assert (r.error_code, r.base_offset) == (0, 0)
    (b,) = raw_fetch_batches(broker.bootstrap, topic_name)
    assert b.records[0].value == b"fits"
    (m,) = consume(broker.bootstrap, topic_name, 1)
    assert m.value == b"fits"
