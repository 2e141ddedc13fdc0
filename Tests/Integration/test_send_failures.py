"""`barge send` never leaves its user waiting in silence: a broker that dies
mid-send, one that was never there, and one whose disk is full are each
reported within --delivery-timeout, with their own exit code and words."""

from __future__ import annotations

import subprocess
import time

from barge_cli import write_file
from conftest import barge_bin
from kafka_helpers import watermarks
from slow_metadata_proxy import SlowMetadataProxy


def start_send(broker_address: str, path, topic: str, *flags: str) -> subprocess.Popen:
    return subprocess.Popen([barge_bin(), "send", str(path), "--topic", topic, "--bootstrap-servers", broker_address, *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def error_lines(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode(errors="replace").splitlines() if line.startswith("Error: ")]


def test_a_broker_killed_mid_send_is_reported_within_the_delivery_timeout(broker, tmp_path):
    write_file(str(tmp_path / "big.bin"), 400_000_000, seed=1)
    sender = start_send(broker.bootstrap, tmp_path / "big.bin", "dying", "--delivery-timeout", "5s")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sender.poll() is None:
        try:
            if watermarks(broker.bootstrap, "dying")[1] >= 3:
                break
        except Exception:  # the topic does not exist yet
            pass
        time.sleep(0.1)
    assert sender.poll() is None, "the send finished before the broker could be killed"
    broker.kill9()
    killed = time.monotonic()
    _, stderr = sender.communicate(timeout=120)
    elapsed = time.monotonic() - killed
    assert sender.returncode == 69, stderr.decode(errors="replace")
    assert elapsed < 5 + 20, f"reported {elapsed:.0f} s after the broker died"
    [line] = error_lines(stderr)
    assert "broker unreachable" in line and "down or unreachable" in line


def test_a_broker_that_is_not_there_is_reported_with_exit_69(tmp_path):
    (tmp_path / "f").write_bytes(b"payload")
    started = time.monotonic()
    result = subprocess.run([barge_bin(), "send", str(tmp_path / "f"), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1"],
                            capture_output=True, timeout=90)
    assert result.returncode == 69, result.stderr.decode()
    assert time.monotonic() - started < 30
    [line] = error_lines(result.stderr)
    assert "broker unreachable (127.0.0.1:1)" in line


def test_a_full_disk_on_the_broker_is_its_own_error(broker_factory, tmp_path):
    # The broker may not write files beyond 20 MB: its writes fail as on a full disk.
    broker = broker_factory(file_size_limit=20_000_000)
    write_file(str(tmp_path / "mid.bin"), 60_000_000, seed=2)
    started = time.monotonic()
    sender = start_send(broker.bootstrap, tmp_path / "mid.bin", "full", "--delivery-timeout", "5s")
    _, stderr = sender.communicate(timeout=120)
    assert sender.returncode == 74, stderr.decode(errors="replace")
    assert time.monotonic() - started < 5 + 40
    [line] = error_lines(stderr)
    assert "cannot store the records" in line and "Disk error" in line
    assert broker.alive(), "the broker stays up"


def test_the_delivery_timeout_is_validated(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    result = subprocess.run([barge_bin(), "send", str(tmp_path / "f"), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1",
                             "--delivery-timeout", "0"], capture_output=True, timeout=30)
    assert result.returncode == 64 and b"--delivery-timeout" in result.stderr


def test_a_cluster_slow_to_answer_metadata_is_asked_again_not_reported_unreachable(broker, tmp_path):
    """librdkafka says "timed out" (not "transport failure") when a connected
    broker answers late; the send asks again within 30 s and delivers."""
    (tmp_path / "f").write_bytes(b"payload")
    proxy = SlowMetadataProxy(("127.0.0.1", broker.port), delay=13)
    try:
        result = subprocess.run([barge_bin(), "send", str(tmp_path / "f"), "--topic", "slow", "--bootstrap-servers", proxy.address],
                                capture_output=True, timeout=120)
        assert proxy.delayed.is_set(), "the first Metadata answer was held back"
        assert result.returncode == 0, result.stderr.decode(errors="replace")
    finally:
        proxy.close()
    assert watermarks(broker.bootstrap, "slow")[1] == 1
