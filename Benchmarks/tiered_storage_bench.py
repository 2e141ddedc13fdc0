#!/usr/bin/env python3
"""Tiered storage in the embedded broker: consuming from the remote tier vs
from local segments, and producing with tiering on vs off, on a file tier and
on SeaweedFS (S3), in the same run.

Usage:
  Benchmarks/tiered_storage_bench.py [--barge PATH] [--records 2000]
      [--record-size 1000000] [--tiers file,s3] [--produce-rate 200]
      [--output docs/benchmarks.md]

For each tier, one broker (release build) with tiering on:
1. produce: --records records of --record-size bytes with acks=all to a
   topic without remote storage, then to one with remote storage (64 MiB
   segments, so that copies run while the producer writes); MB/s of each and
   their ratio, and how long after the last record the last closed segment
   was copied; once as fast as the producer goes, and once offered at
   --produce-rate MB/s (200: the stream the issue's target names) to two
   more topics;
2. consume: the tiered topic once its local retention (0 bytes) left only
   the active segment on disk, so that every other record is read from the
   remote tier through the chunk cache, vs the local topic, alternating
   three times; the median MB/s of each, their ratio, and the broker's peak
   RSS during the reads; on S3 also the store's own ranged GETs of the same
   objects (boto3), the ceiling of a remote read on this machine.
Everything runs on 127.0.0.1; everything started is stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Integration"))

from broker_throughput import (Broker, RssSampler, consume, create_topic, default_barge, git_rev, machine_info,  # noqa: E402
                               produce, replace_section)

SEGMENT_BYTES = 64 << 20
CONSUME_ROUNDS = 3
BEGIN = "<!-- tiered-bench: begin (written by Benchmarks/tiered_storage_bench.py) -->"
END = "<!-- tiered-bench: end -->"


def partition_dir(broker: Broker, topic: str) -> str:
    return os.path.join(broker.dir, "data", f"{topic}-0")


def remote_segments(broker: Broker, topic: str) -> list[dict]:
    """The remote tier's metadata of partition 0: `__remote_log_metadata/<topic id>-0.json`."""
    data = os.path.join(broker.dir, "data")
    try:
        with open(os.path.join(data, "__topics", f"{topic}.json")) as f:
            topic_id = json.load(f)["id"]
        with open(os.path.join(data, "__remote_log_metadata", f"{topic_id}-0.json")) as f:
            return json.load(f)["segments"]
    except FileNotFoundError:
        return []


def local_bases(broker: Broker, topic: str) -> list[int]:
    return sorted(int(name[:20]) for name in os.listdir(partition_dir(broker, topic)) if name.endswith(".log"))


def wait_for(condition, what: str, timeout: float = 600.0) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def all_copied(broker: Broker, topic: str) -> bool:
    """Every closed segment is in the remote tier and gone locally: only the active one is left."""
    bases = local_bases(broker, topic)
    segments = remote_segments(broker, topic)
    return len(bases) == 1 and bool(segments) and segments[-1]["endOffset"] == bases[0] \
        and all(s["state"] == "COPY_SEGMENT_FINISHED" for s in segments)


def produce_pair(broker: Broker, records: int, size: int, limit: str, rate: float | None) -> tuple[str, str, float, float, float]:
    """Produces to a new local topic, then to a new tiered one; returns the tiered topic, both MB/s and the copy tail."""
    local_topic = f"bench-local-{uuid.uuid4().hex[:6]}"
    tiered_topic = f"bench-tiered-{uuid.uuid4().hex[:6]}"
    create_topic(broker.bootstrap, local_topic, {"max.message.bytes": limit, "segment.bytes": str(SEGMENT_BYTES)})
    create_topic(broker.bootstrap, tiered_topic, {"max.message.bytes": limit, "segment.bytes": str(SEGMENT_BYTES),
                                                  "remote.storage.enable": "true", "local.retention.bytes": "0"})
    local = produce(broker.bootstrap, local_topic, records, size, rate_mb_s=rate)
    tiered = produce(broker.bootstrap, tiered_topic, records, size, rate_mb_s=rate)
    copy_tail = wait_for(lambda: all_copied(broker, tiered_topic), "the copies to catch up")
    return local_topic, tiered_topic, local, tiered, copy_tail


def raw_get_rate(store, bucket: str, prefix: str, piece: int = 4 << 20, threads: int = 4) -> float:
    """MB/s of reading every `.log` object under `prefix` with boto3, in ranged GETs of `piece`
    bytes on `threads` threads: what the store serves to a plain client, the remote read's ceiling."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415
    client = store.client(max_pool_connections=threads)
    ranges = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".log"):
                ranges += [(item["Key"], start, min(start + piece, item["Size"]) - 1) for start in range(0, item["Size"], piece)]

    def get(entry) -> int:
        key, first, last = entry
        return len(client.get_object(Bucket=bucket, Key=key, Range=f"bytes={first}-{last}")["Body"].read())

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(get, ranges))
    return total / 1e6 / (time.perf_counter() - start)


def run_tier(kind: str, barge: str, records: int, size: int, rate: float, extra: dict[str, str], store=None) -> dict:
    limit = str(max(10_000_000, size * 2))
    remote_dir = tempfile.mkdtemp(prefix="bench-remote-")
    bucket = store.create_bucket() if store is not None else None
    url = f"file://{remote_dir}" if kind == "file" else store.store_url(bucket, "tiered")
    settings = {"message.max.bytes": limit, "num.partitions": "1", "remote.log.storage.system.enable": "true",
                "rsm.config.storage.url": url, "remote.log.manager.task.interval.ms": "1000",
                "log.retention.check.interval.ms": "1000"}
    settings.update(extra)
    if store is not None:
        os.environ.update(store.env())
    broker = Broker("barge", barge, settings)
    broker.start()
    try:
        local_topic, tiered_topic, produce_local, produce_tiered, copy_tail = produce_pair(broker, records, size, limit, None)
        print(f"{kind}: produce local {produce_local:.1f} MB/s, tiered {produce_tiered:.1f} MB/s; "
              f"last copy {copy_tail:.1f} s after the last record", flush=True)
        _, _, paced_local, paced_tiered, paced_tail = produce_pair(broker, records, size, limit, rate)
        print(f"{kind}: produce offered at {rate:.0f} MB/s: local {paced_local:.1f} MB/s, tiered {paced_tiered:.1f} MB/s; "
              f"last copy {paced_tail:.1f} s after the last record", flush=True)
        # Local and remote alternate, CONSUME_ROUNDS times; the medians are reported.
        locals_, remotes = [], []
        sampler = RssSampler(broker)
        rss_before = broker.memory_kb().get("VmRSS", 0)
        sampler.start()
        for _ in range(CONSUME_ROUNDS):
            locals_.append(consume(broker.bootstrap, local_topic, records, size))
            remotes.append(consume(broker.bootstrap, tiered_topic, records, size))
        peak = sampler.stop()
        consume_local, consume_remote = statistics.median(locals_), statistics.median(remotes)
        print(f"{kind}: consume local {', '.join(f'{r:.0f}' for r in locals_)} MB/s, "
              f"remote {', '.join(f'{r:.0f}' for r in remotes)} MB/s; "
              f"broker RSS {rss_before / 1024:.1f} -> peak {peak / 1024:.1f} MiB", flush=True)
        raw_get = raw_get_rate(store, bucket, "tiered/") if store is not None else None
        if raw_get is not None:
            print(f"{kind}: the store's own ranged GETs of the same objects: {raw_get:.1f} MB/s", flush=True)
        return {"tier": kind, "produce_local": produce_local, "produce_tiered": produce_tiered, "copy_tail": copy_tail,
                "paced_local": paced_local, "paced_tiered": paced_tiered, "paced_tail": paced_tail,
                "consume_local": consume_local, "consume_remote": consume_remote, "rss_before_kb": rss_before,
                "rss_peak_kb": peak, "raw_get": raw_get, "segments": len(remote_segments(broker, tiered_topic))}
    finally:
        broker.stop()
        shutil.rmtree(remote_dir, ignore_errors=True)


def render(args, results: list[dict]) -> str:
    info = machine_info()
    lines = [
        "# Tiered storage",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by `Benchmarks/tiered_storage_bench.py` "
        f"(barge {git_rev()}, release build): {args.records} records of {args.record_size} bytes "
        f"({args.records * args.record_size / 1e9:.1f} GB) per topic, one partition, acks=all, 64 MiB segments, "
        "4 MiB chunks, the default 1 GiB chunk cache and 16 MiB prefetch"
        + (f"; broker settings {', '.join(args.set)}" if args.set else "") + ".",
        f"Machine: {info.get('cpu', '?')}, {info.get('nproc', '?')} cores, {info.get('memory', '?')}, "
        f"Linux {info.get('kernel', '?')}; {info.get('client', '')}.",
        "",
        "| tier | consume local MB/s (median of 3) | consume remote MB/s (median of 3) | remote / local | the store's own ranged GETs MB/s (remote / that) | broker peak RSS during the reads | produce, tiering off MB/s | produce, tiering on MB/s | on / off | last copy after the last record "
        f"| at {args.produce_rate:.0f} MB/s offered: off / on MB/s | on / off | last copy after the last record |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['tier']} | {r['consume_local']:.1f} | {r['consume_remote']:.1f} | {r['consume_remote'] / r['consume_local']:.2f}x "
            + (f"| {r['raw_get']:.1f} ({r['consume_remote'] / r['raw_get']:.2f}x) " if r.get("raw_get") else "| - ")
            + f"| {r['rss_peak_kb'] / 1024:.1f} MiB | {r['produce_local']:.1f} | {r['produce_tiered']:.1f} "
            f"| {r['produce_tiered'] / r['produce_local']:.2f}x | {r['copy_tail']:.1f} s "
            f"| {r['paced_local']:.1f} / {r['paced_tiered']:.1f} | {r['paced_tiered'] / r['paced_local']:.2f}x | {r['paced_tail']:.1f} s |")
    lines += [
        "",
        "Consumes alternate local and remote three times. Remote: every segment but the active one was read from the remote tier (local retention 0 bytes): "
        "on the file tier in place from the object files (plain chunks), on S3 through the on-disk chunk cache, "
        "which starts empty and, at half the data, holds none of its start when the next round begins. The store's own ranged GETs: every `.log` object read by boto3 in 4 MiB ranges on 4 threads "
        "after the consume, the ceiling a remote read on this machine can reach. The RSS is the broker process's. Produce: first as fast as the producer goes, "
        f"then offered at {args.produce_rate:.0f} MB/s to two more topics. On a file tier that shares the log's "
        "file system, copies of plain segments are hard links (no bytes copied).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=default_barge())
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--record-size", type=int, default=1_000_000)
    ap.add_argument("--tiers", default="file,s3")
    ap.add_argument("--produce-rate", type=float, default=200.0, help="MB/s offered in the paced produce")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a broker setting (repeatable)")
    ap.add_argument("--output")
    args = ap.parse_args()
    extra = dict(item.split("=", 1) for item in args.set)
    results = []
    for kind in args.tiers.split(","):
        if kind == "s3":
            from seaweedfs_server import SeaweedFS  # noqa: PLC0415
            with SeaweedFS() as store:
                results.append(run_tier(kind, args.barge, args.records, args.record_size, args.produce_rate, extra, store))
        else:
            results.append(run_tier(kind, args.barge, args.records, args.record_size, args.produce_rate, extra))
    report = render(args, results)
    print()
    print(report)
    if args.output:
        replace_section(args.output, BEGIN, END, f"{BEGIN}\n{report.rstrip()}\n{END}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
