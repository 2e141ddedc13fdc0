"""Helpers to run `barge send` and `barge receive` in the integration tests."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess

from conftest import barge_bin


def send(broker, path: str, topic: str, *flags: str, stdin: bytes | None = None, timeout: float = 120) -> str:
    """Runs `barge send`; returns its receipt line (fails the test on a non-zero exit)."""
    result = subprocess.run([barge_bin(), "send", path, "--topic", topic, "--bootstrap-servers", broker.bootstrap, *flags],
                            input=stdin, capture_output=True, timeout=timeout)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    line = result.stdout.decode().strip()
    assert line.startswith("sent id="), line
    return line


def receipt_id(line: str) -> str:
    return line.split()[1].removeprefix("id=")


def receive_command(broker, topic: str, group: str, directory: str, *flags: str) -> list[str]:
    return [barge_bin(), "receive", "--topic", topic, "--bootstrap-servers", broker.bootstrap, "--group", group,
            "--to", directory, *flags]


def receive(broker, topic: str, group: str, directory: str, count: int, timeout: float = 120) -> list[str]:
    """Runs `barge receive --count`; returns its `received` lines."""
    result = subprocess.run(receive_command(broker, topic, group, directory, "--count", str(count)),
                            capture_output=True, timeout=timeout)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return [line for line in result.stdout.decode().splitlines() if line.startswith("received ")]


def write_file(path: str, size: int, seed: int = 0, compressible: bool = False) -> str:
    """Writes `size` reproducible bytes (random-looking, or text) to `path`; returns its sha256."""
    digest = hashlib.sha256()
    # Text repeats; noise is a random MiB (incompressible within a chunk) repeated.
    block = (b"timestamp,camera,label,score\n" * 40000) if compressible else random.Random(seed).randbytes(1 << 20)
    with open(path, "wb") as out:
        left = size
        while left > 0:
            piece = block[: min(left, len(block))]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def payload_files(directory: str) -> list[str]:
    return sorted(name for name in os.listdir(directory) if not name.startswith("."))
