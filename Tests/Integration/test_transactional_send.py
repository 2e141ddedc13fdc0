"""`barge send --transactional-id`: a 500 MB chunked send killed halfway
leaves nothing that read_committed consumers (barge receive, kcat) see;
the resend with the same transactional id fences the dead one and is
delivered once; several files in one transaction arrive together."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from barge_cli import receive, send, sha256_of, write_file
from conftest import barge_bin
from kafka_helpers import create_topic
from transaction_helpers import end_offsets, read_all, wait_until

pytestmark = pytest.mark.timeout(600)

SIZE = 500 * 1000 * 1000
CHUNK = 960 * 1024


def kcat_count(bootstrap: str, topic: str, isolation: str) -> int:
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                          "-X", f"isolation.level={isolation}", "-f", "x\\n"],
                         capture_output=True, text=True, timeout=120, check=True)
    return out.stdout.count("x")


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed")
def test_send_killed_halfway_leaves_nothing_visible_and_the_resend_arrives_once(broker, topic_name, tmp_path):
    create_topic(broker.bootstrap, topic_name)
    payload = tmp_path / "big.bin"
    digest = write_file(str(payload), SIZE, seed=5)
    command = [barge_bin(), "send", str(payload), "--topic", topic_name, "--bootstrap-servers", broker.bootstrap,
               "--strategy", "chunked", "--transactional-id", "big-sender", "--transaction-timeout", "2m"]
    chunks = -(-SIZE // CHUNK)
    sender = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: end_offsets(broker.bootstrap, topic_name, "read_uncommitted") >= chunks // 2, timeout=300,
                   what="half of the chunks")
        sender.kill()
    finally:
        sender.wait(30)
    assert sender.returncode != 0, "the send finished before it was killed"
    assert end_offsets(broker.bootstrap, topic_name, "read_committed") == 0, "the open transaction holds the last stable offset"
    assert kcat_count(broker.bootstrap, topic_name, "read_committed") == 0
    assert kcat_count(broker.bootstrap, topic_name, "read_uncommitted") >= chunks // 2

    line = send(broker, str(payload), topic_name, "--strategy", "chunked", "--transactional-id", "big-sender", timeout=300)
    assert f"records={chunks}" in line, line
    out = tmp_path / "received"
    lines = receive(broker, topic_name, "big-readers", str(out), count=1, timeout=300)
    assert len(lines) == 1, lines
    assert sha256_of(str(out / "big.bin")) == digest
    assert kcat_count(broker.bootstrap, topic_name, "read_committed") == chunks, "only the resend's chunks are visible"


def test_several_files_in_one_transaction(broker, topic_name, tmp_path):
    create_topic(broker.bootstrap, topic_name)
    names = ["video.bin", "thumb-1.jpg", "thumb-2.jpg"]
    digests = {name: write_file(str(tmp_path / name), size, seed=index)
               for index, (name, size) in enumerate(zip(names, [3_000_000, 50_000, 60_000]))}
    result = subprocess.run([barge_bin(), "send", *(str(tmp_path / n) for n in names), "--topic", topic_name,
                             "--bootstrap-servers", broker.bootstrap, "--transactional-id", "batch-sender", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 3, result.stdout
    out = tmp_path / "received"
    assert len(receive(broker, topic_name, "batch-readers", str(out), count=3)) == 3
    for name, digest in digests.items():
        assert sha256_of(str(out / name)) == digest
    # Three messages, one commit marker after them.
    assert end_offsets(broker.bootstrap, topic_name, "read_committed") == len(read_all(broker.bootstrap, topic_name, "read_committed")) + 1


def test_send_refuses_standard_input_with_other_files(broker, topic_name, tmp_path):
    write_file(str(tmp_path / "a.bin"), 10)
    result = subprocess.run([barge_bin(), "send", "-", str(tmp_path / "a.bin"), "--topic", topic_name,
                             "--bootstrap-servers", broker.bootstrap], capture_output=True, text=True, timeout=60)
    assert result.returncode == 64, result
    assert "standard input (-) can only be sent alone" in result.stderr
