"""Topic names as Kafka checks them, and topics that leave no debris.

Before: names of 247-249 characters failed with KAFKA_STORAGE_ERROR (the
metadata file's temporary name was too long for the file system), the error
message carried the data directory's full path, an empty partition directory
stayed behind and was silently ignored after a restart, and clients could
create and write `__consumer_offsets` as an ordinary topic.
"""

from __future__ import annotations

import os
import shutil

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import NewTopic

import kafka_wire as kw
from kafka_helpers import Msg, admin, assert_same_messages, consume, create_topic, produce

pytestmark = pytest.mark.timeout(180)


def create_error(bootstrap: str, name: str, partitions: int = 1) -> KafkaError | None:
    client = admin(bootstrap)  # kept alive until the answer is in
    futures = client.create_topics([NewTopic(name, partitions, 1)], operation_timeout=10)
    try:
        futures[name].result(30)
        return None
    except KafkaException as e:
        return e.args[0]


@pytest.mark.parametrize("length", [247, 248, 249])
def test_long_topic_names_work_and_survive_a_restart(broker, length):
    name = ("long-" + "x" * length)[:length]
    create_topic(broker.bootstrap, name, partitions=2)
    msgs = produce(broker.bootstrap, name, [Msg(b"k", b"a %d-character topic" % length)])
    assert_same_messages(consume(broker.bootstrap, name, 1, timeout=30), msgs)
    broker.restart()
    assert_same_messages(consume(broker.bootstrap, name, 1, timeout=30), msgs)
    error = create_error(broker.bootstrap, "y" * 250)
    assert error is not None and error.code() == KafkaError.TOPIC_EXCEPTION, error


@pytest.mark.parametrize("name", ["__consumer_offsets", "__transaction_state"])
def test_internal_topics_cannot_be_created_or_written(broker, name):
    error = create_error(broker.bootstrap, name)
    assert error is not None and error.code() == KafkaError.TOPIC_EXCEPTION, error
    host, port = broker.bootstrap.split(":")
    with kw.Connection(host, int(port)) as conn:
        batch = kw.record_batch([kw.Record(b"forged", b"offset commit")])
        (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, name, 0, batch))
        assert r.error_code == kw.INVALID_TOPIC_EXCEPTION
    assert not any(entry.startswith(name + "-") for entry in os.listdir(broker.data_dir))


def test_a_failed_creation_names_no_path_and_leaves_nothing(broker):
    # The metadata file cannot be renamed into place: a directory has its name.
    os.mkdir(broker.data_dir / "__topics" / "blocked.json")
    error = create_error(broker.bootstrap, "blocked", partitions=3)
    assert error is not None and error.code() == KafkaError.KAFKA_STORAGE_ERROR, error
    assert str(broker.data_dir) not in error.str() and "/" not in error.str(), error.str()
    assert not [e for e in os.listdir(broker.data_dir) if e.startswith("blocked-")]
    assert os.listdir(broker.data_dir / "__topics") == ["blocked.json"]
    # The operator's log has the details.
    assert "creating topic 'blocked' failed" in broker.log_tail(200)
    os.rmdir(broker.data_dir / "__topics" / "blocked.json")
    assert create_error(broker.bootstrap, "blocked", partitions=3) is None


def test_partition_directories_of_no_topic_are_handled_at_start(broker, topic_name):
    msgs = produce(broker.bootstrap, topic_name, [Msg(b"k", b"old data")])
    assert msgs[0].offset == 0
    broker.stop()
    # Its metadata is lost, and an interrupted creation left an empty directory.
    os.remove(broker.data_dir / "__topics" / f"{topic_name}.json")
    (broker.data_dir / "phantom-0").mkdir()
    (broker.data_dir / "phantom-0" / "00000000000000000000.log").touch()
    broker.start()
    entries = os.listdir(broker.data_dir)
    assert "phantom-0" not in entries and f"{topic_name}-0" not in entries
    assert os.listdir(broker.data_dir / ".stray") == [f"{topic_name}-0"]
    log = broker.log_tail(200)
    assert "partition directory without data" in log and "partition directory with data" in log
    # A new topic of the same name starts empty instead of adopting the old data.
    fresh = produce(broker.bootstrap, topic_name, [Msg(b"k", b"new data")])
    assert fresh[0].offset == 0
    shutil.rmtree(broker.data_dir / ".stray")
