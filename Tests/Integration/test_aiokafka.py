"""aiokafka producing and consuming in assign mode (no group, no commits)."""

import asyncio

import pytest

aiokafka = pytest.importorskip("aiokafka")
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition  # noqa: E402
from aiokafka import codec as aio_codec  # noqa: E402

from kafka_helpers import (CODECS, Msg, assert_same_messages, assert_stored_with_codec, consume, create_topic,  # noqa: E402
                           messages_without_null_headers, produce, raw_fetch_batches)

pytestmark = pytest.mark.timeout(120)

HAS_CODEC = {"gzip": aio_codec.has_gzip(), "snappy": aio_codec.has_snappy(), "lz4": aio_codec.has_lz4(),
             "zstd": aio_codec.has_zstd()}


async def _produce(bootstrap, topic, msgs, **extra):
    conf = dict(bootstrap_servers=bootstrap, acks="all", linger_ms=5, request_timeout_ms=30000,
                max_request_size=10 * 1024 * 1024)
    conf.update(extra)
    p = AIOKafkaProducer(**conf)
    await p.start()
    try:
        futs = [await p.send(topic, value=m.value, key=m.key, headers=[(k, v) for k, v in m.headers], partition=0)
                for m in msgs]
        for m, f in zip(msgs, futs):
            md = await asyncio.wait_for(f, 30)
            m.offset = md.offset
    finally:
        await p.stop()
    return msgs


async def _consume(bootstrap, topic, count, offset=0, timeout=60):
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                         auto_offset_reset="none")
    await c.start()
    try:
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek(tp, offset)
        out = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(out) < count and loop.time() < deadline:
            batch = await c.getmany(tp, timeout_ms=500, max_records=1000)
            for recs in batch.values():
                for r in recs:
                    out.append(Msg(r.key, r.value, [(k, v) for k, v in r.headers], r.offset, r.partition, r.timestamp))
        assert len(out) == count, f"aiokafka consumed {len(out)} of {count}"
        return out
    finally:
        await c.stop()


def aio_produce(*args, **kwargs):
    return asyncio.run(_produce(*args, **kwargs))


def aio_consume(*args, **kwargs):
    return asyncio.run(_consume(*args, **kwargs))



def test_roundtrip_keys_values_headers(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = aio_produce(broker.bootstrap, topic_name, messages_without_null_headers())
    assert [m.offset for m in msgs] == list(range(len(msgs)))
    assert_same_messages(aio_consume(broker.bootstrap, topic_name, len(msgs)), msgs)
    assert_same_messages(consume(broker.bootstrap, topic_name, len(msgs)), msgs)


def test_reads_what_confluent_kafka_wrote(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = produce(broker.bootstrap, topic_name, messages_without_null_headers(15))
    assert_same_messages(aio_consume(broker.bootstrap, topic_name, 15), msgs)
    assert_same_messages(aio_consume(broker.bootstrap, topic_name, 5, offset=10), msgs[10:], first_offset=10)


@pytest.mark.parametrize("codec", CODECS)
def test_compression_codec(broker, topic_name, codec):
    if not HAS_CODEC[codec]:
        pytest.skip(f"aiokafka has no {codec} library installed (cramjam, see requirements.txt)")
    create_topic(broker.bootstrap, topic_name)
    msgs = aio_produce(broker.bootstrap, topic_name, messages_without_null_headers(30, 5000), compression_type=codec,
                       linger_ms=50)
    assert_same_messages(aio_consume(broker.bootstrap, topic_name, 30), msgs)
    assert_same_messages(consume(broker.bootstrap, topic_name, 30), msgs)
    assert_stored_with_codec(broker.bootstrap, topic_name, codec)


def test_idempotent_producer(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    n = 2000
    msgs = [Msg(b"k%d" % (i % 10), b"%08d" % i) for i in range(n)]
    aio_produce(broker.bootstrap, topic_name, msgs, enable_idempotence=True, max_batch_size=4096)
    assert_same_messages(consume(broker.bootstrap, topic_name, n), msgs)
    batches = raw_fetch_batches(broker.bootstrap, topic_name)
    assert all(b.producer_id >= 0 for b in batches), "idempotent batches carry a producer id"
