"""kafka-python producing and consuming in assign mode (no group, no commits)."""

import time

import pytest

kafka = pytest.importorskip("kafka")
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka import codec as kafka_codec  # noqa: E402

from kafka_helpers import (CODECS, Msg, assert_same_messages, assert_stored_with_codec, consume, create_topic,  # noqa: E402
                           messages_without_null_headers, raw_fetch_batches)

pytestmark = pytest.mark.timeout(120)

HAS_CODEC = {"gzip": kafka_codec.has_gzip(), "snappy": kafka_codec.has_snappy(), "lz4": kafka_codec.has_lz4(),
             "zstd": kafka_codec.has_zstd()}


def kp_produce(bootstrap, topic, msgs, **extra):
    conf = dict(bootstrap_servers=bootstrap, acks="all", linger_ms=5, request_timeout_ms=30000,
                max_request_size=10 * 1024 * 1024)
    conf.update(extra)
    p = KafkaProducer(**conf)
    try:
        futures = [p.send(topic, value=m.value, key=m.key, headers=[(k, v) for k, v in m.headers], partition=0)
                   for m in msgs]
        p.flush(60)
        for m, f in zip(msgs, futures):
            md = f.get(timeout=30)
            m.offset = md.offset
    finally:
        p.close(10)
    return msgs


def kp_consume(bootstrap, topic, count, offset=0, timeout=60):
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                      auto_offset_reset="none", consumer_timeout_ms=1000)
    try:
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek(tp, offset)
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < count and time.monotonic() < deadline:
            for recs in c.poll(timeout_ms=500, max_records=1000).values():
                for r in recs:
                    out.append(Msg(r.key, r.value, [(k, v) for k, v in r.headers], r.offset, r.partition, r.timestamp))
        assert len(out) == count, f"kafka-python consumed {len(out)} of {count}"
        return out
    finally:
        c.close()



def test_roundtrip_keys_values_headers(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = kp_produce(broker.bootstrap, topic_name, messages_without_null_headers())
    assert [m.offset for m in msgs] == list(range(len(msgs)))
    assert_same_messages(kp_consume(broker.bootstrap, topic_name, len(msgs)), msgs)
    # And the reference client reads the same bytes.
    assert_same_messages(consume(broker.bootstrap, topic_name, len(msgs)), msgs)


def test_reads_what_confluent_kafka_wrote(broker, topic_name):
    from kafka_helpers import produce
    create_topic(broker.bootstrap, topic_name)
    msgs = produce(broker.bootstrap, topic_name, messages_without_null_headers(15))
    assert_same_messages(kp_consume(broker.bootstrap, topic_name, 15), msgs)
    got = kp_consume(broker.bootstrap, topic_name, 5, offset=10)
    assert_same_messages(got, msgs[10:], first_offset=10)


@pytest.mark.parametrize("codec", CODECS)
def test_compression_codec(broker, topic_name, codec):
    if not HAS_CODEC[codec]:
        pytest.skip(f"kafka-python has no {codec} library installed (see requirements.txt)")
    create_topic(broker.bootstrap, topic_name)
    msgs = kp_produce(broker.bootstrap, topic_name, messages_without_null_headers(30, 5000), compression_type=codec,
                      linger_ms=50)
    assert_same_messages(kp_consume(broker.bootstrap, topic_name, 30), msgs)
    assert_same_messages(consume(broker.bootstrap, topic_name, 30), msgs)
    assert_stored_with_codec(broker.bootstrap, topic_name, codec)


def test_idempotent_producer(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    n = 2000
    msgs = [Msg(b"k%d" % (i % 10), b"%08d" % i) for i in range(n)]
    kp_produce(broker.bootstrap, topic_name, msgs, enable_idempotence=True, batch_size=4096)
    got = consume(broker.bootstrap, topic_name, n)
    assert_same_messages(got, msgs)
    batches = raw_fetch_batches(broker.bootstrap, topic_name)
    assert all(b.producer_id >= 0 for b in batches), "idempotent batches carry a producer id"
