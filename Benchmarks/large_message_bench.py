#!/usr/bin/env python3
"""`make bench-large`: one large payload through the embedded broker, Barge's
end-to-end throughput against plain records, and the peak RSS of
`barge send` and `barge receive`, written into docs/benchmarks.md.

Usage:
  Benchmarks/large_message_bench.py [--barge PATH] [--size 1GiB] [--rounds 3]
      [--chunk-size 960KiB] [--memory-size 4GiB] [--work-dir DIR]
      [--output docs/benchmarks.md]

Builds nothing: --barge is a release build of barge. Starts `barge broker`
on a free 127.0.0.1 port with a fresh data directory (message.max.bytes and
socket.request.max.bytes raised), then

1. throughput: runs `barge bench large --size SIZE --rounds N` against it
   (its output is shown as it comes);
2. memory: writes a --memory-size file of pseudo-random bytes (a 16 MiB
   random block written over and over), starts `/usr/bin/time -v barge
   receive --count 1` and then `/usr/bin/time -v barge send --strategy
   chunked` on a new single-partition topic, takes each one's "Maximum
   resident set size", and checks that the received file has the source's
   size and SHA-256.

Stops the broker, deletes its files, and replaces the "Large messages"
section of --output (appending it the first time); the rest of the file is
kept.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from broker_throughput import ROOT, Broker, create_topic, git_rev, machine_info, replace_section, run_barge_bench

BEGIN = "<!-- large-bench: begin (written by Benchmarks/large_message_bench.py) -->"
END = "<!-- large-bench: end -->"
LAST_LINE = re.compile(r"large/plain throughput=(\d+\.\d\d)")
MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
WALL = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
TIME = "/usr/bin/time"
RSS_TARGET_KIB = 64 * 1024
RATIO_TARGET = 0.9
BLOCK = 16 << 20


def byte_count(text: str) -> int:
    """`1GiB`, `960KiB`, `8MiB`, `524288`: binary units, as barge's options."""
    m = re.fullmatch(r"(\d+)\s*([kmg]?)(?:i?b)?", text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a byte count: {text!r}")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2)]


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def byte_text(n: int, space: str = "") -> str:
    """The inverse of byte_count: `1GiB`, `960KiB`, `4 GiB` with `space`."""
    for shift, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{space}{unit}"
    return str(n)


# ---------------------------------------------------------------------------
# Throughput.

def run_throughput(barge: str, bootstrap: str, args) -> list[str]:
    """Runs `barge bench large`, echoing its output; returns its lines."""
    cmd = [barge, "bench", "large", "--bootstrap-servers", bootstrap, "--size", byte_text(args.size),
           "--rounds", str(args.rounds), "--chunk-size", byte_text(args.chunk_size), "--directory", args.work_dir]
    return run_barge_bench(cmd, LAST_LINE)


# ---------------------------------------------------------------------------
# Memory.

def write_payload(path: str, size: int) -> str:
    """Writes `size` bytes (a 16 MiB random block, repeated) and returns their SHA-256."""
    block = os.urandom(BLOCK)
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            piece = block if left >= BLOCK else block[:left]
            f.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while piece := f.read(BLOCK):
            digest.update(piece)
    return digest.hexdigest()


def timed(cmd: list[str], log: str) -> subprocess.Popen:
    """Starts `cmd` under `/usr/bin/time -v`, its output and time's report into `log`."""
    out = open(log, "wb")
    proc = subprocess.Popen([TIME, "-v", *cmd], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=ROOT)
    out.close()
    return proc


def time_report(log: str, what: str) -> dict:
    with open(log, errors="replace") as f:
        text = f.read()
    rss = MAX_RSS.search(text)
    if not rss:
        sys.exit(f"no 'Maximum resident set size' from /usr/bin/time for {what}:\n{text[-2000:]}")
    wall = WALL.search(text)
    return {"rss_kib": int(rss.group(1)), "wall": wall.group(1) if wall else "?", "log": text}


def wait(proc: subprocess.Popen, timeout: float, what: str, log: str) -> None:
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        with open(log, errors="replace") as f:
            sys.exit(f"{what} did not finish within {timeout:.0f} s:\n{f.read()[-2000:]}")
    if proc.returncode != 0:
        with open(log, errors="replace") as f:
            sys.exit(f"{what} exited with status {proc.returncode}:\n{f.read()[-2000:]}")


def run_memory(barge: str, bootstrap: str, args) -> dict:
    """Sends one --memory-size file with `barge send` while `barge receive` takes it."""
    source = os.path.join(args.work_dir, "payload.bin")
    received_dir = os.path.join(args.work_dir, "received")
    started = time.monotonic()
    digest = write_payload(source, args.memory_size)
    print(f"memory: wrote {args.memory_size:,} bytes to {source} in {time.monotonic() - started:.1f} s", flush=True)

    topic = f"large-memory-{uuid.uuid4().hex[:8]}"
    create_topic(bootstrap, topic, {"max.message.bytes": str(args.chunk_size + (256 << 10))})
    receive_cmd = [barge, "receive", "--topic", topic, "--bootstrap-servers", bootstrap,
                   "--group", f"large-memory-{uuid.uuid4().hex[:8]}", "--to", received_dir, "--count", "1"]
    send_cmd = [barge, "send", source, "--topic", topic, "--bootstrap-servers", bootstrap,
                "--strategy", "chunked", "--chunk-size", byte_text(args.chunk_size)]
    receive_log = os.path.join(args.work_dir, "receive.log")
    send_log = os.path.join(args.work_dir, "send.log")
    print(f"memory: {TIME} -v {' '.join(receive_cmd)} &", flush=True)
    receiver = timed(receive_cmd, receive_log)
    try:
        time.sleep(1)  # let the receiver start first
        print(f"memory: {TIME} -v {' '.join(send_cmd)}", flush=True)
        started = time.monotonic()
        sender = timed(send_cmd, send_log)
        wait(sender, 1800, "barge send", send_log)
        wait(receiver, 1800, "barge receive", receive_log)
        elapsed = time.monotonic() - started
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait(10)
    send = time_report(send_log, "barge send")
    receive = time_report(receive_log, "barge receive")

    target = os.path.join(received_dir, os.path.basename(source))
    if not os.path.exists(target):
        sys.exit(f"barge receive did not write {target}:\n{receive['log'][-2000:]}")
    size = os.path.getsize(target)
    received_digest = sha256_of(target)
    if size != args.memory_size or received_digest != digest:
        sys.exit(f"received {size:,} bytes with SHA-256 {received_digest}, sent {args.memory_size:,} with {digest}")
    print(f"memory: received {size:,} bytes, SHA-256 {digest} matches; peak RSS send {mib(send['rss_kib'])}, "
          f"receive {mib(receive['rss_kib'])}; {args.memory_size / 1e6 / elapsed:.1f} MB/s end to end", flush=True)
    return {"send": send, "receive": receive, "sha256": digest, "seconds": elapsed,
            "send_cmd": send_cmd, "receive_cmd": receive_cmd}


# ---------------------------------------------------------------------------
# Report.

def render(barge: str, args, lines: list[str], memory: dict) -> str:
    m = machine_info()
    ratio = float(LAST_LINE.fullmatch(lines[-1]).group(1))
    table = [line for line in lines if line.startswith("|")]
    settings = next((line.split(": ", 1)[1] for line in lines if line.startswith("settings, both transfers")), "?")
    barge_path = os.path.relpath(barge, ROOT) if os.path.abspath(barge).startswith(ROOT) else barge
    send_kib, receive_kib = memory["send"]["rss_kib"], memory["receive"]["rss_kib"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def shown(cmd: list[str]) -> str:
        """`cmd` with placeholders for this run's paths, broker, topic and group."""
        placeholders = {"--topic": "TOPIC", "--bootstrap-servers": "HOST:PORT", "--group": "GROUP", "--to": "DIR"}
        words = []
        for index, word in enumerate(cmd):
            option = cmd[index - 1] if index > 0 else None
            if word == barge:
                words.append("barge")
            elif word.endswith("payload.bin"):
                words.append("FILE")
            elif option in placeholders:
                words.append(placeholders[option])
            else:
                words.append(word)
        return " ".join(words)

    return "\n".join([
        BEGIN,
        "## Large messages",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by `Benchmarks/large_message_bench.py` "
        "(`make bench-large`).",
        "",
        f"- Machine: {m.get('cpu', 'unknown CPU')}, {m['nproc']} cores available, {m.get('memory', '?')} memory, "
        f"kernel {m['kernel']}",
        f"- Barge: `{barge_path}` (release build) at commit {git_rev()}; the embedded broker, `barge broker`, "
        "on the same machine (data directory under /tmp), client and broker sharing the cores",
        "",
        "### Throughput: one payload, chunked, against plain records",
        "",
        f"`barge bench large --size {byte_text(args.size)} --rounds {args.rounds} --chunk-size {byte_text(args.chunk_size)}`: a payload "
        f"file of {args.size:,} pseudo-random bytes goes through a new single-partition topic once as plain "
        f"records of {args.chunk_size:,} bytes (RdKafka's `KafkaProducer` reading the file a chunk at a time, "
        "an assign-mode `KafkaConsumer` appending the values to a file) and once as one Barge message chunked at "
        "the same size (`LargeMessageProducer.send(contentsOf:)`, a `LargeMessageConsumer` with progressive "
        "delivery writing it with `BargeMessage.write(to:)`, which checks the SHA-256). Producer and consumer "
        "run at the same time; each transfer is timed from the first send to the synced output file (the "
        "plain side syncs its file as `write(to:)` does). The two take turns to go first. MB/s = 10^6 payload "
        f"bytes per second. Both sides use `barge send`'s and `barge receive`'s settings: {settings}.",
        "",
        *table,
        "",
        f"Barge / plain (last line of `barge bench large`): `{lines[-1]}` (target: at least {RATIO_TARGET}): "
        f"{verdict(ratio >= RATIO_TARGET)}",
        "",
        f"### Memory: a {byte_text(args.memory_size, ' ')} payload through `barge send` and `barge receive`",
        "",
        f"A file of {args.memory_size:,} bytes (a 16 MiB random block, repeated) sent with `barge send "
        f"--strategy chunked` (chunks of {args.chunk_size:,} bytes) while `barge receive` (started first, "
        "progressive delivery, writing the file as it comes) takes it; each runs under `/usr/bin/time -v`. "
        f"The received file has the source's size and SHA-256 (`{memory['sha256'][:16]}...`). Sending and "
        f"receiving took {memory['seconds']:.1f} s together ({args.memory_size / 1e6 / memory['seconds']:.0f} MB/s).",
        "",
        "| process | peak RSS (maximum resident set size) | target | |",
        "|---|---|---|---|",
        f"| `barge send` | {mib(send_kib)} ({send_kib:,} KiB) | at most 64 MiB | {verdict(send_kib <= RSS_TARGET_KIB)} |",
        f"| `barge receive` | {mib(receive_kib)} ({receive_kib:,} KiB) | at most 64 MiB | "
        f"{verdict(receive_kib <= RSS_TARGET_KIB)} |",
        "",
        "Runs vary: the machine's two cores are shared by the broker, producer and consumer (and by whatever "
        "else runs), and the files go through one disk, so single rounds and single runs differ a lot; "
        "compare medians, and more than one run.",
        "",
        "To run it again: `make bench-large` (builds barge in release mode, rewrites this section), or "
        "`python3 Benchmarks/large_message_bench.py --barge PATH --output docs/benchmarks.md`. By hand, "
        "against any broker:",
        "",
        "```sh",
        f"barge bench large --bootstrap-servers HOST:PORT --size {byte_text(args.size)} --rounds {args.rounds}",
        f"{TIME} -v {shown(memory['receive_cmd'])} &",
        f"{TIME} -v {shown(memory['send_cmd'])}",
        "```",
        END,
    ]) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=os.path.join(ROOT, ".build", "release", "barge"))
    ap.add_argument("--size", type=byte_count, default=1 << 30, help="payload of the throughput rounds (1GiB)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--chunk-size", type=byte_count, default=960 << 10, help="record and chunk size (960KiB)")
    ap.add_argument("--memory-size", type=byte_count, default=4 << 30, help="payload of the RSS run (4GiB)")
    ap.add_argument("--work-dir", help="where payloads and received files go (default: a new temporary directory)")
    ap.add_argument("--output", help="markdown file whose large-message section is replaced")
    args = ap.parse_args()
    if not os.access(args.barge, os.X_OK):
        sys.exit(f"barge binary not found at {args.barge}")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"{TIME} not found: install Debian's `time` package (scripts/install-deps.sh does)")
    args.barge = os.path.abspath(args.barge)
    own_work_dir = args.work_dir is None
    args.work_dir = tempfile.mkdtemp(prefix="barge-large-bench-") if own_work_dir else os.path.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)

    # Room for a chunk record and its batch; requests of a few chunks.
    limit = max(10_000_000, 2 * args.chunk_size)
    broker = Broker("barge", args.barge, {"message.max.bytes": str(limit),
                                          "socket.request.max.bytes": str(max(104_857_600, 4 * limit))})
    try:
        broker.start()
        lines = run_throughput(args.barge, broker.bootstrap, args)
        memory = run_memory(args.barge, broker.bootstrap, args)
    finally:
        broker.stop()
        if own_work_dir:
            shutil.rmtree(args.work_dir, ignore_errors=True)
        else:
            for name in ("payload.bin", "received", "send.log", "receive.log"):
                path = os.path.join(args.work_dir, name)
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else (
                    os.path.exists(path) and os.remove(path))
    if args.output:
        replace_section(args.output, BEGIN, END, render(args.barge, args, lines, memory))
        print(f"wrote the large-message section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
