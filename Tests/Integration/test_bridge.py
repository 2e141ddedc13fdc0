"""`barge bridge`: kcat (no Barge) writes 20 MB records into a raw topic, the
bridge externalizes them into claim checks, a Barge consumer reads them
verified; kill -9 of the bridge mid-stream and a store that goes down lose
nothing and duplicate nothing; `internalize` turns Barge messages back into
plain records for consumers that cannot change."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, TopicPartition

from barge_cli import payload_files, receive_command, send, sha256_of, write_file
from conftest import barge_bin
from kafka_helpers import Msg, create_topic, produce
from process_control import terminate
from seaweedfs_server import SeaweedFS

pytestmark = pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed (apt-get install kcat)")

MB = 1_000_000
BIG_BROKER = {"message.max.bytes": str(64 << 20), "socket.request.max.bytes": str(256 << 20)}


@pytest.fixture
def broker(broker_factory):
    return broker_factory(BIG_BROKER)


def kcat_files(broker, topic: str, paths: list[str]) -> None:
    """kcat sends each file as one record, to partition 0, in order."""
    result = subprocess.run(["kcat", "-b", broker.bootstrap, "-P", "-t", topic, "-p", "0", "-X", f"message.max.bytes={60 << 20}",
                             "-X", "socket.timeout.ms=60000", *paths], capture_output=True, timeout=180)
    assert result.returncode == 0, result.stderr.decode(errors="replace")


def raw_files(tmp_path, count: int, size: int = 20 * MB, seed: int = 0) -> tuple[list[str], list[str]]:
    directory = tmp_path / "raw"
    directory.mkdir(exist_ok=True)
    paths, digests = [], []
    for i in range(count):
        path = str(directory / f"file{seed}-{i}.bin")
        digests.append(write_file(path, size, seed=seed * 100 + i))
        paths.append(path)
    return paths, digests


class Bridge:
    """A `barge bridge` process, its output in files."""

    def __init__(self, broker, tmp_path, *args: str, name: str = "bridge", env: dict[str, str] | None = None):
        self.out = tmp_path / f"{name}.out"
        self.err = tmp_path / f"{name}.err"
        with open(self.out, "ab") as out, open(self.err, "ab") as err:
            self.proc = subprocess.Popen([barge_bin(), "bridge", *args, "--bootstrap-servers", broker.bootstrap],
                                         stdout=out, stderr=err, env={**os.environ, **(env or {})})

    def stop(self) -> int | None:
        return terminate(self.proc, 60)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def summary(self) -> dict:
        lines = [line for line in self.out.read_text().splitlines() if line.startswith("{")]
        return json.loads(lines[-1])


def committed_records(broker, topic: str, partitions: int = 1, timeout: float = 5.0) -> list:
    """Every record of `topic` a read_committed consumer sees now."""
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"check-{uuid.uuid4().hex[:8]}",
                         "enable.auto.commit": False, "isolation.level": "read_committed", "auto.offset.reset": "earliest",
                         "enable.partition.eof": True, "fetch.message.max.bytes": 64 << 20})
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        records, ended = [], set()
        deadline = time.monotonic() + timeout
        while len(ended) < partitions and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() == -191:  # _PARTITION_EOF
                    ended.add(message.partition())
                continue
            records.append(message)
        return records
    finally:
        consumer.close()


def wait_for_records(broker, topic: str, count: int, bridge: Bridge, partitions: int = 1, timeout: float = 300) -> list:
    deadline = time.monotonic() + timeout
    while True:
        records = committed_records(broker, topic, partitions)
        if len(records) >= count:
            return records
        assert bridge.proc.poll() is None, f"bridge exited {bridge.proc.returncode}: {bridge.stderr()}"
        assert time.monotonic() < deadline, f"{len(records)} of {count} records in {topic} after {timeout}s: {bridge.stderr()}"
        time.sleep(0.5)


def header(record, name: str) -> bytes | None:
    return next((value for key, value in record.headers() or [] if key == name), None)


def receive_digests(broker, topic: str, directory, count: int, *flags: str, env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run(receive_command(broker, topic, f"r-{uuid.uuid4().hex[:6]}", str(directory), "--count", str(count), *flags),
                            capture_output=True, timeout=300, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return sorted(sha256_of(str(directory / name)) for name in payload_files(str(directory)))


def test_kcat_records_externalized_to_claim_checks_and_read_verified(broker, tmp_path):
    create_topic(broker.bootstrap, "raw", config={"max.message.bytes": str(60 << 20)})
    create_topic(broker.bootstrap, "files")
    paths, digests = raw_files(tmp_path, 3)
    kcat_files(broker, "raw", paths)
    small = [Msg(b"k-%d" % i, b"small value %d" % i, [("source", b"legacy"), ("n", b"%d" % i)], timestamp=1_700_000_000_000 + i)
             for i in range(3)]
    produce(broker.bootstrap, "raw", small)
    store = tmp_path / "objects"
    bridge = Bridge(broker, tmp_path, "externalize", "--from", "raw", "--to", "files", "--threshold", "1MiB",
                    "--store", f"file://{store}", "--json")
    records = wait_for_records(broker, "files", 6, bridge)
    assert bridge.stop() == 0, bridge.stderr()
    summary = bridge.summary()
    assert summary["records"] == 6 and summary["movedRecords"] == 3 and summary["movedBytes"] == 60 * MB, summary
    assert [len(r.value() or b"") for r in records[:3]] == [0, 0, 0], "large values left the topic"
    assert all(header(r, "barge.kind") == b"reference" for r in records[:3])
    assert [(r.key(), r.value(), r.headers(), r.timestamp()[1]) for r in records[3:]] == \
        [(m.key, m.value, m.headers, m.timestamp) for m in small], "small records pass unchanged"
    assert len(os.listdir(store / "files")) == 3
    expected = sorted(digests + [hashlib.sha256(m.value).hexdigest() for m in small])
    assert receive_digests(broker, "files", tmp_path / "in", 6, "--store", f"file://{store}") == expected


def test_kill_minus_nine_mid_stream_delivers_every_record_once_without_duplicate_objects(broker, tmp_path):
    create_topic(broker.bootstrap, "raw", config={"max.message.bytes": str(60 << 20)})
    create_topic(broker.bootstrap, "files")
    paths, digests = raw_files(tmp_path, 8, seed=1)
    kcat_files(broker, "raw", paths[:6])
    store = tmp_path / "objects"
    args = ("externalize", "--from", "raw", "--to", "files", "--threshold", "1MiB", "--store", f"file://{store}", "--json")
    first = Bridge(broker, tmp_path, *args, name="first")
    wait_for_records(broker, "files", 2, first)
    first.kill()
    # The last records come after the kill, so the second bridge is running
    # (its signal handlers in place) when they are written and it is stopped.
    kcat_files(broker, "raw", paths[6:])
    second = Bridge(broker, tmp_path, *args, name="second")
    records = wait_for_records(broker, "files", 8, second)
    assert second.stop() == 0, second.stderr()
    assert len(committed_records(broker, "files")) == 8, "each source record is written once"
    urls = [header(r, "barge.ref").decode() for r in records]
    assert len(set(urls)) == 8
    objects = sorted(os.listdir(store / "files"))
    assert objects == sorted(url.rsplit("/", 1)[1] for url in urls), "no duplicate and no dangling objects"
    assert receive_digests(broker, "files", tmp_path / "in", 8, "--store", f"file://{store}") == sorted(digests)


def test_store_down_mid_stream_stops_the_bridge_advancing_and_loses_nothing(broker, tmp_path):
    create_topic(broker.bootstrap, "raw", config={"max.message.bytes": str(60 << 20)})
    create_topic(broker.bootstrap, "files")
    paths, digests = raw_files(tmp_path, 6, size=5 * MB, seed=2)
    with SeaweedFS(str(tmp_path)) as s3:
        bucket = s3.create_bucket()
        store = s3.store_url(bucket, "bridge")
        kcat_files(broker, "raw", paths[:2])
        bridge = Bridge(broker, tmp_path, "externalize", "--from", "raw", "--to", "files", "--threshold", "1MiB",
                        "--store", store, "--json", env=s3.env())
        wait_for_records(broker, "files", 2, bridge)
        s3.stop(keep_data=True)
        kcat_files(broker, "raw", paths[2:])
        deadline = time.monotonic() + 120
        while "retrying" not in bridge.stderr():
            assert time.monotonic() < deadline, bridge.stderr()
            assert bridge.proc.poll() is None, bridge.stderr()
            time.sleep(0.2)
        assert len(committed_records(broker, "files")) == 2, "nothing is written while the store is down"
        s3.start()
        wait_for_records(broker, "files", 6, bridge)
        assert bridge.stop() == 0, bridge.stderr()
        assert bridge.summary()["retries"] >= 1
        assert len(committed_records(broker, "files")) == 6
        assert receive_digests(broker, "files", tmp_path / "in", 6, "--store", store, env=s3.env()) == sorted(digests)


def test_internalize_turns_claim_checks_and_chunks_back_into_plain_records(broker, tmp_path):
    create_topic(broker.bootstrap, "files")
    create_topic(broker.bootstrap, "plain", config={"max.message.bytes": str(12 << 20)})
    store = f"file://{tmp_path / 'objects'}"
    digests = []
    for i, strategy in enumerate(["claim-check", "chunked", "claim-check"]):
        size = 30 * MB if i == 2 else 6 * MB
        digests.append(write_file(str(tmp_path / f"p{i}.bin"), size, seed=40 + i))
        send(broker, str(tmp_path / f"p{i}.bin"), "files", "--strategy", strategy, "--store", store, "--key", f"key-{i}")
    bridge = Bridge(broker, tmp_path, "internalize", "--from", "files", "--to", "plain", "--store", store,
                    "--on-too-large", "dead-letter", "plain.too-large", "--json")
    records = wait_for_records(broker, "plain", 2, bridge)
    letters = wait_for_records(broker, "plain.too-large", 1, bridge)
    assert bridge.stop() == 0, bridge.stderr()
    assert [r.key() for r in records] == [b"key-0", b"key-1"]
    assert [hashlib.sha256(r.value()).hexdigest() for r in records] == digests[:2]
    assert not any(key.startswith("barge.") for r in records for key, _ in r.headers() or [])
    assert letters[0].key() == b"key-2" and header(letters[0], "barge.dlq.kind") == b"tooLarge"
    assert bridge.summary()["records"] == 2, "the dead-lettered message is not counted as written"


def test_too_few_target_partitions_is_a_clear_error(broker, tmp_path):
    create_topic(broker.bootstrap, "raw3", partitions=3)
    create_topic(broker.bootstrap, "one")
    result = subprocess.run([barge_bin(), "bridge", "externalize", "--from", "raw3", "--to", "one", "--threshold", "1MiB",
                             "--store", f"file://{tmp_path}", "--bootstrap-servers", broker.bootstrap], capture_output=True, timeout=60)
    assert result.returncode != 0
    assert "fewer than the 3 of raw3" in result.stderr.decode()


def test_externalize_writes_bakdata_records_with_objects_in_s3_that_an_interop_reader_reads(broker, seaweedfs, tmp_path):
    create_topic(broker.bootstrap, "raw", config={"max.message.bytes": str(60 << 20)})
    create_topic(broker.bootstrap, "bakdata")
    paths, digests = raw_files(tmp_path, 2, size=3 * MB, seed=5)
    kcat_files(broker, "raw", paths)
    produce(broker.bootstrap, "raw", [Msg(b"small", b"a small value", [("app", b"legacy")])])
    bucket = seaweedfs.create_bucket()
    store = seaweedfs.store_url(bucket)
    bridge = Bridge(broker, tmp_path, "externalize", "--from", "raw", "--to", "bakdata", "--threshold", "1MiB",
                    "--format", "bakdata", "--store", store, "--json", env=seaweedfs.env())
    records = wait_for_records(broker, "bakdata", 3, bridge)
    assert bridge.stop() == 0, bridge.stderr()
    uris = [r.value()[1:].decode() for r in records[:2]]
    assert [r.value()[:1] for r in records] == [b"\x01", b"\x01", b"\x00"], "bakdata's flag byte: backed, backed, inline"
    assert all(uri.startswith(f"s3://{bucket}/bakdata/") for uri in uris), uris
    assert records[2].value()[1:] == b"a small value" and records[2].headers() == [("app", b"legacy")]
    s3 = seaweedfs.client()
    assert sorted(hashlib.sha256(s3.get_object(Bucket=bucket, Key=uri.split("/", 3)[3])["Body"].read()).hexdigest()
                  for uri in uris) == sorted(digests)
    expected = sorted(digests + [hashlib.sha256(b"a small value").hexdigest()])
    assert receive_digests(broker, "bakdata", tmp_path / "in", 3, "--interop", "bakdata", "--store", store,
                           env=seaweedfs.env()) == expected


def test_internalize_turns_linkedin_segments_into_plain_records(broker, tmp_path):
    create_topic(broker.bootstrap, "raw", config={"max.message.bytes": str(60 << 20)})
    create_topic(broker.bootstrap, "segments")
    create_topic(broker.bootstrap, "plain", config={"max.message.bytes": str(12 << 20)})
    paths, digests = raw_files(tmp_path, 2, size=4 * MB, seed=6)
    kcat_files(broker, "raw", paths)
    writer = Bridge(broker, tmp_path, "externalize", "--from", "raw", "--to", "segments", "--threshold", "1MiB",
                    "--format", "linkedin", "--chunk-size", "512KiB", name="writer")
    wait_for_records(broker, "segments", 16, writer)
    assert writer.stop() == 0, writer.stderr()
    reader = Bridge(broker, tmp_path, "internalize", "--from", "segments", "--to", "plain", "--interop", "linkedin", "--json", name="reader")
    records = wait_for_records(broker, "plain", 2, reader)
    assert reader.stop() == 0, reader.stderr()
    assert [hashlib.sha256(r.value()).hexdigest() for r in records] == digests
    assert not any(key == "_lm" for r in records for key, _ in r.headers() or [])
