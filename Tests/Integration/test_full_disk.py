"""The broker on a real full disk: its data directory on a small tmpfs. A
large produce that fills it gets an error (KAFKA_STORAGE_ERROR), never
silence; what was stored stays readable; produces work again once space is
freed. Needs root (to mount a tmpfs); skipped otherwise."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from barge_cli import write_file
from conftest import BROKER_KIND, Broker, barge_bin
from kafka_helpers import admin, assert_same_messages, consume, produce, producer, sample_messages

TMPFS_SIZE = "64m"


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB tmpfs mounted at tmp_path/disk, unmounted at the end."""
    if BROKER_KIND != "barge":
        pytest.skip("mounts a data directory for barge's broker only")
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)],
                            capture_output=True, timeout=30)
    if result.returncode != 0:
        pytest.skip(f"mount is not permitted here: {result.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


@pytest.fixture
def broker_on_small_disk(small_disk, tmp_path, request):
    data_dir = small_disk / "data"
    data_dir.mkdir()
    broker = Broker("barge", data_dir, tmp_path / "broker.log")
    request.node._brokers = [broker]
    broker.start()
    yield broker
    broker.stop()


def free_bytes(path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def storage_error_of_one_produce(bootstrap: str, topic: str, value: bytes) -> tuple[object, float]:
    """Produces one record with retries=0; returns its delivery error and how long it took."""
    p = producer(bootstrap, retries=0, **{"message.timeout.ms": 60_000, "enable.idempotence": False})
    outcome = []
    started = time.monotonic()
    p.produce(topic, value=value, on_delivery=lambda err, _msg: outcome.append(err))
    p.flush(90)
    assert outcome, "no delivery report"
    return outcome[0], time.monotonic() - started


def test_a_full_disk_is_reported_reads_go_on_and_produces_resume_once_space_is_freed(broker_on_small_disk, tmp_path):
    broker = broker_on_small_disk
    disk = broker.data_dir
    kept = produce(broker.bootstrap, "kept", sample_messages(20, value_size=2_000))

    # A send larger than the disk: it ends with the storage exit code, saying why.
    write_file(str(tmp_path / "large.bin"), 150_000_000, seed=3)
    started = time.monotonic()
    result = subprocess.run([barge_bin(), "send", str(tmp_path / "large.bin"), "--topic", "filler",
                             "--bootstrap-servers", broker.bootstrap, "--delivery-timeout", "20s"],
                            capture_output=True, timeout=240)
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 74, stderr
    assert time.monotonic() - started < 180
    assert "cannot store the records" in stderr, stderr
    assert broker.alive(), "the broker stays up"
    assert free_bytes(disk) < 4_000_000, f"the disk is not full: {free_bytes(disk)} bytes free"

    # A Kafka client gets the error at once, not a timeout.
    error, elapsed = storage_error_of_one_produce(broker.bootstrap, "kept", os.urandom(900_000))
    assert error is not None and error.name() == "KAFKA_STORAGE_ERROR", error
    assert elapsed < 30, f"the error took {elapsed:.0f} s"

    # The operator is told why, once per burst rather than per record.
    log = broker.log_path.read_text(errors="replace")
    assert "append failed" in log and "No space left on device" in log, broker.log_tail()

    # What was stored stays readable.
    assert_same_messages(consume(broker.bootstrap, "kept", len(kept)), kept)

    # Space freed (the filler topic deleted): produces are accepted again.
    client = admin(broker.bootstrap)
    for future in client.delete_topics(["filler"], operation_timeout=30).values():
        future.result(60)
    deadline = time.monotonic() + 60
    while free_bytes(disk) < 32_000_000 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert free_bytes(disk) >= 32_000_000, f"deleting the topic freed too little: {free_bytes(disk)} bytes free"
    more = sample_messages(5, value_size=900_000, seed=9, compressible=False)
    produce(broker.bootstrap, "kept", more)
    got = consume(broker.bootstrap, "kept", len(kept) + len(more))
    assert_same_messages(got[len(kept):], more, first_offset=len(kept))
