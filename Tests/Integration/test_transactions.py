"""Transactions against the broker with real clients: confluent-kafka's and
aiokafka's transactional producers, read_committed and read_uncommitted
consumers (kcat too), fencing, offsets sent to a transaction, a producer
killed mid-transaction and timed out, and the broker killed around commits."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import textwrap

import pytest
from confluent_kafka import Consumer, KafkaException, TopicPartition

from kafka_helpers import create_topic
from transaction_helpers import end_offsets, read_all, txn_producer, wait_until

pytestmark = pytest.mark.timeout(180)


def values(records):
    return [v for _, _, v in records]


def test_commit_and_abort_across_partitions(broker, topic_name):
    create_topic(broker.bootstrap, topic_name, partitions=2)
    p = txn_producer(broker.bootstrap, "tx-commit-abort")
    p.begin_transaction()
    for i in range(6):
        p.produce(topic_name, value=b"aborted-%d" % i, partition=i % 2)
    p.flush(30)  # else the abort purges them unsent
    p.abort_transaction(30)
    p.begin_transaction()
    for i in range(6):
        p.produce(topic_name, value=b"committed-%d" % i, partition=i % 2)
    p.commit_transaction(30)

    committed = read_all(broker.bootstrap, topic_name, "read_committed", partitions=2)
    assert sorted(values(committed)) == sorted(b"committed-%d" % i for i in range(6))
    uncommitted = read_all(broker.bootstrap, topic_name, "read_uncommitted", partitions=2)
    assert len(uncommitted) == 12, "read_uncommitted shows the aborted records too"
    # Each partition: 3 aborted, an abort marker, 3 committed, a commit marker.
    for partition in range(2):
        assert end_offsets(broker.bootstrap, topic_name, "read_committed", partition) == 8
        assert [o for p_, o, _ in committed if p_ == partition] == [4, 5, 6]


def test_open_transaction_holds_the_last_stable_offset(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    plain = txn_producer(broker.bootstrap, "tx-before")
    plain.begin_transaction()
    plain.produce(topic_name, value=b"first", partition=0)
    plain.commit_transaction(30)

    p = txn_producer(broker.bootstrap, "tx-open")
    p.begin_transaction()
    p.produce(topic_name, value=b"pending", partition=0)
    p.flush(30)
    assert end_offsets(broker.bootstrap, topic_name, "read_uncommitted") == 3
    assert end_offsets(broker.bootstrap, topic_name, "read_committed") == 2
    assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"first"]
    p.commit_transaction(30)
    assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"first", b"pending"]
    assert end_offsets(broker.bootstrap, topic_name, "read_committed") == 4


def test_second_producer_with_the_same_id_fences_the_first(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    zombie = txn_producer(broker.bootstrap, "tx-fence")
    zombie.begin_transaction()
    zombie.produce(topic_name, value=b"zombie", partition=0)
    zombie.flush(30)

    fresh = txn_producer(broker.bootstrap, "tx-fence")
    with pytest.raises(KafkaException) as raised:
        zombie.commit_transaction(30)
    assert raised.value.args[0].fatal(), raised.value
    fresh.begin_transaction()
    fresh.produce(topic_name, value=b"fresh", partition=0)
    fresh.commit_transaction(30)
    assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"fresh"]


def test_consume_transform_produce_commits_offsets_with_the_transaction(broker, topic_name):
    source, sink, group = topic_name + "-in", topic_name + "-out", topic_name + "-group"
    create_topic(broker.bootstrap, source)
    create_topic(broker.bootstrap, sink)
    feeder = txn_producer(broker.bootstrap, "tx-feeder")
    feeder.begin_transaction()
    for i in range(10):
        feeder.produce(source, value=b"in-%d" % i, partition=0)
    feeder.commit_transaction(30)

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "isolation.level": "read_committed",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(source, 0, 0)])
    p = txn_producer(broker.bootstrap, "tx-pipeline")

    def step(count, commit):
        p.begin_transaction()
        taken = 0
        last = None
        while taken < count:
            m = consumer.poll(5)
            assert m is not None and not m.error(), m and m.error()
            p.produce(sink, value=m.value().replace(b"in", b"out"), partition=0)
            last = m
            taken += 1
        p.send_offsets_to_transaction([TopicPartition(source, 0, last.offset() + 1)], consumer.consumer_group_metadata(), 30)
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)
            consumer.seek(TopicPartition(source, 0, committed_offset()))

    def committed_offset():
        (tp,) = consumer.committed([TopicPartition(source, 0)], timeout=10)
        return tp.offset

    step(4, commit=True)
    assert committed_offset() == 4
    step(3, commit=False)
    assert committed_offset() == 4, "an aborted transaction's offsets are dropped"
    step(6, commit=True)
    assert committed_offset() == 10
    consumer.close()
    assert values(read_all(broker.bootstrap, sink, "read_committed")) == [b"out-%d" % i for i in range(10)]


KILLED_PRODUCER = textwrap.dedent("""
    import sys, time
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": sys.argv[1], "transactional.id": "tx-killed", "transaction.timeout.ms": 3000})
    p.init_transactions(30)
    p.begin_transaction()
    for i in range(5):
        p.produce(sys.argv[2], value=b"lost-%d" % i, partition=0)
    p.flush(30)
    print("ready", flush=True)
    time.sleep(600)
""")


def test_producer_killed_mid_transaction_times_out_and_aborts(broker_factory, topic_name):
    broker = broker_factory({"transaction.abort.timed.out.transaction.cleanup.interval.ms": "200"})
    create_topic(broker.bootstrap, topic_name)
    child = subprocess.Popen([sys.executable, "-c", KILLED_PRODUCER, broker.bootstrap, topic_name], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        assert end_offsets(broker.bootstrap, topic_name, "read_committed") == 0
        child.kill()
        child.wait(10)
        # Meanwhile another producer commits behind the open transaction.
        other = txn_producer(broker.bootstrap, "tx-survivor")
        other.begin_transaction()
        other.produce(topic_name, value=b"survivor", partition=0)
        other.commit_transaction(30)
        wait_until(lambda: end_offsets(broker.bootstrap, topic_name, "read_committed") == 8, what="the timed-out transaction's abort")
        assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"survivor"]
        # The id is usable again: a new producer fences nothing and commits.
        again = txn_producer(broker.bootstrap, "tx-killed")
        again.begin_transaction()
        again.produce(topic_name, value=b"resent", partition=0)
        again.commit_transaction(30)
        assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"survivor", b"resent"]
    finally:
        child.kill()
        child.wait(10)


def test_broker_killed_after_commit_and_mid_transaction(broker_factory, topic_name):
    broker = broker_factory()
    if not broker.persistent:
        pytest.skip("needs a broker that keeps data across restarts")
    create_topic(broker.bootstrap, topic_name)
    p = txn_producer(broker.bootstrap, "tx-crash", **{"message.timeout.ms": 60000})
    p.begin_transaction()
    p.produce(topic_name, value=b"committed", partition=0)
    p.commit_transaction(30)
    p.begin_transaction()
    p.produce(topic_name, value=b"in-flight", partition=0)
    p.flush(30)
    broker.kill9()
    broker.start()
    assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"committed"]
    assert end_offsets(broker.bootstrap, topic_name, "read_committed") == 2, "the open transaction holds the last stable offset"
    p.commit_transaction(60)
    assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"committed", b"in-flight"]


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed")
def test_kcat_read_committed_skips_aborted_and_open_transactions(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    p = txn_producer(broker.bootstrap, "tx-kcat")
    p.begin_transaction()
    p.produce(topic_name, value=b"aborted", partition=0)
    p.flush(30)
    p.abort_transaction(30)
    p.begin_transaction()
    p.produce(topic_name, value=b"committed", partition=0)
    p.commit_transaction(30)
    p.begin_transaction()
    p.produce(topic_name, value=b"open", partition=0)
    p.flush(30)

    def kcat(isolation):
        out = subprocess.run(["kcat", "-b", broker.bootstrap, "-C", "-t", topic_name, "-p", "0", "-o", "beginning", "-e",
                              "-X", f"isolation.level={isolation}", "-f", "%s\\n"],
                             capture_output=True, text=True, timeout=60, check=True)
        return out.stdout.split()

    assert kcat("read_committed") == ["committed"]
    assert kcat("read_uncommitted") == ["aborted", "committed", "open"]
    p.abort_transaction(30)


aiokafka = pytest.importorskip("aiokafka")


def test_aiokafka_transactional_producer_and_read_committed_consumer(broker, topic_name):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: PLC0415

    create_topic(broker.bootstrap, topic_name)

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, transactional_id="tx-aiokafka")
        await producer.start()
        try:
            async with producer.transaction():
                for i in range(3):
                    await producer.send(topic_name, value=b"kept-%d" % i, partition=0)
            await producer.begin_transaction()
            await producer.send(topic_name, value=b"dropped", partition=0)
            await producer.abort_transaction()
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic_name, bootstrap_servers=broker.bootstrap, group_id=None,
                                    isolation_level="read_committed", auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            got = []
            deadline = asyncio.get_running_loop().time() + 30
            while len(got) < 3 and asyncio.get_running_loop().time() < deadline:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got.extend(r.value for r in records)
            return got
        finally:
            await consumer.stop()

    assert asyncio.run(run()) == [b"kept-%d" % i for i in range(3)]
    assert values(read_all(broker.bootstrap, topic_name, "read_committed")) == [b"kept-%d" % i for i in range(3)]
