"""AlterConfigs, IncrementalAlterConfigs, DeleteRecords and CreatePartitions
with real clients (confluent-kafka's AdminClient, kafka-python's
KafkaAdminClient) and the barge CLI (`topics alter`, `add-partitions`,
`delete-records`)."""

import json
import subprocess

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, NewPartitions

from conftest import barge_bin
from kafka_helpers import Msg, admin, consume, create_topic, incremental, produce, wait_for_topic, watermarks

pytestmark = pytest.mark.timeout(120)

TIERED_OFF = ("Tiered Storage functionality is disabled in the broker. "
              "Topic cannot be configured with remote log storage.")


def require_barge(broker):
    if broker.kind != "barge":
        pytest.skip(f"{broker.kind} is not the broker under test here")


def topic_configs(bootstrap, topic):
    a = admin(bootstrap)  # kept alive until the future is done
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return a.describe_configs([res], request_timeout=15)[res].result(15)


def refused(future):
    with pytest.raises(KafkaException) as e:
        future.result(15)
    return e.value.args[0]


def barge(*args, check=True):
    result = subprocess.run([barge_bin(), *args], capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


# confluent-kafka

def test_incremental_alter_configs_set_delete_append_subtract(broker, topic_name):
    require_barge(broker)
    create_topic(broker.bootstrap, topic_name)
    incremental(broker.bootstrap, topic_name,
                ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET),
                ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.APPEND))
    configs = topic_configs(broker.bootstrap, topic_name)
    assert configs["retention.ms"].value == "3600000"
    assert configs["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert configs["cleanup.policy"].value == "delete,compact"
    incremental(broker.bootstrap, topic_name,
                ConfigEntry("retention.ms", None, incremental_operation=AlterConfigOpType.DELETE),
                ConfigEntry("cleanup.policy", "delete", incremental_operation=AlterConfigOpType.SUBTRACT))
    configs = topic_configs(broker.bootstrap, topic_name)
    assert configs["retention.ms"].value == "604800000" and configs["retention.ms"].is_default
    assert configs["cleanup.policy"].value == "compact"
    # validate_only changes nothing.
    incremental(broker.bootstrap, topic_name,
                ConfigEntry("segment.ms", "1000", incremental_operation=AlterConfigOpType.SET), validate_only=True)
    assert topic_configs(broker.bootstrap, topic_name)["segment.ms"].value == "604800000"


def test_every_kafka_topic_config_is_described(broker, topic_name):
    require_barge(broker)
    create_topic(broker.bootstrap, topic_name, config={"compression.type": "lz4", "delete.retention.ms": "900"})
    configs = topic_configs(broker.bootstrap, topic_name)
    for name in ["compression.type", "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
                 "delete.retention.ms", "file.delete.delay.ms", "follower.replication.throttled.replicas",
                 "leader.replication.throttled.replicas", "max.compaction.lag.ms", "message.timestamp.after.max.ms",
                 "message.timestamp.before.max.ms", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
                 "min.insync.replicas", "preallocate", "segment.jitter.ms", "unclean.leader.election.enable",
                 "remote.storage.enable", "local.retention.ms", "local.retention.bytes", "remote.log.copy.disable",
                 "remote.log.delete.on.disable"]:
        assert name in configs, name
    assert configs["compression.type"].value == "lz4" and not configs["compression.type"].is_default
    assert configs["min.cleanable.dirty.ratio"].value == "0.5"


def test_refused_changes_leave_nothing_applied(broker, topic_name):
    require_barge(broker)
    create_topic(broker.bootstrap, topic_name)
    before = {k: v.value for k, v in topic_configs(broker.bootstrap, topic_name).items()}
    a = admin(broker.bootstrap)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic_name, incremental_configs=[
        ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("remote.storage.enable", "true", incremental_operation=AlterConfigOpType.SET)])
    error = refused(a.incremental_alter_configs([res], request_timeout=15)[res])
    assert error.code() == KafkaError.INVALID_CONFIG
    assert TIERED_OFF in error.str()
    res = ConfigResource(ConfigResource.Type.TOPIC, topic_name, set_config={"segment.ms": "0"})
    error = refused(a.alter_configs([res], request_timeout=15)[res])
    assert error.code() == KafkaError.INVALID_CONFIG
    assert "Invalid value 0 for configuration segment.ms: Value must be at least 1" in error.str()
    assert {k: v.value for k, v in topic_configs(broker.bootstrap, topic_name).items()} == before


def test_alter_configs_replaces_the_overrides_and_applies_live(broker, topic_name):
    require_barge(broker)
    create_topic(broker.bootstrap, topic_name, config={"retention.ms": "3600000"})
    a = admin(broker.bootstrap)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic_name, set_config={"max.message.bytes": "2000"})
    a.alter_configs([res], request_timeout=15)[res].result(15)
    configs = topic_configs(broker.bootstrap, topic_name)
    assert configs["max.message.bytes"].value == "2000"
    assert configs["retention.ms"].is_default, "AlterConfigs replaces the whole set"
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": broker.bootstrap, "message.timeout.ms": 10000})
    errors = []
    p.produce(topic_name, b"x" * 5000, on_delivery=lambda err, m: errors.append(err))
    p.flush(15)
    assert len(errors) == 1 and errors[0] is not None and errors[0].code() == KafkaError.MSG_SIZE_TOO_LARGE


def test_config_changes_survive_a_restart(broker, topic_name):
    require_barge(broker)
    create_topic(broker.bootstrap, topic_name)
    incremental(broker.bootstrap, topic_name, ConfigEntry("retention.bytes", "123456", incremental_operation=AlterConfigOpType.SET))
    broker.restart()
    assert topic_configs(broker.bootstrap, topic_name)["retention.bytes"].value == "123456"


def test_delete_records(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    produce(broker.bootstrap, topic_name, [Msg(None, b"%d" % i) for i in range(10)])
    a = admin(broker.bootstrap)
    (result,) = a.delete_records([TopicPartition(topic_name, 0, 4)], request_timeout=15).values()
    assert result.result(15).low_watermark == 4
    assert watermarks(broker.bootstrap, topic_name) == (4, 10)
    (m,) = consume(broker.bootstrap, topic_name, 1, offset=4)
    assert m.value == b"4"
    (result,) = a.delete_records([TopicPartition(topic_name, 0, 11)], request_timeout=15).values()
    assert refused(result).code() == KafkaError.OFFSET_OUT_OF_RANGE
    (result,) = a.delete_records([TopicPartition(topic_name, 0, -1)], request_timeout=15).values()
    assert result.result(15).low_watermark == 10


def test_create_partitions(broker, topic_name):
    create_topic(broker.bootstrap, topic_name, partitions=1)
    a = admin(broker.bootstrap)
    a.create_partitions([NewPartitions(topic_name, 3)], validate_only=True, request_timeout=15)[topic_name].result(15)
    assert len(a.list_topics(topic_name, timeout=10).topics[topic_name].partitions) == 1
    a.create_partitions([NewPartitions(topic_name, 3)], request_timeout=15)[topic_name].result(15)
    wait_for_topic(broker.bootstrap, topic_name, 3)
    produce(broker.bootstrap, topic_name, [Msg(b"k", b"on two")], partition=2)
    (m,) = consume(broker.bootstrap, topic_name, 1, partition=2)
    assert m.value == b"on two"
    error = refused(a.create_partitions([NewPartitions(topic_name, 2)], request_timeout=15)[topic_name])
    assert error.code() == KafkaError.INVALID_PARTITIONS


# kafka-python

def test_kafka_python_admin(broker, topic_name):
    from kafka.admin import ConfigResource as KConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions as KNewPartitions
    from kafka.structs import TopicPartition as KTopicPartition
    create_topic(broker.bootstrap, topic_name)
    produce(broker.bootstrap, topic_name, [Msg(None, b"%d" % i) for i in range(5)])
    kadmin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=30000)
    try:
        kadmin.alter_configs([KConfigResource(ConfigResourceType.TOPIC, topic_name, configs={"retention.ms": "7200000"})])
        kadmin.create_partitions({topic_name: KNewPartitions(total_count=2)})
        deleted = kadmin.delete_records({KTopicPartition(topic_name, 0): 3})
        assert deleted[KTopicPartition(topic_name, 0)]["low_watermark"] == 3
    finally:
        kadmin.close()
    assert topic_configs(broker.bootstrap, topic_name)["retention.ms"].value == "7200000"
    wait_for_topic(broker.bootstrap, topic_name, 2)
    assert watermarks(broker.bootstrap, topic_name) == (3, 5)


# barge CLI

def test_barge_topics_alter_add_partitions_delete_records(broker, topic_name):
    require_barge(broker)
    servers = ("--bootstrap-servers", broker.bootstrap)
    create_topic(broker.bootstrap, topic_name, config={"max.message.bytes": "3000000"})
    out = barge("topics", "alter", topic_name, "--set", "retention.ms=3600000", "--set", "segment.bytes=1048576", *servers).stdout
    assert out.strip() == f"altered {topic_name} max.message.bytes=3000000 retention.ms=3600000 segment.bytes=1048576"
    out = barge("topics", "alter", topic_name, "--delete", "max.message.bytes", "--json", *servers).stdout
    assert json.loads(out) == {"action": "altered", "name": topic_name,
                               "configs": {"retention.ms": "3600000", "segment.bytes": "1048576"}}
    configs = topic_configs(broker.bootstrap, topic_name)
    assert configs["max.message.bytes"].is_default and configs["retention.ms"].value == "3600000"

    bad = barge("topics", "alter", topic_name, "--set", "remote.storage.enable=true", *servers, check=False)
    assert bad.returncode == 1
    assert TIERED_OFF in bad.stderr

    out = barge("topics", "add-partitions", topic_name, "--count", "3", *servers).stdout
    assert out.strip() == f"{topic_name} partitions=3"
    wait_for_topic(broker.bootstrap, topic_name, 3)
    shrink = barge("topics", "add-partitions", topic_name, "--count", "2", *servers, check=False)
    assert shrink.returncode == 1 and "higher than the requested 2" in shrink.stderr

    produce(broker.bootstrap, topic_name, [Msg(None, b"%d" % i) for i in range(6)], partition=1)
    out = barge("topics", "delete-records", topic_name, "--partition", "1", "--before", "2", *servers).stdout
    assert out.strip() == f"{topic_name}-1 low-watermark=2"
    out = barge("topics", "delete-records", topic_name, "--partition", "1", "--before", "-1", "--json", *servers).stdout
    assert json.loads(out)["lowWatermark"] == 6
    assert watermarks(broker.bootstrap, topic_name, partition=1) == (6, 6)
    beyond = barge("topics", "delete-records", topic_name, "--partition", "1", "--before", "99", *servers, check=False)
    assert beyond.returncode == 1
