"""kill -9 of the broker after acknowledged (acks=all) writes, restart on the
same data directory: every acknowledged record is still there."""

import threading
import time

import pytest
from confluent_kafka import Producer

from kafka_helpers import Msg, assert_same_messages, consume, create_topic, produce, watermarks

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def persistent_broker(broker):
    if not broker.persistent:
        pytest.skip(f"{broker.kind} runs with a memory storage engine here: nothing survives a restart")
    return broker


def test_kill9_after_acked_writes(persistent_broker, topic_name):
    b = persistent_broker
    # Small segments so that recovery covers several segments and indexes.
    create_topic(b.bootstrap, topic_name, partitions=2, config={"segment.bytes": "262144"})
    sent = {}
    for p in range(2):
        msgs = [Msg(b"p%d-%d" % (p, i), (b"%d:%d " % (p, i)) * 200, [("n", b"%d" % i)]) for i in range(1500)]
        # Batches must fit a segment: like Kafka, the broker refuses larger
        # ones with RECORD_LIST_TOO_LARGE.
        sent[p] = produce(b.bootstrap, topic_name, msgs, partition=p,
                          **{"compression.type": "lz4" if p else "none", "batch.size": 65536})
    b.kill9()
    assert not b.alive()
    b.start()
    for p in range(2):
        assert watermarks(b.bootstrap, topic_name, p) == (0, 1500)
        assert_same_messages(consume(b.bootstrap, topic_name, 1500, partition=p), sent[p])
    # Appending continues after the recovered end.
    (m,) = produce(b.bootstrap, topic_name, [Msg(b"after", b"restart")], partition=0)
    assert m.offset == 1500


def test_kill9_while_producing(persistent_broker, topic_name):
    """Records acknowledged before the crash survive it; the log holds no
    record that was not sent and no gap."""
    b = persistent_broker
    create_topic(b.bootstrap, topic_name, config={"segment.bytes": "1048576"})
    acked: dict[int, bytes] = {}
    failed = []
    stop = threading.Event()
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 1, "message.timeout.ms": 4000,
                  "retries": 0, "enable.idempotence": False, "queue.buffering.max.messages": 20000})

    def on_delivery(err, m):
        if err is None:
            acked[m.offset()] = m.value()
        else:
            failed.append(err)

    def run():
        i = 0
        while not stop.is_set():
            try:
                p.produce(topic_name, b"value-%08d" % i + b"." * 1000, key=b"%d" % i, on_delivery=on_delivery)
                i += 1
            except BufferError:
                pass
            p.poll(0.001 if i % 50 == 0 else 0)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 3000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(acked) >= 3000, "producer too slow before the crash"
    b.kill9()
    stop.set()
    t.join(10)
    p.flush(15)  # the rest fails: the broker is gone
    n_acked = len(acked)
    b.start()
    low, high = watermarks(b.bootstrap, topic_name)
    assert low == 0
    assert high >= max(acked) + 1, f"high watermark {high} below acknowledged offset {max(acked)}"
    got = consume(b.bootstrap, topic_name, high, timeout=90)
    assert [m.offset for m in got] == list(range(high))
    for m in got:
        assert m.value.startswith(b"value-") and m.key == b"%d" % int(m.value[6:14]), f"garbage at {m.offset}"
        if m.offset in acked:
            assert m.value == acked[m.offset], f"acknowledged record {m.offset} changed"
    assert len(acked) == n_acked


def test_repeated_crashes_and_clean_restart(persistent_broker, topic_name):
    b = persistent_broker
    create_topic(b.bootstrap, topic_name, config={"segment.bytes": "65536", "max.message.bytes": "500000"})
    all_msgs = []
    for round_ in range(3):
        msgs = [Msg(b"r%d" % round_, b"round %d record %d " % (round_, i) * 20) for i in range(300)]
        produce(b.bootstrap, topic_name, msgs, **{"batch.size": 16384})
        all_msgs += msgs
        b.kill9()
        b.start()
    b.restart()  # SIGTERM then start
    assert watermarks(b.bootstrap, topic_name) == (0, 900)
    assert_same_messages(consume(b.bootstrap, topic_name, 900), all_msgs)
    # Topic configs are stored with the topic.
    from test_admin import describe_topic_configs
    configs = describe_topic_configs(b.bootstrap, topic_name)
    assert configs["segment.bytes"].value == "65536"
    assert configs["max.message.bytes"].value == "500000"
