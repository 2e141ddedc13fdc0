#!/usr/bin/env python3
"""`make bench-client`: the Swift client (RdKafka) vs confluent-kafka on the
embedded broker, written into docs/benchmarks.md.

Usage:
  Benchmarks/client_bench.py [--barge PATH] [--records 500]
      [--record-size 1000000] [--rounds 3] [--output docs/benchmarks.md]

Starts `barge broker` on a free 127.0.0.1 port with a fresh data directory
and message.max.bytes raised like the benchmark's topics, runs
`barge bench client` against it (its output is shown as it comes), stops the
broker, and replaces the "Client vs confluent-kafka" section of --output
(appending it the first time); the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys

from broker_throughput import ROOT, Broker, git_rev, machine_info, replace_section, run_barge_bench

BEGIN = "<!-- client-bench: begin (written by Benchmarks/client_bench.py) -->"
END = "<!-- client-bench: end -->"
LAST_LINE = re.compile(r"client/confluent-kafka produce=(\d+\.\d\d) consume=(\d+\.\d\d)")


def run_bench(barge: str, bootstrap: str, args) -> list[str]:
    """Runs `barge bench client`, echoing its output; returns its lines."""
    cmd = [barge, "bench", "client", "--bootstrap-servers", bootstrap, "--records", str(args.records),
           "--record-size", str(args.record_size), "--rounds", str(args.rounds)]
    return run_barge_bench(cmd, LAST_LINE)


def render(barge: str, args, lines: list[str]) -> str:
    m = machine_info()
    produce, consume = (float(x) for x in LAST_LINE.fullmatch(lines[-1]).groups())
    versions = lines[-2]
    table = [line for line in lines if line.startswith("|")]
    met = "met" if produce >= 1.0 and consume >= 1.0 else "NOT met"
    barge_path = os.path.relpath(barge, ROOT) if os.path.abspath(barge).startswith(ROOT) else barge
    return "\n".join([
        BEGIN,
        "## Client vs confluent-kafka",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by `Benchmarks/client_bench.py` "
        "(`make bench-client`) around `barge bench client`.",
        "",
        f"- Machine: {m.get('cpu', 'unknown CPU')}, {m['nproc']} cores available, {m.get('memory', '?')} memory, "
        f"kernel {m['kernel']}, Python {m['python']}",
        f"- Clients: {versions} (Debian's librdkafka for Swift, the one bundled in the confluent-kafka wheel for Python)",
        f"- Broker: the embedded broker, `{barge_path} broker` at commit {git_rev()}, on the same machine "
        "(data directory under /tmp)",
        "",
        f"Each round, each client (taking turns to go first) produces {args.records} records of "
        f"{args.record_size:,} random bytes (no key) to a new single-partition topic (max.message.bytes "
        "as the producers' message.max.bytes), then a fresh assign-mode consumer in a group of its own reads "
        "them all back from offset 0, the topic's beginning (the logical beginning offset would add a "
        "constant 500 ms on both sides: a fresh librdkafka consumer retries its first offset lookup after "
        "500 ms when it has no partition leader yet). The Swift client produces with `enqueue` and one final `flush` and "
        "reads `messages`; confluent-kafka calls `produce()` + `poll(0)` and `flush()`, and reads with a "
        "`poll()` loop. MB/s = 10^6 bytes of record values per second, timed from the first produce to the "
        "end of the flush and from `assign` to the last record. "
        f"{args.rounds} rounds; the median is taken per client and phase. Both clients get the same "
        "librdkafka settings:",
        "",
        *[f"- {line}" for line in lines if line.startswith(("producer settings", "consumer settings"))],
        "",
        *table,
        "",
        f"Swift / confluent-kafka (last line of `barge bench client`): `{lines[-1]}` "
        f"(target: both at least 1.0): {met}",
        "",
        f"A consume phase of {args.records * args.record_size / 1e6:g} MB lasts only a fraction of a second "
        "here, and each client shares the machine's cores with the broker, so single rounds vary a lot; "
        "compare medians, and more than one run.",
        "",
        "Run it again with `make bench-client` (builds barge in release mode), or against any broker with "
        "`barge bench client --bootstrap-servers HOST:PORT [--records N --record-size BYTES --rounds N]`.",
        END,
    ]) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--barge", default=os.path.join(ROOT, ".build", "release", "barge"))
    ap.add_argument("--records", type=int, default=500)
    ap.add_argument("--record-size", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--output", help="markdown file whose client section is replaced")
    args = ap.parse_args()
    if not os.access(args.barge, os.X_OK):
        sys.exit(f"barge binary not found at {args.barge}")

    # As the benchmark's topics (ClientBenchSettings.messageMaxBytes).
    limit = max(10_000_000, 2 * args.record_size)
    broker = Broker("barge", args.barge, {"message.max.bytes": str(limit),
                                          "socket.request.max.bytes": str(max(104_857_600, 2 * limit))})
    try:
        broker.start()
        lines = run_bench(args.barge, broker.bootstrap, args)
    finally:
        broker.stop()
    if args.output:
        replace_section(args.output, BEGIN, END, render(args.barge, args, lines))
        print(f"wrote the client section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
