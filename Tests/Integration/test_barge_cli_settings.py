"""`barge topics`, where `barge` finds its settings (flag, then environment,
then config file), `--json` output and exit codes: 64 for usage errors,
69 for an unreachable broker, one `Error:` line for every failure."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from barge_cli import sha256_of, write_file
from conftest import barge_bin

UNREACHABLE = "127.0.0.1:1"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any BARGE_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARGE_")}
    env.update(extra)
    return env


def barge(*args: str, env: dict[str, str] | None = None, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([barge_bin(), *args], capture_output=True, timeout=timeout,
                          env=env if env is not None else clean_env(), cwd=cwd)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.decode().splitlines() if line.startswith("Error: ")]


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_topics_create_list_describe_delete(broker, topic_name, tmp_path):
    b = ["--bootstrap-servers", broker.bootstrap]
    assert ok(barge("topics", "create", topic_name, "--partitions", "3", "--replication-factor", "1",
                    "--set", "max.message.bytes=2097152", "--set", "retention.ms=3600000", *b)).startswith(f"created {topic_name}")

    assert f"{topic_name} partitions=3" in ok(barge("topics", "list", *b)).splitlines()
    listed = {t["name"]: t for t in json_lines(ok(barge("topics", "list", "--json", *b)))}
    assert listed[topic_name]["partitions"] == 3

    text = ok(barge("topics", "describe", topic_name, *b)).splitlines()
    assert text[0] == f"{topic_name} partitions=3"
    assert [line.split()[0] for line in text[1:4]] == ["partition=0", "partition=1", "partition=2"]
    assert all(line.startswith("partition=") and "leader=" in line for line in text[1:4])
    assert "config max.message.bytes=2097152" in text
    assert "config retention.ms=3600000" in text

    [described] = json_lines(ok(barge("topics", "describe", topic_name, "--json", *b)))
    assert described["name"] == topic_name and described["partitions"] == 3
    assert [p["id"] for p in described["leaders"]] == [0, 1, 2]
    assert all(p["leader"] >= 0 for p in described["leaders"])
    assert described["configs"]["max.message.bytes"] == "2097152"

    again = barge("topics", "create", topic_name, "--partitions", "1", *b)
    assert again.returncode == 1 and len(error_lines(again)) == 1, again.stderr
    assert "exists" in error_lines(again)[0]

    [deleted] = json_lines(ok(barge("topics", "delete", topic_name, "--json", *b)))
    assert deleted == {"action": "deleted", "name": topic_name}
    deadline = time.monotonic() + 10
    while topic_name in ok(barge("topics", "list", *b)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert topic_name not in ok(barge("topics", "list", *b))
    gone = barge("topics", "describe", topic_name, *b)
    assert gone.returncode == 1 and error_lines(gone) == [f"Error: topic {topic_name} does not exist"]


def test_topics_usage_errors(tmp_path):
    for args in (["topics", "create", "t", "--partitions", "0", "--bootstrap-servers", UNREACHABLE],
                 ["topics", "create", "t", "--partitions", "1", "--set", "novalue", "--bootstrap-servers", UNREACHABLE],
                 ["topics", "create", "t", "--bootstrap-servers", UNREACHABLE],
                 ["topics", "list", "--timeout", "0", "--bootstrap-servers", UNREACHABLE]):
        result = barge(*args, cwd=tmp_path)
        assert result.returncode == 64, (args, result.stderr)
        assert len(error_lines(result)) == 1, result.stderr


def sent_topic(result: subprocess.CompletedProcess) -> str:
    [receipt] = json_lines(ok(result))
    return receipt["topic"]


def test_flag_beats_environment_beats_config_file(broker, tmp_path):
    payload = tmp_path / "p.bin"
    payload.write_bytes(b"settings")
    conf = tmp_path / "barge.conf"
    conf.write_text(f"# where the tools go\nbootstrap-servers = {broker.bootstrap}\n\ntopic = from-file  # a comment\n")
    send = ["send", str(payload), "--json"]

    # ./barge.conf in the working directory, then $BARGE_CONFIG, then --config.
    assert sent_topic(barge(*send, cwd=tmp_path)) == "from-file"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert sent_topic(barge(*send, cwd=elsewhere, env=clean_env(BARGE_CONFIG=str(conf)))) == "from-file"
    other = tmp_path / "other.conf"
    other.write_text(f"bootstrap-servers={broker.bootstrap}\ntopic=from-flag-file\n")
    assert sent_topic(barge(*send, "--config", str(other), cwd=tmp_path, env=clean_env(BARGE_CONFIG=str(conf)))) == "from-flag-file"

    # The environment beats the file, the flag beats both.
    assert sent_topic(barge(*send, cwd=tmp_path, env=clean_env(BARGE_TOPIC="from-env"))) == "from-env"
    assert sent_topic(barge(*send, "--topic", "from-flag", cwd=tmp_path, env=clean_env(BARGE_TOPIC="from-env"))) == "from-flag"

    # Servers: a dead address in the file loses to the environment, a dead one there loses to the flag.
    conf.write_text(f"bootstrap-servers = {UNREACHABLE}\ntopic = from-file\n")
    assert sent_topic(barge(*send, cwd=tmp_path, env=clean_env(BARGE_BOOTSTRAP_SERVERS=broker.bootstrap))) == "from-file"
    assert sent_topic(barge(*send, "--bootstrap-servers", broker.bootstrap, cwd=tmp_path,
                            env=clean_env(BARGE_BOOTSTRAP_SERVERS=UNREACHABLE))) == "from-file"

    # receive takes its group the same way; topics take the servers.
    conf.write_text(f"bootstrap-servers = {broker.bootstrap}\ntopic = from-file\ngroup = file-group\n")
    result = barge("receive", "--to", str(tmp_path / "out"), "--count", "1", "--json", cwd=tmp_path, timeout=60)
    [received] = json_lines(ok(result))
    assert received["event"] == "received" and received["topic"] == "from-file"
    assert (tmp_path / "out" / "p.bin").read_bytes() == b"settings"
    assert "from-file partitions=1" in ok(barge("topics", "list", cwd=tmp_path))


@pytest.mark.parametrize("args", [
    ["send", "FILE", "--topic", "t"],
    ["receive", "--topic", "t", "--group", "g", "--to", "OUT"],
    ["topics", "list"],
    ["topics", "create", "t", "--partitions", "1"],
])
def test_missing_bootstrap_servers_is_a_usage_error_naming_every_source(tmp_path, args):
    (tmp_path / "f").write_bytes(b"x")
    args = [str(tmp_path / "f") if a == "FILE" else str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = barge(*args, cwd=tmp_path)
    assert result.returncode == 64, result.stderr
    [line] = error_lines(result)
    for source in ("--bootstrap-servers", "BARGE_BOOTSTRAP_SERVERS", "--config", "BARGE_CONFIG", "barge.conf"):
        assert source in line, (source, line)
    assert not (tmp_path / "out").exists(), "nothing happens before the settings are complete"


def test_missing_topic_and_group_name_their_sources(tmp_path):
    env = clean_env(BARGE_BOOTSTRAP_SERVERS=UNREACHABLE)
    result = barge("send", "-", cwd=tmp_path, env=env)
    assert result.returncode == 64
    [line] = error_lines(result)
    assert "--topic" in line and "BARGE_TOPIC" in line and "barge.conf" in line
    result = barge("receive", "--topic", "t", "--to", str(tmp_path / "out"), cwd=tmp_path, env=env)
    assert result.returncode == 64
    [line] = error_lines(result)
    assert "--group" in line and "BARGE_GROUP" in line and "barge.conf" in line


def test_bad_config_files_are_usage_errors(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    send = ["send", str(tmp_path / "f"), "--topic", "t"]
    (tmp_path / "barge.conf").write_text("bootstrap-servers = 127.0.0.1:1\ntopik = t\n")
    result = barge(*send, cwd=tmp_path)
    assert result.returncode == 64
    [line] = error_lines(result)
    assert "barge.conf:2" in line and "topik" in line

    (tmp_path / "barge.conf").write_text("bootstrap-servers 127.0.0.1:1\n")
    result = barge(*send, cwd=tmp_path)
    assert result.returncode == 64 and "barge.conf:1" in error_lines(result)[0]

    result = barge(*send, "--config", str(tmp_path / "missing.conf"), cwd=tmp_path)
    assert result.returncode == 64 and "missing.conf" in error_lines(result)[0]
    result = barge(*send, cwd=tmp_path, env=clean_env(BARGE_CONFIG=str(tmp_path / "missing.conf")))
    assert result.returncode == 64 and "missing.conf" in error_lines(result)[0]


def test_json_output_of_send_and_receive(broker, topic_name, tmp_path):
    b = ["--bootstrap-servers", broker.bootstrap, "--topic", topic_name]
    digests = {}
    receipts = []
    for name, size in (("small.txt", 100), ("big.bin", 3_000_000)):
        digests[name] = write_file(str(tmp_path / name), size, seed=size)
        [receipt] = json_lines(ok(barge("send", str(tmp_path / name), "--chunk-size", "256KiB", "--json", *b)))
        assert receipt["size"] == size and receipt["sha256"] == digests[name] and receipt["topic"] == topic_name
        assert receipt["strategy"] == ("inline" if size < 1000 else "chunked")
        assert receipt["last_offset"] - receipt["first_offset"] + 1 == receipt["records"]
        receipts.append(receipt)
    out = tmp_path / "out"
    events = json_lines(ok(barge("receive", *b, "--group", "g", "--to", str(out), "--count", "2", "--json")))
    assert [e["event"] for e in events] == ["received", "received"]
    assert [e["id"] for e in events] == [r["id"] for r in receipts]
    for event in events:
        name = os.path.basename(event["file"])
        assert event["sha256"] == digests[name] == sha256_of(event["file"])

    # A second group into the same directory: both payloads were received before.
    result = subprocess.Popen([barge_bin(), "receive", *b, "--group", "g2", "--to", str(out), "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
    skipped = [json.loads(result.stdout.readline()) for _ in range(2)]
    result.terminate()
    result.wait(10)
    assert [e["event"] for e in skipped] == ["skipped", "skipped"]
    assert sorted(os.path.basename(e["file"]) for e in skipped) == ["big.bin", "small.txt"]


@pytest.mark.parametrize("args", [
    ["send", "FILE", "--topic", "t"],
    ["topics", "list"],
    ["topics", "create", "t", "--partitions", "1"],
])
def test_unreachable_broker_exits_69_with_one_error_line(tmp_path, args):
    (tmp_path / "f").write_bytes(b"payload")
    args = [str(tmp_path / "f") if a == "FILE" else a for a in args]
    started = time.monotonic()
    result = barge(*args, "--bootstrap-servers", UNREACHABLE, cwd=tmp_path, timeout=90)
    assert time.monotonic() - started < 40
    assert result.returncode == 69, result.stderr
    lines = result.stderr.decode().splitlines()
    assert len(error_lines(result)) == 1 and "unreachable" in error_lines(result)[0], lines
    assert len(lines) <= 3, f"librdkafka chatter on stderr: {lines}"


def test_help_documents_settings_exit_codes_and_examples():
    for command in (["send"], ["receive"], ["topics"]):
        text = ok(barge(*command, "--help"))
        for needle in ("BARGE_BOOTSTRAP_SERVERS", "barge.conf", "69", "64", "barge " + command[0]):
            assert needle in text, (command, needle)
    for sub in ("list", "create", "describe", "delete"):
        assert f"barge topics {sub}" in ok(barge("topics", sub, "--help"))
