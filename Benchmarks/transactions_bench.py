#!/usr/bin/env python3
"""Transactions in the embedded broker: what they cost a producer, against
the same work without them, in the same run.

Usage:
  Benchmarks/transactions_bench.py [--barge PATH] [--payload-mib 1024]
      [--records 1000] [--record-size 1000000] [--per-transaction 100]
      [--rounds 3] [--output docs/benchmarks.md]

1. `barge send` of one --payload-mib MiB file, chunked (960 KiB chunks), with
   and without `--transactional-id`, each into a fresh topic;
2. confluent-kafka producing --records records of --record-size bytes with
   acks=all: idempotent without transactions, and transactional with a
   commit every --per-transaction records;
3. confluent-kafka producing the same --payload-mib MiB as 960 KiB records,
   without and with one transaction around them all: the broker's cost of
   a one-transaction send, without Barge's client.
Pairs alternate --rounds times; the medians and their ratios are reported.
Every run writes to a fresh topic that is deleted afterwards, and starts
after `sync`, so that no run pays for the dirty pages of the one before.
One broker (release build) on 127.0.0.1; everything started is stopped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from broker_throughput import Broker, create_topic, default_barge, replace_section, run_lines  # noqa: E402

BEGIN = "<!-- transactions-bench: begin (written by Benchmarks/transactions_bench.py) -->"
END = "<!-- transactions-bench: end -->"
CHUNK = 960 * 1024


def write_payload(path: str, mib: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as out:
        for _ in range(mib):
            out.write(block)


def fresh_topic(broker: Broker, prefix: str) -> str:
    """A new topic, created once the disk has written back what earlier runs left dirty."""
    os.sync()
    topic = f"{prefix}-{uuid.uuid4().hex[:8]}"
    create_topic(broker.bootstrap, topic)
    return topic


def delete_topic(broker: Broker, topic: str) -> None:
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    for future in admin.delete_topics([topic], operation_timeout=60).values():
        future.result(120)


def barge_send(barge: str, broker: Broker, path: str, size: int, transactional: bool) -> float:
    topic = fresh_topic(broker, "send")
    cmd = [barge, "send", path, "--topic", topic, "--bootstrap-servers", broker.bootstrap, "--strategy", "chunked"]
    if transactional:
        cmd += ["--transactional-id", f"bench-{uuid.uuid4().hex[:8]}"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=1800)
    rate = size / 1e6 / (time.perf_counter() - start)
    delete_topic(broker, topic)
    return rate


def produce_records(broker: Broker, count: int, size: int, per_transaction: int | None) -> float:
    """MB/s of `count` records of `size` bytes; with `per_transaction`, a commit every that many."""
    from confluent_kafka import Producer
    topic = fresh_topic(broker, "records")
    conf = {"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5, "enable.idempotence": True,
            "message.max.bytes": size + 1_000_000, "queue.buffering.max.kbytes": 2_000_000}
    if per_transaction:
        conf["transactional.id"] = f"bench-{uuid.uuid4().hex[:8]}"
    p = Producer(conf)
    if per_transaction:
        p.init_transactions(60)
    payload = os.urandom(size)
    errors = []

    def cb(err, _msg):
        if err is not None:
            errors.append(err)

    start = time.perf_counter()
    for i in range(count):
        if per_transaction and i % per_transaction == 0:
            p.begin_transaction()
        while True:
            try:
                p.produce(topic, value=payload, partition=0, on_delivery=cb)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
        if per_transaction and (i + 1) % per_transaction == 0:
            p.commit_transaction(300)
    if per_transaction and count % per_transaction:
        p.commit_transaction(300)
    left = p.flush(300)
    elapsed = time.perf_counter() - start
    if left or errors:
        raise RuntimeError(f"produce failed: {left} undelivered, errors {errors[:3]}")
    delete_topic(broker, topic)
    return count * size / 1e6 / elapsed


def render(args, sends: dict[str, list[float]], records: dict[str, list[float]], chunks: dict[str, list[float]]) -> str:
    plain_send, txn_send = statistics.median(sends["plain"]), statistics.median(sends["txn"])
    plain_rec, txn_rec = statistics.median(records["plain"]), statistics.median(records["txn"])
    plain_chunks, txn_chunks = statistics.median(chunks["plain"]), statistics.median(chunks["txn"])
    rounds = lambda values: ", ".join(f"{v:.0f}" for v in values)  # noqa: E731
    lines = [
        "# Transactions",
        "",
        *run_lines("transactions_bench.py", args.rounds),
        "",
        "| work | without transactions MB/s (rounds) | with transactions MB/s (rounds) | with / without | target |",
        "|---|---|---|---|---|",
        f"| `barge send` of a {args.payload_mib} MiB file, chunked | {plain_send:.1f} ({rounds(sends['plain'])}) "
        f"| {txn_send:.1f} ({rounds(sends['txn'])}) | {txn_send / plain_send:.2f}x | at least 0.9x |",
        f"| confluent-kafka, {args.records} records of {args.record_size} bytes, acks=all, idempotent; "
        f"a commit every {args.per_transaction} | {plain_rec:.1f} ({rounds(records['plain'])}) "
        f"| {txn_rec:.1f} ({rounds(records['txn'])}) | {txn_rec / plain_rec:.2f}x | at least 0.8x |",
        f"| for comparison: confluent-kafka, the same {args.payload_mib} MiB as 960 KiB records, one transaction around them all "
        f"| {plain_chunks:.1f} ({rounds(chunks['plain'])}) | {txn_chunks:.1f} ({rounds(chunks['txn'])}) | {txn_chunks / plain_chunks:.2f}x | |",
        "",
        "A transaction adds, per commit: AddPartitionsToTxn before the first record of each partition, and EndTxn, whose "
        "answer waits for the decision and the completion to be fsync'd in the transaction state log (small appends) and for "
        "the marker to be appended to each partition (as durable as the partition's data, no fsync of its own), and the "
        "producer's wait for every record of the transaction before it commits. Each run writes to a fresh topic after "
        "`sync` and deletes it after; rounds alternate which kind goes first.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=default_barge())
    ap.add_argument("--payload-mib", type=int, default=1024)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--record-size", type=int, default=1_000_000)
    ap.add_argument("--per-transaction", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--output")
    args = ap.parse_args()
    broker = Broker("barge", args.barge, {"message.max.bytes": str(args.record_size + 1_000_000), "num.partitions": "1"})
    sends: dict[str, list[float]] = {"plain": [], "txn": []}
    records: dict[str, list[float]] = {"plain": [], "txn": []}
    chunks: dict[str, list[float]] = {"plain": [], "txn": []}
    chunk_count = (args.payload_mib << 20) // CHUNK
    with tempfile.TemporaryDirectory(prefix="txn-bench-") as scratch:
        payload = os.path.join(scratch, "payload.bin")
        write_payload(payload, args.payload_mib)
        broker.start()
        try:
            for round_index in range(args.rounds):
                for kind in ("plain", "txn") if round_index % 2 == 0 else ("txn", "plain"):
                    sends[kind].append(barge_send(args.barge, broker, payload, args.payload_mib << 20, kind == "txn"))
                    print(f"round {round_index + 1} send {kind}: {sends[kind][-1]:.1f} MB/s", flush=True)
                for kind in ("plain", "txn") if round_index % 2 == 0 else ("txn", "plain"):
                    records[kind].append(produce_records(broker, args.records, args.record_size,
                                                         args.per_transaction if kind == "txn" else None))
                    print(f"round {round_index + 1} records {kind}: {records[kind][-1]:.1f} MB/s", flush=True)
                for kind in ("plain", "txn") if round_index % 2 == 0 else ("txn", "plain"):
                    chunks[kind].append(produce_records(broker, chunk_count, CHUNK, chunk_count if kind == "txn" else None))
                    print(f"round {round_index + 1} chunks {kind}: {chunks[kind][-1]:.1f} MB/s", flush=True)
        finally:
            broker.stop()
    report = render(args, sends, records, chunks)
    print()
    print(report)
    if args.output:
        replace_section(args.output, BEGIN, END, f"{BEGIN}\n{report.rstrip()}\n{END}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
