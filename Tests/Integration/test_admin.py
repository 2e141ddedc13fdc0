"""CreateTopics, DescribeConfigs, DeleteTopics, auto-creation and broker
settings given with --set."""

import time

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import ConfigResource, NewTopic

from kafka_helpers import Msg, admin, consume, create_topic, produce, wait_for_topic, watermarks

pytestmark = pytest.mark.timeout(90)

TOPIC_CONFIGS = {
    "retention.ms": "7200000",
    "max.message.bytes": "2000000",
    "segment.bytes": "10485760",
    "cleanup.policy": "delete",
}


def describe_topic_configs(bootstrap, topic):
    a = admin(bootstrap)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return a.describe_configs([res], request_timeout=15)[res].result(15)


def create_error(bootstrap, topic, partitions=1, config=None):
    a = admin(bootstrap)
    f = a.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config or {})],
                        operation_timeout=15, request_timeout=15)[topic]
    with pytest.raises(KafkaException) as e:
        f.result(15)
    return e.value.args[0].code()


def require_settings(broker):
    if broker.kind != "barge":
        pytest.skip(f"{broker.kind} does not take Kafka broker properties on its command line")


def test_create_topic_with_partitions_and_configs(broker, topic_name):
    create_topic(broker.bootstrap, topic_name, partitions=3, config=TOPIC_CONFIGS)
    md = admin(broker.bootstrap).list_topics(topic_name, timeout=10)
    assert sorted(md.topics[topic_name].partitions) == [0, 1, 2]
    configs = describe_topic_configs(broker.bootstrap, topic_name)
    for k, v in TOPIC_CONFIGS.items():
        assert k in configs, f"{k} missing from DescribeConfigs"
        assert configs[k].value == v, f"{k} = {configs[k].value}, want {v}"
        assert not configs[k].is_default, f"{k} was set on the topic and is not a default"
    for p in range(3):
        produce(broker.bootstrap, topic_name, [Msg(b"k", b"partition %d" % p)], partition=p)
        (m,) = consume(broker.bootstrap, topic_name, 1, partition=p)
        assert m.value == b"partition %d" % p


def test_describe_configs_reports_kafka_defaults(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    configs = describe_topic_configs(broker.bootstrap, topic_name)
    # Kafka's names and defaults for settings the broker implements.
    expected = {"retention.bytes": "-1", "retention.ms": "604800000", "segment.bytes": "1073741824",
                "max.message.bytes": "1048588", "cleanup.policy": "delete"}
    for k, v in expected.items():
        assert k in configs, f"{k} missing from DescribeConfigs"
        assert configs[k].value == v, f"{k} = {configs[k].value}, want Kafka's default {v}"


def test_create_existing_topic_fails(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    assert create_error(broker.bootstrap, topic_name) == KafkaError.TOPIC_ALREADY_EXISTS


def test_create_topic_with_invalid_config_fails(broker, topic_name):
    assert create_error(broker.bootstrap, topic_name, config={"retention.ms": "not-a-number"}) == KafkaError.INVALID_CONFIG
    md = admin(broker.bootstrap).list_topics(timeout=10)
    assert topic_name not in md.topics


def test_delete_topic(broker, topic_name):
    create_topic(broker.bootstrap, topic_name, partitions=2)
    produce(broker.bootstrap, topic_name, [Msg(None, b"gone soon")] * 5)
    a = admin(broker.bootstrap)
    a.delete_topics([topic_name], operation_timeout=15, request_timeout=15)[topic_name].result(15)
    deadline = time.monotonic() + 15
    while topic_name in a.list_topics(timeout=10).topics:
        assert time.monotonic() < deadline, "deleted topic still in metadata"
        time.sleep(0.1)
    # Deleting it again: UNKNOWN_TOPIC_OR_PART.
    with pytest.raises(KafkaException) as e:
        a.delete_topics([topic_name], operation_timeout=15, request_timeout=15)[topic_name].result(15)
    assert e.value.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    # A topic created again under the same name starts empty.
    create_topic(broker.bootstrap, topic_name, partitions=1)
    assert watermarks(broker.bootstrap, topic_name) == (0, 0)


def test_auto_create_on_produce(broker, topic_name):
    # DEFAULT_SETTINGS enable auto-creation with num.partitions=1 (barge);
    # Kafka's defaults are the same.
    produce(broker.bootstrap, topic_name, [Msg(b"auto", b"created")])
    (m,) = consume(broker.bootstrap, topic_name, 1)
    assert (m.key, m.value, m.offset) == (b"auto", b"created", 0)


def test_num_partitions_setting(broker_factory, topic_name):
    b = broker_factory({"num.partitions": "3"})
    require_settings(b)
    produce(b.bootstrap, topic_name, [Msg(None, b"x")])
    wait_for_topic(b.bootstrap, topic_name, 3)


def test_auto_create_disabled(broker_factory, topic_name):
    b = broker_factory({"auto.create.topics.enable": "false"})
    require_settings(b)
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": b.bootstrap, "message.timeout.ms": 3000})
    errors = []
    p.produce(topic_name, b"nowhere", on_delivery=lambda err, m: errors.append(err))
    p.flush(15)
    assert len(errors) == 1 and errors[0] is not None
    assert errors[0].code() in (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC, KafkaError._MSG_TIMED_OUT)
    assert topic_name not in admin(b.bootstrap).list_topics(timeout=10).topics


def test_broker_configs_reflect_settings(broker_factory):
    b = broker_factory({"message.max.bytes": "3000000"})
    require_settings(b)
    a = admin(b.bootstrap)
    node = a.list_topics(timeout=10).brokers
    (broker_id,) = node.keys()
    res = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
    configs = a.describe_configs([res], request_timeout=15)[res].result(15)
    assert configs["message.max.bytes"].value == "3000000"
