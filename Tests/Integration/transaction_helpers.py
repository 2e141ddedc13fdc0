"""Helpers for the transaction tests: a transactional confluent-kafka
producer, consumers that read everything up to the end under either
isolation level, and the last stable offset as ListOffsets reports it."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition


def txn_producer(bootstrap: str, transactional_id: str, **extra) -> Producer:
    conf = {"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
            "transaction.timeout.ms": 60000, "linger.ms": 5}
    conf.update(extra)
    p = Producer(conf)
    p.init_transactions(30)
    return p


def read_all(bootstrap: str, topic: str, isolation: str, partitions: int = 1, timeout: float = 30.0) -> list[tuple[int, int, bytes]]:
    """Every record (partition, offset, value) from the start to the end that
    `isolation` lets the consumer reach, in partition and offset order."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex[:8]}",
                  "isolation.level": isolation, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "enable.partition.eof": True})
    try:
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        out, eof = [], set()
        deadline = time.monotonic() + timeout
        while len(eof) < partitions:
            assert time.monotonic() < deadline, f"read {len(out)} records of {topic}, end of {sorted(eof)} only"
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise KafkaException(m.error())
            eof.discard(m.partition())
            out.append((m.partition(), m.offset(), m.value()))
        return sorted(out)
    finally:
        c.close()


def end_offsets(bootstrap: str, topic: str, isolation: str, partition: int = 0) -> int:
    """The latest offset ListOffsets answers under `isolation` (the last stable offset under read_committed)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"lso-{uuid.uuid4().hex[:8]}", "isolation.level": isolation})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10, cached=False)[1]
    finally:
        c.close()


def wait_until(condition, timeout: float = 60.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)
