"""Claim checks through the CLI: `barge send --strategy claim-check --store`,
`barge receive --store` and `barge gc`, against the embedded broker with a
file-system store and with SeaweedFS (S3), encrypted and not; bad store
settings and unreachable stores give clear errors and lose nothing."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from barge_cli import payload_files, receive_command, send, sha256_of, write_file
from conftest import REPO, barge_bin


@pytest.fixture
def broker(broker_factory):
    return broker_factory()


def run_barge(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([barge_bin(), *args], capture_output=True, timeout=timeout, env={**os.environ, **(env or {})})


def receive_into(broker, topic: str, group: str, directory, *flags: str, env=None, timeout: float = 180):
    return subprocess.run(receive_command(broker, topic, group, str(directory), *flags), capture_output=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def keys_text(key_id: str = "ops") -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def test_file_store_round_trip_with_json_receipt(broker, tmp_path):
    store = f"file://{tmp_path / 'objects'}"
    digest = write_file(str(tmp_path / "model.bin"), 40_000_000, seed=3)
    line = send(broker, str(tmp_path / "model.bin"), "models", "--strategy", "claim-check", "--store", store)
    assert " claim-check object=file://" in line
    result = run_barge("send", str(tmp_path / "model.bin"), "--topic", "models", "--bootstrap-servers", broker.bootstrap,
                       "--strategy", "claim-check", "--store", store, "--json")
    assert result.returncode == 0, result.stderr.decode()
    receipt = json.loads(result.stdout)
    assert receipt["strategy"] == "claim-check" and receipt["records"] == 1
    assert receipt["object"] == f"{store}/models/{receipt['id']}"
    assert os.path.getsize(tmp_path / "objects" / "models" / receipt["id"]) == 40_000_000
    out = tmp_path / "out"
    result = receive_into(broker, "models", "g", out, "--count", "2", "--store", store)
    assert result.returncode == 0, result.stderr.decode()
    names = payload_files(str(out))
    assert len(names) == 2 and all(sha256_of(str(out / name)) == digest for name in names)


def test_send_with_json_flag_prints_the_object(broker, tmp_path):
    write_file(str(tmp_path / "a.bin"), 1_000_000)
    result = run_barge("send", str(tmp_path / "a.bin"), "--topic", "j", "--bootstrap-servers", broker.bootstrap,
                       "--claim-check-above", "512KiB", "--store", f"file://{tmp_path / 'o'}", "--json")
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["strategy"] == "claim-check"


def test_s3_store_round_trip_encrypted(broker, seaweedfs, tmp_path):
    bucket = seaweedfs.create_bucket()
    store = seaweedfs.store_url(bucket, "claims")
    env = {**seaweedfs.env(), "BARGE_ENCRYPTION_KEYS": keys_text()}
    digest = write_file(str(tmp_path / "video.mkv"), 30_000_000, seed=5)
    result = run_barge("send", str(tmp_path / "video.mkv"), "--topic", "videos", "--bootstrap-servers", broker.bootstrap,
                       "--strategy", "claim-check", "--store", store, "--json", env=env)
    assert result.returncode == 0, result.stderr.decode()
    receipt = json.loads(result.stdout)
    assert receipt["object"] == f"s3://{bucket}/claims/videos/{receipt['id']}"
    listed = seaweedfs.client().list_objects_v2(Bucket=bucket, Prefix="claims/")
    sizes = [item["Size"] for item in listed.get("Contents", [])]
    assert len(sizes) == 1 and sizes[0] > 30_000_000, "stored encrypted: the segment tags make it larger"
    stored = seaweedfs.client().get_object(Bucket=bucket, Key=f"claims/videos/{receipt['id']}", Range="bytes=0-1048575")["Body"].read()
    with open(tmp_path / "video.mkv", "rb") as source:
        assert stored != source.read(len(stored))

    out = tmp_path / "out"
    without_keys = receive_into(broker, "videos", "g", out, "--count", "1", "--store", store, env=seaweedfs.env(), timeout=60)
    assert without_keys.returncode == 1
    assert b"encryption" in without_keys.stderr and b"ops" in without_keys.stderr
    result = receive_into(broker, "videos", "g", out, "--count", "1", "--store", store, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert sha256_of(str(out / "video.mkv")) == digest


def test_receiver_without_the_store_stops_and_a_rerun_with_it_gets_the_payload(broker, tmp_path):
    store = f"file://{tmp_path / 'objects'}"
    digest = write_file(str(tmp_path / "x.bin"), 3_000_000)
    send(broker, str(tmp_path / "x.bin"), "refs", "--strategy", "claim-check", "--store", store)
    out = tmp_path / "out"
    result = receive_into(broker, "refs", "g", out, "--count", "1", timeout=60)
    assert result.returncode == 1
    assert b"noStore" in result.stderr and store.encode() in result.stderr
    assert payload_files(str(out)) == []
    result = receive_into(broker, "refs", "g", out, "--count", "1", "--store", store)
    assert result.returncode == 0, result.stderr.decode()
    assert sha256_of(str(out / "x.bin")) == digest


def test_unreachable_s3_store_exits_69_and_keeps_the_message(broker, seaweedfs, tmp_path):
    bucket = seaweedfs.create_bucket()
    store = seaweedfs.store_url(bucket, "c")
    write_file(str(tmp_path / "y.bin"), 2_000_000)
    result = run_barge("send", str(tmp_path / "y.bin"), "--topic", "down", "--bootstrap-servers", broker.bootstrap,
                       "--strategy", "claim-check", "--store", store, env=seaweedfs.env())
    assert result.returncode == 0, result.stderr.decode()
    dead = f"s3://{bucket}/c?endpoint=http://127.0.0.1:1&region={seaweedfs.region}"
    out = tmp_path / "out"
    result = receive_into(broker, "down", "g", out, "--count", "1", "--store", dead, env=seaweedfs.env(), timeout=120)
    assert result.returncode == 69, result.stderr.decode()
    assert b"objectStore" in result.stderr
    result = receive_into(broker, "down", "g", out, "--count", "1", "--store", store, env=seaweedfs.env())
    assert result.returncode == 0, result.stderr.decode()
    assert payload_files(str(out)) == ["y.bin"]


def test_gc_dry_run_then_delete_after_the_topic_is_gone(broker, tmp_path):
    store = f"file://{tmp_path / 'objects'}"
    write_file(str(tmp_path / "k.bin"), 500_000, seed=1)
    write_file(str(tmp_path / "d.bin"), 700_000, seed=2)
    send(broker, str(tmp_path / "k.bin"), "keep", "--strategy", "claim-check", "--store", store)
    send(broker, str(tmp_path / "d.bin"), "drop", "--strategy", "claim-check", "--store", store)
    result = run_barge("topics", "delete", "drop", "--bootstrap-servers", broker.bootstrap)
    assert result.returncode == 0, result.stderr.decode()
    dry = run_barge("gc", "--bootstrap-servers", broker.bootstrap, "--store", store, "--grace", "0", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr.decode()
    report = json.loads(dry.stdout)
    assert report["dry_run"] and report["referenced"] == 1 and report["bytes"] == 700_000
    assert [(item["reason"], item["deleted"]) for item in report["deletions"]] == [("topic deleted", False)]
    assert len(os.listdir(tmp_path / "objects" / "drop")) == 1
    real = run_barge("gc", "--bootstrap-servers", broker.bootstrap, "--store", store, "--grace", "0")
    assert real.returncode == 0, real.stderr.decode()
    assert "deleted file://" in real.stdout.decode() and 'reason="topic deleted"' in real.stdout.decode()
    assert not (tmp_path / "objects" / "drop").exists() or os.listdir(tmp_path / "objects" / "drop") == []
    assert len(os.listdir(tmp_path / "objects" / "keep")) == 1


@pytest.mark.parametrize("flags, message", [
    (["--strategy", "claim-check"], b"claim checks need an object store"),
    (["--strategy", "claim-check", "--store", "file://relative/dir"], b"absolute path"),
    (["--strategy", "claim-check", "--store", "ftp://x/y"], b"unknown scheme"),
    (["--strategy", "claim-check", "--store", "s3://Bad_Bucket/p"], b"not a bucket name"),
    (["--strategy", "claim-check", "--store", "s3://bucket/a/../b"], b"'..' segment"),
    (["--strategy", "claim-check", "--store", "s3://bucket/p?endpoint=http://127.0.0.1:1&colour=blue"], b"unknown setting"),
    (["--strategy", "inline", "--claim-check-above", "1MiB"], b"--claim-check-above goes with --strategy auto"),
])
def test_bad_store_settings_are_usage_errors(broker, tmp_path, flags, message):
    write_file(str(tmp_path / "z.bin"), 1000)
    env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
    result = run_barge("send", str(tmp_path / "z.bin"), "--topic", "bad", "--bootstrap-servers", broker.bootstrap, *flags, env=env)
    assert result.returncode == 64, result.stderr.decode()
    assert message in result.stderr, result.stderr.decode()


def test_bad_encryption_keys_are_usage_errors_that_do_not_echo_the_key(broker, tmp_path):
    write_file(str(tmp_path / "z.bin"), 1000)
    secret = base64.b64encode(os.urandom(16)).decode()  # 16 bytes: too short
    result = run_barge("send", str(tmp_path / "z.bin"), "--topic", "bad", "--bootstrap-servers", broker.bootstrap,
                       "--strategy", "claim-check", "--store", f"file://{tmp_path / 'o'}",
                       env={"BARGE_ENCRYPTION_KEYS": f"k1:{secret}"})
    assert result.returncode == 64, result.stderr.decode()
    assert secret.encode() not in result.stderr


def test_python_reader_reads_encrypted_claim_checks_from_the_document(broker, tmp_path):
    """Tools/barge_reader.py, written from docs/wire-format.md with the
    `cryptography` package, decrypts and verifies what `barge send` stored."""
    keys = keys_text("reader-key")
    objects = tmp_path / "objects"
    digests = {}
    for name, size in {"empty.bin": 0, "one.bin": 1, "segment.bin": 65536, "big.bin": 3_000_017}.items():
        digests[name] = write_file(str(tmp_path / name), size, seed=size % 7)
        result = run_barge("send", str(tmp_path / name), "--topic", "py", "--bootstrap-servers", broker.bootstrap,
                           "--strategy", "claim-check", "--store", f"file://{objects}", env={"BARGE_ENCRYPTION_KEYS": keys})
        assert result.returncode == 0, result.stderr.decode()
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, os.path.join(REPO, "Tools", "barge_reader.py"), "--bootstrap-servers", broker.bootstrap,
                             "--topic", "py", "--group", "reader", "--to", str(out), "--count", str(len(digests)),
                             "--store-root", str(objects), "--keys", keys], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [event["type"] for event in events] == ["message"] * len(digests), events
    for name, digest in digests.items():
        assert sha256_of(str(out / name)) == digest, name
