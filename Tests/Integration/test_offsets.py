"""ListOffsets: earliest / latest watermarks and offsets by timestamp."""

import pytest
from confluent_kafka import TopicPartition
from confluent_kafka.admin import OffsetSpec

from kafka_helpers import Msg, admin, consumer, create_topic, produce, watermarks

pytestmark = pytest.mark.timeout(90)

BASE = 1_650_000_000_000


def offsets_for_times(bootstrap, topic, timestamps):
    c = consumer(bootstrap)
    try:
        # One lookup per timestamp: librdkafka keeps only one entry per partition in a request.
        res = [c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=15)[0] for ts in timestamps]
        assert all(r.error is None for r in res), [r.error for r in res]
        return [r.offset for r in res]
    finally:
        c.close()


def produce_timestamped(bootstrap, topic, n, one_batch):
    msgs = [Msg(b"k%d" % i, b"v%d" % i, timestamp=BASE + 1000 * i) for i in range(n)]
    if one_batch:
        produce(bootstrap, topic, msgs, **{"linger.ms": 200})
    else:
        produce(bootstrap, topic, msgs, flush_each=True)
    return msgs


@pytest.mark.parametrize("one_batch", [False, True], ids=["batch-per-record", "single-batch"])
def test_offsets_for_times(broker, topic_name, one_batch):
    create_topic(broker.bootstrap, topic_name)
    produce_timestamped(broker.bootstrap, topic_name, 10, one_batch)
    queries = [0, BASE - 1, BASE, BASE + 1, BASE + 2500, BASE + 3000, BASE + 9000, BASE + 9001, 2 ** 62]
    # The earliest offset whose timestamp is >= the query; -1 (end) past the last.
    want = [0, 0, 0, 1, 3, 3, 9, -1, -1]
    assert offsets_for_times(broker.bootstrap, topic_name, queries) == want


def test_offsets_for_times_with_out_of_order_timestamps(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    stamps = [BASE + 5000, BASE + 1000, BASE + 7000, BASE + 3000]
    produce(broker.bootstrap, topic_name, [Msg(None, b"%d" % i, timestamp=t) for i, t in enumerate(stamps)],
            flush_each=True)
    # First offset (in log order) with timestamp >= query.
    assert offsets_for_times(broker.bootstrap, topic_name, [BASE, BASE + 2000, BASE + 6000, BASE + 8000]) == [0, 0, 2, -1]


def test_watermarks(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    assert watermarks(broker.bootstrap, topic_name) == (0, 0)
    produce(broker.bootstrap, topic_name, [Msg(None, b"x")] * 7)
    assert watermarks(broker.bootstrap, topic_name) == (0, 7)
    produce(broker.bootstrap, topic_name, [Msg(None, b"y")] * 5, **{"compression.type": "lz4"})
    assert watermarks(broker.bootstrap, topic_name) == (0, 12)


def test_admin_list_offsets(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    produce_timestamped(broker.bootstrap, topic_name, 6, one_batch=False)
    a = admin(broker.bootstrap)
    tp = TopicPartition(topic_name, 0)
    got = {}
    for name, spec in [("earliest", OffsetSpec.earliest()), ("latest", OffsetSpec.latest()),
                       ("ts", OffsetSpec.for_timestamp(BASE + 2500))]:
        res = a.list_offsets({tp: spec}, request_timeout=15)[tp].result(15)
        got[name] = (res.offset, res.timestamp)
    assert got["earliest"][0] == 0
    assert got["latest"][0] == 6
    assert got["ts"] == (3, BASE + 3000)


def test_consumer_starts_at_logical_offsets(broker, topic_name):
    """OFFSET_BEGINNING / OFFSET_END resolve via ListOffsets."""
    from confluent_kafka import OFFSET_BEGINNING, OFFSET_END
    create_topic(broker.bootstrap, topic_name)
    produce(broker.bootstrap, topic_name, [Msg(None, b"old-%d" % i) for i in range(3)])
    c = consumer(broker.bootstrap)
    try:
        c.assign([TopicPartition(topic_name, 0, OFFSET_BEGINNING)])
        m = c.poll(15)
        assert m is not None and m.error() is None and (m.offset(), m.value()) == (0, b"old-0")
        c.assign([TopicPartition(topic_name, 0, OFFSET_END)])
        assert c.poll(1.5) is None
        produce(broker.bootstrap, topic_name, [Msg(None, b"new")])
        m = None
        for _ in range(30):
            m = c.poll(0.5)
            if m is not None:
                break
        assert m is not None and m.error() is None and (m.offset(), m.value()) == (3, b"new")
    finally:
        c.close()
