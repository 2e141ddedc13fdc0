#!/usr/bin/env python3
"""`make bench-security`: what TLS and SASL cost on the embedded broker,
measured against plaintext on the same broker in the same run, written into
docs/benchmarks.md.

Usage:
  Benchmarks/security_bench.py [--barge PATH] [--records 400] [--rounds 3]
      [--large-size 1GiB] [--big-records 5] [--output docs/benchmarks.md]

Builds nothing: --barge is a release build of barge. Makes a throw-away CA
and broker certificate with the openssl CLI, adds a SCRAM-SHA-512 user with
`barge users add --data-dir`, and starts one `barge broker` with three
listeners: PLAINTEXT, SSL and SASL_SSL. Then, alternating the protocols in
each round:

1. 1 MB records: confluent-kafka produces --records records of 1 MB to a new
   topic and consumes them back, over PLAINTEXT and over SSL; the medians'
   ratios SSL/PLAINTEXT (target: at least 0.6 for both).
2. one --large-size payload, chunked: `barge send --strategy chunked` and
   `barge receive --count 1` at the same time, over PLAINTEXT and over
   SASL_SSL (SCRAM-SHA-512), end to end; the ratio (target: at least 0.7).
3. the broker's peak RSS while confluent-kafka produces and consumes
   --big-records records of 100 MB over SSL (target: under 100 MiB).

Stops the broker, deletes its files, and replaces the "Security" section of
--output (appending it the first time); the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from broker_throughput import Broker, RssSampler, consume, create_topic, free_port, produce, replace_section, run_lines
from large_message_bench import byte_count, byte_text, sha256_of, write_payload

BEGIN = "<!-- security-bench: begin (written by Benchmarks/security_bench.py) -->"
END = "<!-- security-bench: end -->"
HOST = "127.0.0.1"
USER, PASSWORD = "bench", "bench-password-not-secret"
RECORD_RATIO_TARGET = 0.6
CHUNKED_RATIO_TARGET = 0.7
RSS_TARGET_KIB = 100 * 1024
BIG_RECORD = 100_000_000


def make_certificate(directory: str) -> tuple[str, str]:
    """A self-signed P-256 certificate for 127.0.0.1: (broker PEM with key and certificate, CA file for clients)."""
    key, cert = os.path.join(directory, "key.pem"), os.path.join(directory, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    broker_pem = os.path.join(directory, "broker.pem")
    with open(broker_pem, "wb") as out:
        for part in (key, cert):
            with open(part, "rb") as f:
                out.write(f.read())
    return broker_pem, cert


class SecuredBroker:
    """One barge broker with PLAINTEXT, SSL and SASL_SSL listeners and one SCRAM user."""

    def __init__(self, barge: str, ca: str, broker_pem: str):
        self.ports = {"PLAINTEXT": 0, "SSL": free_port(), "SASL_SSL": free_port()}
        self.broker = Broker("barge", barge)
        self.ports["PLAINTEXT"] = self.broker.port
        self.ca = ca
        listeners = ",".join(f"{name}://{HOST}:{port}" for name, port in self.ports.items())
        self.broker.settings = {
            "listeners": listeners, "ssl.keystore.location": broker_pem, "sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "message.max.bytes": str(BIG_RECORD + 10_000_000), "socket.request.max.bytes": str(BIG_RECORD + 20_000_000),
            "log.segment.bytes": "1073741824",
        }
        password_file = os.path.join(self.broker.dir, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        subprocess.run([barge, "users", "add", USER, "--data-dir", os.path.join(self.broker.dir, "data"),
                        "--password-file", password_file, "--mechanism", "SCRAM-SHA-512"], check=True, capture_output=True)

    def start(self) -> None:
        self.broker.start()

    def stop(self) -> None:
        self.broker.stop()

    def bootstrap(self, protocol: str) -> str:
        return f"{HOST}:{self.ports[protocol]}"

    def client_settings(self, protocol: str) -> dict[str, str]:
        """confluent-kafka settings for a listener."""
        conf = {"security.protocol": protocol.lower()}
        if protocol in ("SSL", "SASL_SSL"):
            conf["ssl.ca.location"] = self.ca
        if protocol.startswith("SASL"):
            conf.update({"sasl.mechanism": "SCRAM-SHA-512", "sasl.username": USER, "sasl.password": PASSWORD})
        return conf

    def cli_flags(self, protocol: str) -> list[str]:
        """`barge send`/`receive` flags for a listener (the password goes by environment)."""
        flags = ["--bootstrap-servers", self.bootstrap(protocol), "--security-protocol", protocol]
        if protocol in ("SSL", "SASL_SSL"):
            flags += ["--ssl-ca-location", self.ca]
        if protocol.startswith("SASL"):
            flags += ["--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", USER]
        return flags


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid: int) -> dict[int, tuple[str, float]]:
    """Each thread's name and the user and system CPU time it has used."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                name, rest = f.read().split("(", 1)[1].rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        threads[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return threads


def busiest_thread(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> tuple[str, float]:
    """The thread that used the most CPU between two samples: its name and seconds."""
    spent = [(name, seconds - before.get(tid, (name, 0.0))[1]) for tid, (name, seconds) in after.items()]
    return max(spent, key=lambda entry: entry[1])


def record_rounds(secured: SecuredBroker, records: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    """MB/s of produce and consume of 1 MB records per protocol, alternating,
    and the CPU milliseconds per MB the broker, the consuming client and the
    client's busiest thread (its name too) spent."""
    results = {p: {"produce": [], "consume": [], "broker_cpu": [], "client_cpu": [], "client_thread_cpu": [], "client_thread": []}
               for p in ("PLAINTEXT", "SSL")}
    for round_number in range(rounds):
        order = ("PLAINTEXT", "SSL") if round_number % 2 == 0 else ("SSL", "PLAINTEXT")
        for protocol in order:
            bootstrap, extra = secured.bootstrap(protocol), secured.client_settings(protocol)
            topic = f"records-{protocol.lower()}-{round_number}-{uuid.uuid4().hex[:6]}"
            create_topic(secured.bootstrap("PLAINTEXT"), topic)
            produced = produce(bootstrap, topic, records, 1_000_000, extra)
            broker_before, client_before = cpu_seconds(secured.broker.proc.pid), cpu_seconds(os.getpid())
            threads_before = thread_cpu_seconds(os.getpid())
            threads_after: dict[int, tuple[str, float]] = {}
            consumed = consume(bootstrap, topic, records, 1_000_000, extra,
                               before_close=lambda: threads_after.update(thread_cpu_seconds(os.getpid())))
            results[protocol]["broker_cpu"].append((cpu_seconds(secured.broker.proc.pid) - broker_before) * 1000 / records)
            results[protocol]["client_cpu"].append((cpu_seconds(os.getpid()) - client_before) * 1000 / records)
            name, seconds = busiest_thread(threads_before, threads_after)
            results[protocol]["client_thread_cpu"].append(seconds * 1000 / records)
            results[protocol]["client_thread"].append(name)
            results[protocol]["produce"].append(produced)
            results[protocol]["consume"].append(consumed)
            print(f"round {round_number + 1} {protocol:9} 1 MB records: produce {produced:.1f} MB/s, consume {consumed:.1f} MB/s",
                  flush=True)
    return results


def chunked_transfer(barge: str, secured: SecuredBroker, protocol: str, source: str, digest: str, work: str) -> float:
    """Seconds for one chunked payload from `barge send` to the verified file of `barge receive`."""
    topic = f"chunked-{protocol.lower()}-{uuid.uuid4().hex[:6]}"
    create_topic(secured.bootstrap("PLAINTEXT"), topic)
    out_dir = os.path.join(work, f"received-{topic}")
    os.makedirs(out_dir)
    env = dict(os.environ, BARGE_SASL_PASSWORD=PASSWORD) if protocol.startswith("SASL") else dict(os.environ)
    flags = secured.cli_flags(protocol)
    start = time.perf_counter()
    receiver = subprocess.Popen([barge, "receive", *flags, "--topic", topic, "--group", f"g-{topic}", "--count", "1",
                                 "--to", out_dir],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sender = subprocess.run([barge, "send", *flags, "--topic", topic, "--strategy", "chunked", source],
                            env=env, capture_output=True)
    if sender.returncode != 0:
        receiver.kill()
        raise RuntimeError(f"barge send over {protocol} failed: {sender.stderr.decode()[-2000:]}")
    _, errors = receiver.communicate(timeout=1800)
    elapsed = time.perf_counter() - start
    if receiver.returncode != 0:
        raise RuntimeError(f"barge receive over {protocol} failed: {errors.decode()[-2000:]}")
    received = [os.path.join(out_dir, name) for name in os.listdir(out_dir) if not name.startswith(".")]
    if len(received) != 1 or sha256_of(received[0]) != digest:
        raise RuntimeError(f"the payload received over {protocol} does not match what was sent: {received}")
    shutil.rmtree(out_dir)
    return elapsed


def chunked_rounds(barge: str, secured: SecuredBroker, size: int, rounds: int, work: str) -> dict[str, list[float]]:
    """MB/s end to end of one chunked payload per protocol, alternating."""
    source = os.path.join(work, "payload.bin")
    digest = write_payload(source, size)
    results: dict[str, list[float]] = {"PLAINTEXT": [], "SASL_SSL": []}
    for round_number in range(rounds):
        order = ("PLAINTEXT", "SASL_SSL") if round_number % 2 == 0 else ("SASL_SSL", "PLAINTEXT")
        for protocol in order:
            seconds = chunked_transfer(barge, secured, protocol, source, digest, work)
            results[protocol].append(size / 1e6 / seconds)
            print(f"round {round_number + 1} {protocol:9} {byte_text(size)} chunked: {size / 1e6 / seconds:.1f} MB/s", flush=True)
    os.remove(source)
    return results


def big_records_rss(secured: SecuredBroker, count: int) -> int:
    """The broker's peak RSS (KiB) while 100 MB records go in and out over SSL."""
    topic = f"big-{uuid.uuid4().hex[:6]}"
    create_topic(secured.bootstrap("PLAINTEXT"), topic, {"max.message.bytes": str(BIG_RECORD + 10_000_000)})
    sampler = RssSampler(secured.broker)
    sampler.start()
    extra = secured.client_settings("SSL")
    produce(secured.bootstrap("SSL"), topic, count, BIG_RECORD,
            dict(extra, **{"message.max.bytes": BIG_RECORD + 5_000_000, "linger.ms": 0}), flush_each=True)
    consume(secured.bootstrap("SSL"), topic, count, BIG_RECORD,
            dict(extra, **{"fetch.max.bytes": BIG_RECORD + 5_000_000, "max.partition.fetch.bytes": BIG_RECORD + 5_000_000,
                           "receive.message.max.bytes": BIG_RECORD + 10_000_000}))
    peak = max(sampler.stop(), secured.broker.memory_kb().get("VmHWM", 0))
    print(f"{count} records of 100 MB over SSL: broker peak RSS {peak / 1024:.1f} MiB", flush=True)
    return peak


def ratio(numerator: list[float], denominator: list[float]) -> float:
    return statistics.median(numerator) / statistics.median(denominator)


def render(args, records, chunked, peak_kib: int) -> str:
    produce_ratio = ratio(records["SSL"]["produce"], records["PLAINTEXT"]["produce"])
    consume_ratio = ratio(records["SSL"]["consume"], records["PLAINTEXT"]["consume"])
    chunked_ratio = ratio(chunked["SASL_SSL"], chunked["PLAINTEXT"])

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [BEGIN, "## Security: TLS and SASL against plaintext", ""]
    lines += run_lines("security_bench.py", args.rounds)
    lines += [
        "",
        "One broker with PLAINTEXT, SSL and SASL_SSL (SCRAM-SHA-512) listeners; TLS 1.3 with a P-256 certificate.",
        "",
        "| workload | PLAINTEXT | TLS | ratio | target |",
        "|---|---|---|---|---|",
        f"| produce, {args.records} records of 1 MB (confluent-kafka, SSL) | {statistics.median(records['PLAINTEXT']['produce']):.1f} MB/s "
        f"| {statistics.median(records['SSL']['produce']):.1f} MB/s | {produce_ratio:.2f}x | 0.6x, {verdict(produce_ratio >= RECORD_RATIO_TARGET)} |",
        f"| consume, the same records | {statistics.median(records['PLAINTEXT']['consume']):.1f} MB/s "
        f"| {statistics.median(records['SSL']['consume']):.1f} MB/s | {consume_ratio:.2f}x | 0.6x, {verdict(consume_ratio >= RECORD_RATIO_TARGET)} |",
        f"| one {byte_text(args.large_size, ' ')} payload chunked, `barge send` + `barge receive` end to end (SASL_SSL) "
        f"| {statistics.median(chunked['PLAINTEXT']):.1f} MB/s | {statistics.median(chunked['SASL_SSL']):.1f} MB/s "
        f"| {chunked_ratio:.2f}x | 0.7x, {verdict(chunked_ratio >= CHUNKED_RATIO_TARGET)} |",
        "",
        "CPU per MB consumed (medians): broker "
        f"{statistics.median(records['PLAINTEXT']['broker_cpu']):.2f} ms plaintext, {statistics.median(records['SSL']['broker_cpu']):.2f} ms TLS; "
        f"consuming client {statistics.median(records['PLAINTEXT']['client_cpu']):.2f} ms plaintext, "
        f"{statistics.median(records['SSL']['client_cpu']):.2f} ms TLS. Both share the machine's "
        f"{len(os.sched_getaffinity(0))} cores, so TLS consumption here cannot pass about "
        f"{len(os.sched_getaffinity(0)) * 1000 / (statistics.median(records['SSL']['broker_cpu']) + statistics.median(records['SSL']['client_cpu'])):.0f} MB/s "
        "(cores / CPU per MB of both), while plaintext fetches go by `sendfile` with neither side touching the bytes in user space.",
        "",
        f"The client alone sets a lower ceiling: over TLS its busiest thread "
        f"({', '.join(sorted(set(records['SSL']['client_thread'])))}, librdkafka's thread of the broker connection, which reads and "
        f"decrypts) spends {statistics.median(records['SSL']['client_thread_cpu']):.2f} ms per MB "
        f"({statistics.median(records['PLAINTEXT']['client_thread_cpu']):.2f} ms in plaintext), so one consumer cannot pass "
        f"{1000 / statistics.median(records['SSL']['client_thread_cpu']):.0f} MB/s over TLS here, whatever the broker spends; "
        f"0.6x of this run's plaintext consumption would be {0.6 * statistics.median(records['PLAINTEXT']['consume']):.0f} MB/s.",
        "",
        f"Broker peak RSS while {args.big_records} records of 100 MB were produced and consumed over SSL: "
        f"**{peak_kib / 1024:.1f} MiB** (target: under 100 MiB, {verdict(peak_kib < RSS_TARGET_KIB)}). TLS connections "
        "cannot use `sendfile`; fetches read segment bytes in 256 KiB pieces on the connection's event loop, the next once the "
        "socket has taken the last.",
        "",
        "Rounds (MB/s): " + "; ".join(
            f"{protocol} produce {', '.join(f'{x:.0f}' for x in values['produce'])}, consume {', '.join(f'{x:.0f}' for x in values['consume'])}"
            for protocol, values in records.items()) + "; chunked " + "; ".join(
            f"{protocol} {', '.join(f'{x:.0f}' for x in values)}" for protocol, values in chunked.items()) + ".",
        "",
        "Reproduce: `make bench-security`.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build", "release", "barge"))
    ap.add_argument("--records", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--large-size", type=byte_count, default=byte_count("1GiB"))
    ap.add_argument("--big-records", type=int, default=5)
    ap.add_argument("--output", default="docs/benchmarks.md")
    args = ap.parse_args()
    if not os.access(args.barge, os.X_OK):
        sys.exit(f"no barge binary at {args.barge}: run `make release` first")
    work = tempfile.mkdtemp(prefix="bench-security-")
    secured = None
    try:
        broker_pem, ca = make_certificate(work)
        secured = SecuredBroker(args.barge, ca, broker_pem)
        secured.start()
        records = record_rounds(secured, args.records, args.rounds)
        chunked = chunked_rounds(args.barge, secured, args.large_size, args.rounds, work)
        peak = big_records_rss(secured, args.big_records)
    finally:
        if secured is not None:
            secured.stop()
        shutil.rmtree(work, ignore_errors=True)
    section = render(args, records, chunked, peak)
    replace_section(args.output, BEGIN, END, section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
