"""confluent-kafka (librdkafka 2.16) producing and consuming in assign mode."""

import pytest
from confluent_kafka import TopicPartition

from kafka_helpers import (CODEC_IDS, CODECS, Msg, assert_same_messages, consume, consumer, create_topic, produce,
                           raw_fetch_batches, sample_messages, watermarks)

pytestmark = pytest.mark.timeout(120)


def test_roundtrip_keys_values_headers(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = produce(broker.bootstrap, topic_name, sample_messages(30))
    assert [m.offset for m in msgs] == list(range(30))
    got = consume(broker.bootstrap, topic_name, 30)
    assert_same_messages(got, msgs)
    assert watermarks(broker.bootstrap, topic_name) == (0, 30)


def test_stored_batches_are_valid_and_decode_to_what_was_sent(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = produce(broker.bootstrap, topic_name, sample_messages(25), **{"compression.type": "none"})
    batches = raw_fetch_batches(broker.bootstrap, topic_name)
    assert batches and all(b.crc_ok for b in batches), "fetched batches must carry a valid CRC-32C"
    records = []
    expected_offset = 0
    for b in batches:
        assert b.codec == 0
        assert b.base_offset == expected_offset, "batches must be contiguous"
        expected_offset = b.base_offset + b.last_offset_delta + 1
        records += b.records
    assert expected_offset == 25
    assert [(r.key, r.value, r.headers) for r in records] == [m.content() for m in msgs]


@pytest.mark.parametrize("codec", CODECS)
def test_compression_codec(broker, topic_name, codec):
    create_topic(broker.bootstrap, topic_name)
    msgs = produce(broker.bootstrap, topic_name, sample_messages(40, value_size=5000),
                   **{"compression.type": codec, "linger.ms": 50})
    got = consume(broker.bootstrap, topic_name, 40)
    assert_same_messages(got, msgs)
    # The broker keeps batches as the producer compressed them.
    batches = raw_fetch_batches(broker.bootstrap, topic_name)
    assert batches
    assert {b.codec for b in batches} == {CODEC_IDS[codec]}
    assert all(b.crc_ok for b in batches)
    assert sum(len(b.raw) for b in batches) < sum(len(m.value) for m in msgs) / 2, "payload was not compressed"


def test_consume_from_each_partition(broker, topic_name):
    create_topic(broker.bootstrap, topic_name, partitions=3)
    sent = {}
    for p in range(3):
        sent[p] = produce(broker.bootstrap, topic_name,
                          [Msg(b"p%d-k%d" % (p, i), b"p%d-v%d" % (p, i), [("p", str(p).encode())]) for i in range(10 + p)],
                          partition=p)
    for p in range(3):
        assert watermarks(broker.bootstrap, topic_name, p) == (0, 10 + p)
        assert_same_messages(consume(broker.bootstrap, topic_name, 10 + p, partition=p), sent[p])


def test_offset_inside_a_batch(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = [Msg(b"k%d" % i, b"v%d" % i) for i in range(20)]
    # One batch of 20 records (linger lets them accumulate).
    produce(broker.bootstrap, topic_name, msgs, **{"linger.ms": 200})
    batches = raw_fetch_batches(broker.bootstrap, topic_name, offset=7)
    assert batches[0].base_offset <= 7 <= batches[0].base_offset + batches[0].last_offset_delta
    got = consume(broker.bootstrap, topic_name, 13, offset=7)
    assert_same_messages(got, msgs[7:], first_offset=7)


def test_create_time_is_preserved(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = [Msg(b"k", b"v%d" % i, timestamp=1_600_000_000_000 + i * 1111) for i in range(5)]
    produce(broker.bootstrap, topic_name, msgs)
    got = consume(broker.bootstrap, topic_name, 5)
    assert [g.timestamp for g in got] == [m.timestamp for m in msgs]


def test_seek_and_resume(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = produce(broker.bootstrap, topic_name, [Msg(None, b"value-%d" % i) for i in range(50)])
    c = consumer(broker.bootstrap)
    try:
        c.assign([TopicPartition(topic_name, 0, 40)])
        first = [c.poll(10) for _ in range(3)]
        assert [m.offset() for m in first] == [40, 41, 42]
        c.seek(TopicPartition(topic_name, 0, 5))
        m = c.poll(10)
        assert m.error() is None and m.offset() == 5 and m.value() == msgs[5].value
    finally:
        c.close()


def test_fetch_waits_for_new_data(broker, topic_name):
    """A consumer at the log end gets a record produced later (long poll)."""
    create_topic(broker.bootstrap, topic_name)
    c = consumer(broker.bootstrap, **{"fetch.wait.max.ms": 500})
    try:
        c.assign([TopicPartition(topic_name, 0, 0)])
        assert c.poll(1.0) is None
        produce(broker.bootstrap, topic_name, [Msg(b"late", b"arrival")])
        m = None
        for _ in range(20):
            m = c.poll(0.5)
            if m is not None:
                break
        assert m is not None and m.error() is None
        assert (m.key(), m.value(), m.offset()) == (b"late", b"arrival", 0)
    finally:
        c.close()
