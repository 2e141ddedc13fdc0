"""Tiered storage in the embedded broker (KIP-405), modeled on Kafka's
tiered-storage integration tests: offload closed segments and consume from
offset 0 with real clients, restart in between, kill -9 in the middle of a
copy and of a deletion, retention by size and by log start offset, topic deletion, the object
store stopped and started again; on a file tier and on SeaweedFS (S3)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition as KPTopicPartition

import kafka_wire
from conftest import barge_bin
from kafka_helpers import admin, assert_same_messages, consume, create_topic, incremental, produce, sample_messages, watermarks
from seaweedfs_server import SeaweedFS
from tiered_wire import EARLIEST, EARLIEST_LOCAL, LATEST, LATEST_TIERED, MAX_TIMESTAMP, list_offsets

MESSAGES = 400
VALUE_SIZE = 2000
# Small segments and chunks, so that a few hundred kilobytes make many of each.
# Producer batches well below segment.bytes (a batch larger than a segment is refused).
SMALL_BATCHES = {"batch.size": 16384}
TOPIC_CONFIG = {"remote.storage.enable": "true", "segment.bytes": "65536", "local.retention.ms": "0"}


def tiered_settings(store_url: str, **extra: str) -> dict[str, str]:
    settings = {
        "remote.log.storage.system.enable": "true",
        "rsm.config.storage.url": store_url,
        "remote.log.manager.task.interval.ms": "100",
        "log.retention.check.interval.ms": "100",
        "rsm.config.chunk.size": "16384",
        "rsm.config.fetch.chunk.cache.prefetch.max.size": "65536",
    }
    settings.update(extra)
    return settings


def wait_until(condition, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def remote_segments(broker, topic: str) -> list[dict]:
    """The remote tier's metadata of partition 0: `__remote_log_metadata/<topic id>-0.json`."""
    topic_file = Path(broker.data_dir) / "__topics" / f"{topic}.json"
    if not topic_file.exists():
        return []
    path = Path(broker.data_dir) / "__remote_log_metadata" / f"{json.loads(topic_file.read_text())['id']}-0.json"
    if not path.exists():
        return []
    return json.loads(path.read_text())["segments"]


def local_segment_bases(broker, topic: str) -> list[int]:
    return sorted(int(p.name[:20]) for p in (Path(broker.data_dir) / f"{topic}-0").glob("*.log"))


def offloaded(broker, topic: str) -> bool:
    """The first local segment starts past 0 and the remote tier reaches it."""
    error, local_start, _ = list_offsets(broker.bootstrap, topic, EARLIEST_LOCAL)
    error_tiered, last_tiered, _ = list_offsets(broker.bootstrap, topic, LATEST_TIERED)
    return error == 0 and error_tiered == 0 and local_start > 0 and last_tiered >= local_start - 1


def file_objects(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def assert_objects_match_metadata(broker, topic: str, remote: Path) -> None:
    """With the broker stopped: every object belongs to a segment of the
    metadata (nothing orphaned), and every finished copy has its three objects."""
    broker.stop()
    segments = remote_segments(broker, topic)
    stored = [name.rsplit("/", 1)[1][21:].rsplit(".", 1)[0] for name in file_objects(remote)]
    assert set(stored) <= {s["segmentId"] for s in segments}, "no orphaned objects"
    for s in segments:
        if s["state"] == "COPY_SEGMENT_FINISHED":
            assert stored.count(s["segmentId"]) == 3, f"segment {s['baseOffset']} has its log, indexes and manifest"


def produce_and_offload(broker, topic: str, count: int = MESSAGES, config: dict[str, str] | None = None):
    create_topic(broker.bootstrap, topic, config=config or TOPIC_CONFIG)
    msgs = produce(broker.bootstrap, topic, sample_messages(count, value_size=VALUE_SIZE, compressible=False), **SMALL_BATCHES)
    wait_until(lambda: offloaded(broker, topic), "segments to move to the remote tier")
    return msgs


def test_offload_then_replay_from_offset_zero_with_every_client(broker_factory, topic_name, tmp_path):
    remote = tmp_path / "remote"
    broker = broker_factory(tiered_settings(f"file://{remote}"))
    msgs = produce_and_offload(broker, topic_name)

    assert list_offsets(broker.bootstrap, topic_name, EARLIEST)[:2] == (0, 0)
    assert list_offsets(broker.bootstrap, topic_name, LATEST)[:2] == (0, MESSAGES)
    assert local_segment_bases(broker, topic_name)[0] > 0, "the first local segments are gone"
    assert len(remote_segments(broker, topic_name)) >= 3
    # ListOffsets below v8/v9 does not know -4/-5.
    assert list_offsets(broker.bootstrap, topic_name, EARLIEST_LOCAL, version=7)[0] == 35
    assert list_offsets(broker.bootstrap, topic_name, LATEST_TIERED, version=8)[0] == 35

    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES), msgs)

    kcat = subprocess.run(["kcat", "-b", broker.bootstrap, "-C", "-t", topic_name, "-p", "0", "-o", "beginning", "-e",
                           "-f", "%o\n"], capture_output=True, text=True, timeout=120)
    assert kcat.returncode == 0, kcat.stderr
    assert [int(line) for line in kcat.stdout.split()] == list(range(MESSAGES))

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=30000)
    try:
        tp = KPTopicPartition(topic_name, 0)
        consumer.assign([tp])
        consumer.seek(tp, 0)
        values = [record.value for record in consumer][:MESSAGES]
    finally:
        consumer.close()
    assert values == [m.value for m in msgs]


def test_restart_in_between_keeps_both_tiers(broker_factory, topic_name, tmp_path):
    broker = broker_factory(tiered_settings(f"file://{tmp_path / 'remote'}"))
    msgs = produce_and_offload(broker, topic_name)
    local_start = list_offsets(broker.bootstrap, topic_name, EARLIEST_LOCAL)[1]
    broker.restart()
    assert list_offsets(broker.bootstrap, topic_name, EARLIEST)[:2] == (0, 0)
    assert list_offsets(broker.bootstrap, topic_name, EARLIEST_LOCAL)[1] >= local_start
    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES), msgs)


def test_kill9_in_the_middle_of_a_copy_loses_nothing_and_leaves_no_orphans(broker_factory, topic_name, tmp_path):
    remote = tmp_path / "remote"
    # Copies crawl at 64 KiB/s, so the broker is caught in the middle of one. Compression makes
    # them stream: a plain segment on the data directory's file system would be hard-linked at once.
    broker = broker_factory(tiered_settings(f"file://{remote}", **{"remote.log.manager.copy.max.bytes.per.second": "65536",
                                                                   "rsm.config.compression.enabled": "true"}))
    create_topic(broker.bootstrap, topic_name, config=TOPIC_CONFIG)
    msgs = produce(broker.bootstrap, topic_name, sample_messages(MESSAGES, value_size=VALUE_SIZE, compressible=False), **SMALL_BATCHES)
    wait_until(lambda: any(s["state"] == "COPY_SEGMENT_STARTED" for s in remote_segments(broker, topic_name))
               and any(s["state"] == "COPY_SEGMENT_FINISHED" for s in remote_segments(broker, topic_name)),
               "a copy in progress after a finished one")
    broker.kill9()
    del broker.settings["remote.log.manager.copy.max.bytes.per.second"]
    broker.start()
    wait_until(lambda: offloaded(broker, topic_name), "the copies to resume")
    segments = wait_until(lambda: (lambda s: s if s and all(x["state"] == "COPY_SEGMENT_FINISHED" for x in s) else None)(
        remote_segments(broker, topic_name)), "only finished copies")
    assert segments
    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES), msgs)
    assert_objects_match_metadata(broker, topic_name, remote)


def test_retention_bytes_deletes_remote_segments_and_moves_the_log_start(broker_factory, topic_name, tmp_path):
    remote = tmp_path / "remote"
    broker = broker_factory(tiered_settings(f"file://{remote}"))
    msgs = produce_and_offload(broker, topic_name)
    from confluent_kafka.admin import ConfigResource  # noqa: PLC0415
    client = admin(broker.bootstrap)
    resource = ConfigResource("topic", topic_name, set_config={**TOPIC_CONFIG, "retention.bytes": "300000"})
    for future in client.alter_configs([resource]).values():
        future.result(timeout=30)
    low = wait_until(lambda: (lambda w: w[0] if w[0] > 0 else None)(watermarks(broker.bootstrap, topic_name)),
                     "retention.bytes to move the log start offset")
    wait_until(lambda: all(s["endOffset"] > low for s in remote_segments(broker, topic_name)),
               "remote segments below the log start to be deleted")
    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES - low, offset=low), msgs[low:], first_offset=low)
    assert_objects_match_metadata(broker, topic_name, remote)


def test_deleting_the_topic_removes_its_remote_objects(broker_factory, topic_name, tmp_path):
    remote = tmp_path / "remote"
    broker = broker_factory(tiered_settings(f"file://{remote}"))
    produce_and_offload(broker, topic_name)
    assert file_objects(remote)
    client = admin(broker.bootstrap)
    for future in client.delete_topics([topic_name]).values():
        future.result(timeout=30)
    wait_until(lambda: not file_objects(remote), "the topic's remote objects to go")


def raw_fetch_error(bootstrap: str, topic: str, offset: int) -> int:
    host, port = bootstrap.rsplit(":", 1)
    with kafka_wire.Connection(host, int(port), timeout=60) as conn:
        result = kafka_wire.parse_fetch_v4(conn.roundtrip(kafka_wire.fetch_request, topic, 0, offset, max_wait_ms=100))
    return result[0].error_code


def consume_after_store_start(broker, topic: str, count: int, offset: int = 0):
    """Consumes `count` messages from `offset`, reading again while the client sees the error of
    a remote fetch that raced SeaweedFS's start (its gateway may answer 500 until its volume
    registers) — for up to two minutes."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return consume(broker.bootstrap, topic, count, offset=offset, timeout=60)
        except Exception:
            if time.monotonic() > deadline:
                raise


def test_s3_tier_survives_the_store_going_down_and_coming_back(broker_factory, topic_name, tmp_path, monkeypatch):
    with SeaweedFS(parent_dir=str(tmp_path)) as store:
        for name, value in store.env().items():
            monkeypatch.setenv(name, value)
        bucket = store.create_bucket()
        # A fetch waits for the remote tier as long as the store takes to refuse.
        broker = broker_factory(tiered_settings(store.store_url(bucket, "tiered"), **{"remote.fetch.max.wait.ms": "30000"}))
        msgs = produce_and_offload(broker, topic_name)
        assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES), msgs)

        store.stop(keep_data=True)
        broker.restart()  # an empty chunk cache: every remote read must go to the store
        assert raw_fetch_error(broker.bootstrap, topic_name, 0) == -1, "UNKNOWN_SERVER_ERROR while the store is down"
        assert raw_fetch_error(broker.bootstrap, topic_name, MESSAGES - 1) == 0, "local reads go on"
        more = produce(broker.bootstrap, topic_name, sample_messages(5, value_size=100, seed=9))
        assert_same_messages(consume(broker.bootstrap, topic_name, 5, offset=MESSAGES), more, first_offset=MESSAGES)

        store.start()
        assert_same_messages(consume_after_store_start(broker, topic_name, MESSAGES), msgs)


def bucket_keys(store: SeaweedFS, bucket: str) -> list[str]:
    pages = store.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="tiered/")
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_kill9_in_the_middle_of_a_deletion_finishes_it_at_the_next_start(broker_factory, topic_name, tmp_path, monkeypatch):
    with SeaweedFS(parent_dir=str(tmp_path)) as store:
        for name, value in store.env().items():
            monkeypatch.setenv(name, value)
        bucket = store.create_bucket()
        broker = broker_factory(tiered_settings(store.store_url(bucket, "tiered")))
        msgs = produce_and_offload(broker, topic_name)
        # Every closed segment copied, so no copy is cut short by the outage.
        before = wait_until(lambda: (lambda s, bases: s if len(bases) == 1 and s and s[-1]["endOffset"] == bases[0]
                                     and all(x["state"] == "COPY_SEGMENT_FINISHED" for x in s) else None)(
            remote_segments(broker, topic_name), local_segment_bases(broker, topic_name)), "every closed segment to be copied")
        assert len(before) >= 3
        cut = before[1]["endOffset"]
        going = {s["segmentId"] for s in before[:2]}

        # With the store down, the deletion DeleteRecords starts cannot finish: kill -9 catches it half-done.
        store.stop(keep_data=True)
        from confluent_kafka import TopicPartition  # noqa: PLC0415
        client = admin(broker.bootstrap)  # kept until the answer is in
        (result,) = client.delete_records([TopicPartition(topic_name, 0, cut)], request_timeout=15).values()
        assert result.result(15).low_watermark == cut
        wait_until(lambda: {s["segmentId"] for s in remote_segments(broker, topic_name)
                            if s["state"] == "DELETE_SEGMENT_STARTED"} == going, "the deletion to start")
        broker.kill9()
        store.start()
        broker.start()

        wait_until(lambda: (lambda s: s and all(x["state"] == "COPY_SEGMENT_FINISHED" for x in s)
                            and not going & {x["segmentId"] for x in s})(remote_segments(broker, topic_name)),
                   "the deletion to be finished")
        keys = bucket_keys(store, bucket)
        assert not [key for key in keys if any(segment in key for segment in going)], "the deleted segments' objects are gone"
        for segment in remote_segments(broker, topic_name):
            assert sum(segment["segmentId"] in key for key in keys) == 3, f"segment {segment['baseOffset']} keeps its three objects"
        assert list_offsets(broker.bootstrap, topic_name, EARLIEST)[1] == cut
        assert_same_messages(consume_after_store_start(broker, topic_name, MESSAGES - cut, offset=cut), msgs[cut:], first_offset=cut)


def test_topics_describe_shows_offsets_and_bytes_per_tier(broker_factory, topic_name, tmp_path):
    broker = broker_factory(tiered_settings(f"file://{tmp_path / 'remote'}"))
    produce_and_offload(broker, topic_name)
    result = subprocess.run([barge_bin(), "topics", "describe", topic_name, "--bootstrap-servers",
                             broker.bootstrap, "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    tiers = json.loads(result.stdout)["tiers"][0]
    assert tiers["logStartOffset"] == 0 and tiers["endOffset"] == MESSAGES
    assert tiers["localStartOffset"] > 0 and tiers["lastTieredOffset"] >= tiers["localStartOffset"] - 1
    assert tiers["remoteBytes"] > MESSAGES // 2 * VALUE_SIZE and 0 < tiers["localBytes"] < MESSAGES * VALUE_SIZE
    text = subprocess.run([barge_bin(), "topics", "describe", topic_name, "--bootstrap-servers",
                           broker.bootstrap], capture_output=True, text=True, timeout=60).stdout
    assert re.search(rf"^partition=0 leader=1 log-start=0 local-start=[1-9]\d* tiered-end=\d+ end={MESSAGES} "
                     r"local-bytes=\d+ remote-bytes=[1-9]\d*$", text, re.MULTILINE), text


def set_configs(bootstrap: str, topic: str, **configs: str):
    """IncrementalAlterConfigs that SETs each config."""
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry  # noqa: PLC0415
    return incremental(bootstrap, topic, *[ConfigEntry(name, value, incremental_operation=AlterConfigOpType.SET)
                                           for name, value in configs.items()])


def test_enable_on_an_existing_topic_then_disable_with_delete(broker_factory, topic_name, tmp_path):
    remote = tmp_path / "remote"
    broker = broker_factory(tiered_settings(f"file://{remote}"))
    create_topic(broker.bootstrap, topic_name, config={"segment.bytes": "65536"})
    msgs = produce(broker.bootstrap, topic_name, sample_messages(MESSAGES, value_size=VALUE_SIZE, compressible=False), **SMALL_BATCHES)
    assert not file_objects(remote)

    set_configs(broker.bootstrap, topic_name, **{"remote.storage.enable": "true", "local.retention.ms": "0"})
    wait_until(lambda: offloaded(broker, topic_name), "the existing segments to move to the remote tier")
    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES), msgs)

    from confluent_kafka import KafkaException  # noqa: PLC0415
    with pytest.raises(KafkaException) as refused:
        set_configs(broker.bootstrap, topic_name, **{"remote.storage.enable": "false"})
    assert "remote.log.delete.on.disable" in str(refused.value), "Kafka's message names the way out"
    assert list_offsets(broker.bootstrap, topic_name, EARLIEST)[1] == 0, "a refused change changes nothing"

    set_configs(broker.bootstrap, topic_name, **{"remote.storage.enable": "false", "remote.log.delete.on.disable": "true"})
    wait_until(lambda: not file_objects(remote), "the remote segments to be deleted")
    low, high = watermarks(broker.bootstrap, topic_name)
    assert low == local_segment_bases(broker, topic_name)[0] > 0 and high == MESSAGES
    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES - low, offset=low), msgs[low:], first_offset=low)


def test_delete_records_into_the_remote_tier_and_list_offsets_by_time(broker_factory, topic_name, tmp_path):
    remote = tmp_path / "remote"
    broker = broker_factory(tiered_settings(f"file://{remote}"))
    create_topic(broker.bootstrap, topic_name, config=TOPIC_CONFIG)
    base = int(time.time() * 1000)
    msgs = sample_messages(MESSAGES, value_size=VALUE_SIZE, compressible=False)
    for index, msg in enumerate(msgs):
        msg.timestamp = base + index
    produce(broker.bootstrap, topic_name, msgs, **SMALL_BATCHES)
    wait_until(lambda: offloaded(broker, topic_name), "segments to move to the remote tier")
    local_start = list_offsets(broker.bootstrap, topic_name, EARLIEST_LOCAL)[1]

    # By time: a timestamp in the remote tier is found exactly; -3 is the newest record.
    assert list_offsets(broker.bootstrap, topic_name, base + 7)[:3] == (0, 7, base + 7)
    assert list_offsets(broker.bootstrap, topic_name, MAX_TIMESTAMP)[2] == base + MESSAGES - 1

    cut = local_start // 2
    segments_before = remote_segments(broker, topic_name)
    from confluent_kafka import TopicPartition  # noqa: PLC0415
    client = admin(broker.bootstrap)
    (result,) = client.delete_records([TopicPartition(topic_name, 0, cut)], request_timeout=15).values()
    assert result.result(15).low_watermark == cut
    wait_until(lambda: all(s["endOffset"] > cut for s in remote_segments(broker, topic_name)),
               "remote segments below the new log start to go")
    assert remote_segments(broker, topic_name)[0]["baseOffset"] > segments_before[0]["baseOffset"]
    assert list_offsets(broker.bootstrap, topic_name, EARLIEST)[1] == cut
    assert_same_messages(consume(broker.bootstrap, topic_name, MESSAGES - cut, offset=cut), msgs[cut:], first_offset=cut)
    assert_objects_match_metadata(broker, topic_name, remote)


@pytest.mark.parametrize("settings, complaint", [
    ({"remote.log.storage.system.enable": "true"}, "needs rsm.config.storage.url"),
    ({"remote.log.storage.system.enable": "true", "rsm.config.storage.url": "file:///tmp/x",
      "rsm.config.fetch.chunk.cache.size": "2097152"}, "must hold the largest fetch"),
    ({"remote.log.storage.system.enable": "maybe"}, "must be true or false"),
    ({"remote.log.storage.system.enable": "true", "rsm.config.storage.url": "ftp://host/x"}, "unknown scheme"),
])
def test_bad_tiering_settings_stop_the_broker_with_a_reason(tmp_path, settings, complaint):
    cmd = [barge_bin(), "broker", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "data")]
    for key, value in settings.items():
        cmd += ["--set", f"{key}={value}"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr
