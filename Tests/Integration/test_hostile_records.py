"""`barge receive` against records a hostile or broken producer wrote by hand
(confluent-kafka, forged_records.py): no record may delete or hide a
delivered file, forge the journal, or stop the receiver for good; bad
records are reported, journaled and passed (or stopped at, skipped, or
copied to a dead-letter topic, as --on-bad-record says)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

from confluent_kafka import Consumer

from barge_cli import receive_command, sha256_of
from forged_records import chunk_with, chunks, inline, new_id, produce_all, reference


def run_receive(broker, topic: str, out, *flags: str, group: str = "g", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(receive_command(broker, topic, group, str(out), "--json", *flags), capture_output=True, timeout=timeout)


def events(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line.startswith("{")]


def received(result) -> list[dict]:
    return [event for event in events(result) if event["event"] == "received"]


def failed(result) -> list[dict]:
    return [event for event in events(result) if event["event"] == "failed"]


def journal_entries(out) -> list[tuple[str, str, str]]:
    lines = (out / ".barge-received").read_text().split("\n")
    assert lines[0] == "barge-received 2"
    return [tuple(line.split(" ")[:3]) for line in lines[1:] if line]


def test_a_reserved_suffix_is_refused_and_no_delivered_file_is_ever_cleaned_up(broker, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.barge-partial").write_bytes(b"the user's own file")
    message_id = new_id()
    produce_all(broker.bootstrap, "t", [inline(b"payload", "report.barge-partial", message_id)])
    result = run_receive(broker, "t", out, "--count", "1")
    assert result.returncode == 0, result.stderr.decode()
    [event] = received(result)
    assert event["file"] == f"{out}/{message_id}" and "reserves" in event["note"]
    produce_all(broker.bootstrap, "t", [inline(b"second", "second.txt")])
    result = run_receive(broker, "t", out, "--count", "1")
    assert result.returncode == 0, result.stderr.decode()
    assert (out / "notes.barge-partial").read_bytes() == b"the user's own file"
    assert (out / message_id).read_bytes() == b"payload"
    assert (out / "second.txt").read_bytes() == b"second"


def test_a_file_name_cannot_forge_a_journal_line_that_hides_another_message(broker, tmp_path):
    victim = new_id()
    forged = f"x\n{victim} stolen.bin\nreceived {victim} stolen.bin 00000000"
    produce_all(broker.bootstrap, "t", [inline(b"hostile", forged), inline(b"victim payload", "victim.bin", victim)])
    out = tmp_path / "out"
    result = run_receive(broker, "t", out, "--count", "2")
    assert result.returncode == 0, result.stderr.decode()
    assert (out / "victim.bin").read_bytes() == b"victim payload"
    assert not any(event["event"] == "skipped" for event in events(result))
    # A second run finds both in the journal, each under its own id.
    keys = {key for what, key, _ in journal_entries(out) if what == "received"}
    assert victim in keys and len(keys) == 2


def test_a_name_with_a_nul_is_written_under_the_id_and_journal_and_receipt_agree(broker, tmp_path):
    message_id = new_id()
    produce_all(broker.bootstrap, "t", [inline(b"nul", b"good\x00evil.txt", message_id)])
    out = tmp_path / "out"
    result = run_receive(broker, "t", out, "--count", "1")
    assert result.returncode == 0, result.stderr.decode()
    [event] = received(result)
    assert event["file"] == f"{out}/{message_id}" and "U+0000" in event["note"]
    assert ("received", message_id, message_id) in journal_entries(out)
    assert sorted(os.listdir(out)) == [".barge-partial", ".barge-received", message_id]


def test_names_up_to_255_bytes_are_delivered_and_longer_ones_fall_back_to_the_id(broker, tmp_path):
    names = ["n" * length for length in (242, 250, 255)] + ["é" * 127 + "x"]
    too_long = "m" * 256
    long_id = new_id()
    produce_all(broker.bootstrap, "t", [inline(name.encode(), name) for name in names] + [inline(b"long", too_long, long_id)])
    out = tmp_path / "out"
    result = run_receive(broker, "t", out, "--count", str(len(names) + 1))
    assert result.returncode == 0, result.stderr.decode()
    for name in names:
        assert (out / name).read_bytes() == name.encode()
    assert (out / long_id).read_bytes() == b"long"


def test_an_existing_file_is_never_overwritten(broker, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "important.db").write_bytes(b"keep me")
    message_id = new_id()
    produce_all(broker.bootstrap, "t", [inline(b"intruder", "important.db", message_id)])
    result = run_receive(broker, "t", out, "--count", "1")
    assert result.returncode == 0, result.stderr.decode()
    [event] = received(result)
    assert event["file"] == f"{out}/{message_id}-important.db" and "exists" in event["note"]
    assert (out / "important.db").read_bytes() == b"keep me"


def forged_references(tmp_path) -> tuple[str, list]:
    """A file store, and references that point out of it: another directory,
    `..`, an absolute path, another scheme, a planted symbolic link."""
    root = tmp_path / "objects"
    (root / "t").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not yours")
    os.symlink(secret, root / "t" / "link")
    digest = hashlib.sha256(b"not yours").hexdigest()
    urls = [f"file://{secret}", f"file://{root}/../secret.txt", f"file://{root}/t/../../secret.txt", f"file://{root}//etc/passwd",
            "s3://someone-elses-bucket/t/x", "http://169.254.169.254/latest/meta-data", f"file://{root}/t/link"]
    return f"file://{root}", [reference(url, 9, digest) for url in urls]


def test_forged_claim_check_references_are_reported_and_passed_not_followed(broker, tmp_path):
    store, forged = forged_references(tmp_path)
    produce_all(broker.bootstrap, "t", forged + [inline(b"good", "good.txt")])
    out = tmp_path / "out"
    result = run_receive(broker, "t", out, "--count", "1", "--store", store)
    assert result.returncode == 0, result.stderr.decode()
    assert [event["kind"] for event in failed(result)] == ["invalidReference"] * len(forged)
    assert (out / "good.txt").read_bytes() == b"good"
    assert not any(b"not yours" == (out / name).read_bytes() for name in os.listdir(out) if (out / name).is_file())
    # Committed past: the next run does not meet them again.
    produce_all(broker.bootstrap, "t", [inline(b"next", "next.txt")])
    result = run_receive(broker, "t", out, "--count", "1", "--store", store)
    assert result.returncode == 0 and failed(result) == [], result.stdout.decode()
    assert (out / "next.txt").read_bytes() == b"next"


def test_a_malformed_chunk_fails_its_open_message_at_once_with_its_id(broker, tmp_path):
    records = []
    broken_ids = []
    for bad in ({"index": "01"}, {"index": "9223372036854775808"}, {"index": "99999999"}, {"index": "1", "codec": "brotli"}):
        good_chunks = chunks(os.urandom(3000), 1000, "broken.bin")
        message_id = dict(good_chunks[0][1])["barge.id"].decode()
        broken_ids.append(message_id)
        records += [good_chunks[0], chunk_with(message_id, **bad), good_chunks[2]]
    records.append(inline(b"after", "after.txt"))
    produce_all(broker.bootstrap, "t", records)
    out = tmp_path / "out"
    # Well under the 300 s idle expiry that kept every later message waiting before.
    result = run_receive(broker, "t", out, "--count", "1", timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    failures = failed(result)
    assert [event["id"] for event in failures] == broken_ids
    assert {event["kind"] for event in failures} == {"malformedRecord"}
    assert (out / "after.txt").read_bytes() == b"after"
    assert not (out / "broken.bin").exists()


def hostile_records(tmp_path) -> tuple[str, list[list]]:
    """Twenty hostile messages, each a list of records that make one failure."""
    store, forged = forged_references(tmp_path)
    payload = os.urandom(2500)
    gap = chunks(payload, 1000)
    wrong = inline(b"tampered")[0], [(name, b"0" * 64 if name == "barge.sha256" else value) for name, value in inline(b"tampered")[1]]
    hostile = [[record] for record in forged] + [
        [wrong],
        [inline(b"x", size="99")],
        [inline(b"x", codec="rot13")],
        [inline(b"x", v="2")],
        [inline(b"x", id="not-an-id")],
        [inline(b"x", sha256=None)],
        [inline(b"x", kind="teleport")],
        [(b"", inline(b"x")[1] + [("barge.size", b"1")])],
        [gap[0], gap[2]],
        [chunk_with(new_id(), index="0", count="1000000000", chunk_size="1")],
        [chunk_with(new_id(), index="0", last="1", count="1", size="1", codec="none", chunk_size="1")],
        [inline(b"\x1f\x8b" + os.urandom(40), codec="gzip", size="1000000000")],
        [reference("file:///etc/passwd", 10, "0" * 64)],
    ]
    assert len(hostile) == 20
    return store, hostile


def test_twenty_hostile_records_among_twenty_good_ones_all_good_ones_arrive_in_one_run(broker, tmp_path):
    store, hostile = hostile_records(tmp_path)
    good = {}
    records = []
    for index in range(20):
        records += hostile[index]
        payload = os.urandom(500 + index * 70_000)
        name = f"good-{index:02}.bin"
        good[name] = hashlib.sha256(payload).hexdigest()
        records += chunks(payload, 256 * 1024, name) if len(payload) > 256 * 1024 else [inline(payload, name)]
    produce_all(broker.bootstrap, "mixed", records)
    out = tmp_path / "out"
    result = run_receive(broker, "mixed", out, "--count", "20", "--store", store, timeout=180)
    assert result.returncode == 0, result.stderr.decode()
    assert sorted(event["file"].rsplit("/", 1)[1] for event in received(result)) == sorted(good)
    for name, digest in good.items():
        assert sha256_of(str(out / name)) == digest
    kinds = [event["kind"] for event in failed(result)]
    assert len(kinds) == 20, kinds
    assert len([entry for entry in journal_entries(out) if entry[0] == "failed"]) == 20


def test_stop_policy_halts_at_the_bad_record_on_every_run_without_committing_past_it(broker, tmp_path):
    produce_all(broker.bootstrap, "t", [inline(b"one", "one.txt"), inline(b"bad", codec="rot13"), inline(b"two", "two.txt")])
    out = tmp_path / "out"
    for _ in range(2):
        result = run_receive(broker, "t", out, "--count", "2", "--on-bad-record", "stop")
        assert result.returncode == 1, result.stdout.decode()
        assert b"stopped at a bad record" in result.stderr
        assert not (out / "two.txt").exists()
    assert (out / "one.txt").read_bytes() == b"one"
    result = run_receive(broker, "t", out, "--count", "1")
    assert result.returncode == 0, result.stderr.decode()
    assert [event["kind"] for event in failed(result)] == ["malformedRecord"]
    assert (out / "two.txt").read_bytes() == b"two"


def test_skip_policy_passes_bad_records_silently_but_journals_them(broker, tmp_path):
    store, forged = forged_references(tmp_path)
    produce_all(broker.bootstrap, "t", [inline(b"bad", v="9"), forged[0], inline(b"good", "good.txt")])
    out = tmp_path / "out"
    result = run_receive(broker, "t", out, "--count", "1", "--store", store, "--on-bad-record", "skip")
    assert result.returncode == 0, result.stderr.decode()
    assert failed(result) == []
    assert (out / "good.txt").read_bytes() == b"good"
    assert [entry[2] for entry in journal_entries(out) if entry[0] == "failed"] == ["malformedRecord", "invalidReference"]


def test_dead_letter_policy_copies_each_bad_record_with_where_and_why(broker, tmp_path):
    store, forged = forged_references(tmp_path)
    bad = [inline(b"bad value", codec="rot13"), forged[0]]
    produce_all(broker.bootstrap, "t", bad + [inline(b"good", "good.txt")])
    out = tmp_path / "out"
    result = run_receive(broker, "t", out, "--count", "1", "--store", store, "--on-bad-record", "dead-letter", "t.dead")
    assert result.returncode == 0, result.stderr.decode()
    assert len(failed(result)) == 2
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "dlq-reader", "auto.offset.reset": "earliest"})
    consumer.subscribe(["t.dead"])
    copies = []
    while len(copies) < 2:
        message = consumer.poll(30)
        assert message is not None, "dead-letter copies missing"
        if message.error() is None:
            copies.append(message)
    consumer.close()
    for copy, (offset, (value, headers)) in zip(copies, enumerate(bad)):
        got = dict(copy.headers())
        assert copy.value() == value and copy.key() == b"one-partition"
        assert got["barge.dlq.topic"] == b"t" and got["barge.dlq.partition"] == b"0" and got["barge.dlq.offset"] == str(offset).encode()
        assert got["barge.dlq.kind"] in (b"malformedRecord", b"invalidReference") and got["barge.dlq.error"]
        assert all(got[name] == value_ for name, value_ in headers)
