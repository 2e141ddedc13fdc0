#!/usr/bin/env python3
"""confluent-kafka's side of `barge bench client`: one round of produce and
consume throughput, printed as one JSON line.

Usage (normally run by `barge bench client`, which passes the same librdkafka
settings its Swift client uses):
  Benchmarks/confluent_client_bench.py --bootstrap-servers HOST:PORT --topic T
      [--records 500] [--record-size 1000000]
      [--producer-config JSON] [--consumer-config JSON]

The topic must exist (one partition). A producer writes --records records of
--record-size random bytes (no key) to partition 0, calling poll(0) after
each produce() and flush() at the end; then a fresh consumer (a group of its
own, assign mode, from offset 0) reads them back with a poll() loop. Offset
0 is the beginning of the new topic; OFFSET_BEGINNING would add a constant
500 ms (a fresh consumer has no partition leader yet when it first looks the
offset up, and librdkafka retries after 500 ms).
consume(num_messages=...) is avoided on purpose: with 1 MB records
librdkafka's prefetch cap (queued.max.messages.kbytes) holds fewer records
than a large num_messages, so each call waits out its timeout.

Output: {"produce_mb_per_s": ..., "consume_mb_per_s": ...,
"confluent_kafka_version": ..., "librdkafka_version": ...}, where MB/s is
10^6 bytes of record values per second, timed from the first produce() to
the end of flush() and from assign() to the last record.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition

# Longest time either phase may take.
DEADLINE_SECONDS = 600


def produce(bootstrap: str, topic: str, records: int, size: int, config: dict[str, str]) -> float:
    """Seconds from the first produce() to the end of flush()."""
    producer = Producer({**config, "bootstrap.servers": bootstrap})
    payload = os.urandom(size)
    failures = []

    def on_delivery(error, _message):
        if error is not None:
            failures.append(error)

    start = time.perf_counter()
    for _ in range(records):
        while True:
            try:
                producer.produce(topic, value=payload, partition=0, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(DEADLINE_SECONDS)
    elapsed = time.perf_counter() - start
    if left or failures:
        raise RuntimeError(f"produce failed: {left} undelivered, errors {failures[:3]}")
    return elapsed


def consume(bootstrap: str, topic: str, records: int, size: int, config: dict[str, str]) -> float:
    """Seconds from assign() to the last record."""
    consumer = Consumer({**config, "bootstrap.servers": bootstrap, "group.id": f"barge-bench-{uuid.uuid4()}"})
    got = 0
    try:
        start = time.perf_counter()
        consumer.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + DEADLINE_SECONDS
        while got < records:
            if time.monotonic() > deadline:
                raise RuntimeError(f"consumed {got} of {records} records in {DEADLINE_SECONDS} s")
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                raise RuntimeError(f"consume error: {message.error()}")
            if len(message.value()) != size:
                raise RuntimeError(f"record {message.offset()} has {len(message.value())} bytes, not {size}")
            got += 1
        elapsed = time.perf_counter() - start
    finally:
        consumer.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--record-size", type=int, default=1_000_000)
    parser.add_argument("--producer-config", type=json.loads, default={}, help="librdkafka properties, a JSON object")
    parser.add_argument("--consumer-config", type=json.loads, default={}, help="librdkafka properties, a JSON object")
    args = parser.parse_args()

    megabytes = args.records * args.record_size / 1e6
    produce_seconds = produce(args.bootstrap_servers, args.topic, args.records, args.record_size, args.producer_config)
    consume_seconds = consume(args.bootstrap_servers, args.topic, args.records, args.record_size, args.consumer_config)
    print(json.dumps({
        "produce_mb_per_s": megabytes / produce_seconds,
        "consume_mb_per_s": megabytes / consume_seconds,
        "confluent_kafka_version": confluent_kafka.__version__,
        "librdkafka_version": confluent_kafka.libversion()[0],
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
