"""`barge send` and `barge receive` end to end against the embedded broker:
files and standard input come back byte-identical, every codec, the Python
reader reads what Barge wrote, and a receiver killed with -9 twenty times
delivers every payload exactly once."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import pytest

from barge_cli import payload_files, receipt_id, receive, receive_command, send, sha256_of, write_file
from conftest import REPO, barge_bin
from process_control import freeze, thaw


@pytest.fixture
def broker(broker_factory):
    return broker_factory()


def test_files_and_standard_input_round_trip(broker, tmp_path):
    sizes = {"empty.bin": 0, "one.bin": 1, "chunk-minus-one.bin": 262143, "chunk.bin": 262144,
             "chunk-plus-one.bin": 262145, "ten-mb.bin": 10_000_000}
    digests = {}
    for index, (name, size) in enumerate(sizes.items()):
        digests[name] = write_file(str(tmp_path / name), size, seed=index)
        line = send(broker, str(tmp_path / name), "cli", "--strategy", "chunked" if size else "auto", "--chunk-size", "256KiB")
        assert f"size={size} " in line
    stdin_data = os.urandom(700_000)
    stdin_id = receipt_id(send(broker, "-", "cli", "--chunk-size", "256KiB", stdin=stdin_data))
    out = tmp_path / "out"
    lines = receive(broker, "cli", "g1", str(out), count=len(sizes) + 1)
    assert len(lines) == len(sizes) + 1
    for name, digest in digests.items():
        assert sha256_of(str(out / name)) == digest, name
    assert (out / stdin_id).read_bytes() == stdin_data
    assert payload_files(str(out)) == sorted(list(sizes) + [stdin_id])


@pytest.mark.parametrize("codec", ["gzip", "lz4", "zstd", "snappy", "zstd:9"])
def test_every_codec_round_trips_and_compresses(broker, tmp_path, codec):
    digest = write_file(str(tmp_path / "rows.csv"), 3_000_000, compressible=True)
    send(broker, str(tmp_path / "rows.csv"), "codecs", "--compression", codec, "--strategy", "chunked", "--chunk-size", "512KiB")
    receive(broker, "codecs", "g", str(tmp_path / "out"), count=1)
    assert sha256_of(str(tmp_path / "out" / "rows.csv")) == digest
    stored = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(broker.data_dir) for name in names)
    assert stored < 1_500_000, f"{codec}: {stored} bytes stored for 3 MB of text"


def test_incompressible_payload_is_sent_uncompressed(broker, tmp_path):
    write_file(str(tmp_path / "noise.bin"), 2_000_000, seed=3)
    send(broker, str(tmp_path / "noise.bin"), "noise", "--compression", "zstd", "--strategy", "chunked")
    sys.path.insert(0, os.path.join(REPO, "Tools"))
    from confluent_kafka import Consumer  # noqa: PLC0415

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "raw", "auto.offset.reset": "earliest"})
    consumer.subscribe(["noise"])
    deadline, codecs = time.monotonic() + 30, set()
    while time.monotonic() < deadline and len(codecs) == 0:
        record = consumer.poll(1.0)
        if record is not None and not record.error():
            codecs.add(dict(record.headers())["barge.codec"])
    consumer.close()
    assert codecs == {b"none"}


def test_python_reader_reads_what_barge_wrote(broker, tmp_path):
    digests = {}
    for index, codec in enumerate(["none", "gzip", "lz4", "zstd", "snappy"]):
        name = f"part-{codec}.csv"
        digests[name] = write_file(str(tmp_path / name), 1_500_000 + index, compressible=True)
        send(broker, str(tmp_path / name), "py", "--compression", codec, "--chunk-size", "300KiB", "--strategy", "chunked")
    small = tmp_path / "small.txt"
    small.write_bytes(b"inline text")
    send(broker, str(small), "py", "--compression", "gzip")
    out = tmp_path / "py-out"
    result = subprocess.run([sys.executable, os.path.join(REPO, "Tools", "barge_reader.py"), "--bootstrap-servers", broker.bootstrap,
                             "--topic", "py", "--group", "pyreader", "--to", str(out), "--count", "6"],
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [event["type"] for event in events] == ["message"] * 6
    for name, digest in digests.items():
        assert sha256_of(str(out / name)) == digest
    assert (out / "small.txt").read_bytes() == b"inline text"


def test_receiver_killed_twenty_times_delivers_each_payload_exactly_once(broker, tmp_path):
    """Three senders interleave 40 payloads of 2-5 MB in one partition; a
    receiver is killed with SIGKILL at random moments 20 times and resumed.
    Every payload arrives byte-identical; none is lost; the journal names each
    once; re-deliveries after a kill are at most one per kill."""
    rng = random.Random(7)
    names, digests = [], {}
    for index in range(40):
        name = f"clip-{index:02}.bin"
        digests[name] = write_file(str(tmp_path / name), rng.randrange(2_000_000, 5_000_000), seed=index)
        names.append(name)
    senders = [subprocess.Popen([barge_bin(), "send", str(tmp_path / name), "--topic", "kill", "--bootstrap-servers", broker.bootstrap,
                                 "--key", "one-partition", "--strategy", "chunked", "--chunk-size", "128KiB"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for name in names[:3]]
    queue = names[3:]
    while senders:
        for proc in list(senders):
            if proc.poll() is not None:
                assert proc.returncode == 0, proc.stderr.read().decode(errors="replace")
                senders.remove(proc)
                if queue:
                    name = queue.pop(0)
                    senders.append(subprocess.Popen([barge_bin(), "send", str(tmp_path / name), "--topic", "kill", "--bootstrap-servers",
                                                     broker.bootstrap, "--key", "one-partition", "--strategy", "chunked", "--chunk-size", "128KiB"],
                                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        time.sleep(0.05)

    out = tmp_path / "received"
    command = receive_command(broker, "kill", "killers", str(out), "--instance-id", "receiver-1", "--memory-budget", "2MiB")
    outputs, kills, kills_mid_work = [], 0, 0

    def files_and_partials():
        partials = out / ".barge-partial"
        partial = partials.exists() and any(os.scandir(partials))
        return len(payload_files(str(out))) if out.exists() else 0, partial

    while kills < 20:
        log = open(tmp_path / f"receive-{kills}.log", "wb")
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        # Let it finish 0-2 payloads, then kill it while it writes the next one: at a
        # random moment after a partial file shows, freeze it (SIGSTOP) and look again;
        # a partial file still there means it is mid-payload, so kill it; otherwise let it
        # go on and try again on a later partial file.
        target = files_and_partials()[0] + rng.randint(0, 2)
        deadline = time.monotonic() + 120
        mid_work = False
        while time.monotonic() < deadline and proc.poll() is None:
            done_now, partial = files_and_partials()
            if done_now == len(names):
                break
            if done_now >= target and partial:
                time.sleep(rng.uniform(0, 0.02))  # a random moment in the payload; checked below
                if freeze(proc) and files_and_partials()[1]:
                    mid_work = True
                    break
                thaw(proc)
            time.sleep(0.005)
        killed = proc.poll() is None
        if killed:
            kills_mid_work += mid_work
            proc.kill()
            kills += 1
        outputs.append(proc.communicate(timeout=30)[0].decode())
        log.close()
        if not killed:
            pytest.fail(f"receiver exited by itself with {proc.returncode}: {(tmp_path / f'receive-{kills}.log').read_text()}")
    done = len(payload_files(str(out)))
    final = subprocess.run(command + ["--count", str(len(names) - done)] if done < len(names) else command + ["--count", "1"],
                           capture_output=True, timeout=180) if done < len(names) else None
    if final is not None:
        assert final.returncode == 0, final.stderr.decode(errors="replace")
    for name in names:
        assert sha256_of(str(out / name)) == digests[name], name
    assert payload_files(str(out)) == names
    journal = (out / ".barge-received").read_text().split("\n")
    assert journal[0] == "barge-received 2"
    ids = [line.split(" ")[1] for line in journal[1:] if line.startswith("received ")]
    assert len(ids) == len(set(ids)) == len(names)
    skipped = sum((tmp_path / f"receive-{n}.log").read_text().count("received before") for n in range(kills))
    if final is not None:
        skipped += final.stderr.decode().count("received before")
    assert skipped <= kills, f"{skipped} re-deliveries for {kills} kills: commits did not hold"
    print(f"kills={kills} mid-work={kills_mid_work} received-between-kills={done} re-deliveries={skipped}")
    assert done >= 1, "the receiver made progress between kills"
    assert kills_mid_work >= 10, "kills must land in the middle of messages"


def test_one_gigabyte_round_trip(broker, tmp_path):
    """1 GB through send and receive running at once, checked by SHA-256."""
    source = tmp_path / "big.bin"
    digest = write_file(str(source), 1 << 30, seed=5)
    out = tmp_path / "big-out"
    receiver = subprocess.Popen(receive_command(broker, "big", "big", str(out), "--count", "1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    send(broker, str(source), "big", "--strategy", "chunked", timeout=600)
    stdout, stderr = receiver.communicate(timeout=600)
    assert receiver.returncode == 0, stderr.decode(errors="replace")
    assert sha256_of(str(out / "big.bin")) == digest
    source.unlink()


def run_barge(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([barge_bin(), *args], capture_output=True, timeout=timeout)


def test_bad_flags_are_usage_errors(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    cases = [
        ["send", str(tmp_path / "f"), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1", "--compression", "brotli"],
        ["send", str(tmp_path / "f"), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1", "--strategy", "sideways"],
        ["send", str(tmp_path / "f"), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1", "--chunk-size", "12parsecs"],
        ["send", str(tmp_path / "f"), "--bootstrap-servers", "127.0.0.1:1"],
        ["receive", "--topic", "t", "--bootstrap-servers", "127.0.0.1:1", "--group", "g", "--to", str(tmp_path), "--count", "0"],
    ]
    for args in cases:
        result = run_barge(*args)
        assert result.returncode == 64, (args, result.stderr)
        assert result.stderr.decode().startswith("Error: "), result.stderr


def test_missing_file_and_unusable_directory_fail_with_one_clear_line(broker, tmp_path):
    result = run_barge("send", str(tmp_path / "missing.bin"), "--topic", "t", "--bootstrap-servers", broker.bootstrap)
    assert result.returncode != 0
    errors = [line for line in result.stderr.decode().splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "missing.bin" in errors[0] and "No such file" in errors[0]

    (tmp_path / "a-file").write_bytes(b"x")
    result = run_barge("receive", "--topic", "t", "--bootstrap-servers", broker.bootstrap, "--group", "g",
                       "--to", str(tmp_path / "a-file" / "sub"))
    assert result.returncode != 0
    assert "cannot create" in result.stderr.decode()


def test_unreachable_broker_fails_in_bounded_time(tmp_path):
    (tmp_path / "f").write_bytes(b"payload")
    started = time.monotonic()
    result = run_barge("send", str(tmp_path / "f"), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1", timeout=90)
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    assert [line for line in result.stderr.decode().splitlines() if line.startswith("Error: ")]
