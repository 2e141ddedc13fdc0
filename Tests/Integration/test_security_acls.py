"""ACLs and client certificates with the real clients, on one broker with
ssl.client.auth=required, the StandardAuthorizer and super users User:admin
(SASL) and User:CN=admin,O=Barge (certificate).

A principal allowed to WRITE one topic (the certificate User:CN=writer,O=Barge)
produces to it but cannot read it, does not see other topics, cannot delete
topics, cannot join a group; its refused produce leaves nothing. A prefixed
ALLOW and a literal DENY behave as in Kafka; a group needs READ; ACLs are
created, described and deleted with confluent-kafka's and kafka-python's
admin clients, and only a super user may manage them.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                   ResourcePatternType, ResourceType)

from secure_broker import AUTHORIZER, CLIENTS, Login, SecureBroker, refused, roundtrip, start_secure_broker, text_messages
from tls_material import make_tls_material

pytestmark = pytest.mark.timeout(120)

ADMIN = Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "admin")
T = 15  # seconds, every bounded wait


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def acl_broker(tmp_path_factory, tls) -> SecureBroker:
    b = start_secure_broker(tmp_path_factory.mktemp("acl-broker"), tls, {
        "ssl.client.auth": "required",
        "authorizer.class.name": AUTHORIZER,
        "super.users": f"User:admin;{tls.clients['admin'].principal}",
        "allow.everyone.if.no.acl.found": "false",
    })
    yield b
    b.stop()


@pytest.fixture(autouse=True)
def _attach_log(request, acl_broker):
    request.node._brokers = [acl_broker]
    yield
    assert acl_broker.alive(), f"broker died:\n{acl_broker.log_tail()}"


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def conf(b: SecureBroker, login: Login, **extra) -> dict:
    c = login.librdkafka(b)
    c.update(extra)
    return c


def admin(b: SecureBroker, login: Login = ADMIN) -> AdminClient:
    return AdminClient(conf(b, login))


def create_topics(b: SecureBroker, *names: str) -> None:
    a = admin(b)
    from confluent_kafka.admin import NewTopic
    fs = a.create_topics([NewTopic(n, 1, 1) for n in names], request_timeout=T)
    for f in fs.values():
        f.result(T)


def add_acls(b: SecureBroker, *bindings: AclBinding) -> None:
    a = admin(b)  # the client must outlive its futures
    for f in a.create_acls(list(bindings), request_timeout=T).values():
        f.result(T)


def acl(principal: str, resource: ResourceType, res_name: str, op: AclOperation,
        permission: AclPermissionType = AclPermissionType.ALLOW,
        pattern: ResourcePatternType = ResourcePatternType.LITERAL) -> AclBinding:
    return AclBinding(resource, res_name, pattern, principal, "*", op, permission)


def watermarks(b: SecureBroker, topic: str) -> tuple[int, int]:
    c = Consumer(conf(b, ADMIN, **{"group.id": "wm"}))
    try:
        return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=T, cached=False)
    finally:
        c.close()


def produce_errors(b: SecureBroker, login: Login, topic: str, values: list[bytes]) -> list:
    """Produces with confluent-kafka; returns the delivery errors (None for a delivered record)."""
    p = Producer(conf(b, login, **{"message.timeout.ms": 10000, "linger.ms": 0, "acks": "all"}))
    out = []
    for v in values:
        p.produce(topic, v, partition=0, on_delivery=lambda err, m: out.append(err))
    assert p.flush(T + 5) == 0
    return out


def fetch_error(b: SecureBroker, login: Login, topic: str) -> KafkaError:
    """Reads topic[0] from offset 0 in assign mode; returns the first error
    about the topic. librdkafka still looks up the coordinator of its
    (unused) group.id, which a principal without DESCRIBE on that group is
    refused (GROUP_AUTHORIZATION_FAILED, as in Kafka): that error is skipped."""
    c = Consumer(conf(b, login, **{"group.id": name("assign"), "enable.auto.commit": False}))
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + T
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None:
                assert m.error() is not None, f"read {m.value()!r} from {topic}"
                if m.error().code() == KafkaError.GROUP_AUTHORIZATION_FAILED:
                    continue
                return m.error()
        raise AssertionError(f"no error reading {topic} within {T}s")
    finally:
        c.close()


def join_error(b: SecureBroker, login: Login, topic: str, group: str) -> KafkaError | None:
    """Subscribes in `group` to `topic`; returns the first error, or None once a record arrives."""
    c = Consumer(conf(b, login, **{"group.id": group, "auto.offset.reset": "earliest",
                                    "session.timeout.ms": 6000, "enable.auto.commit": False}))
    try:
        c.subscribe([topic])
        deadline = time.monotonic() + T
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            return m.error()
        raise AssertionError(f"neither a record nor an error from group {group} within {T}s")
    finally:
        c.close()


# -- mutual TLS ----------------------------------------------------------------------

@pytest.mark.parametrize("client", CLIENTS)
def test_mtls_roundtrip_as_super_user_certificate(acl_broker, tls, client):
    t = name("mtls")
    create_topics(acl_broker, t)
    msgs = text_messages(6, client)
    assert roundtrip(client, acl_broker, Login("SSL", cert=tls.clients["admin"]), t, msgs) == msgs


@pytest.mark.parametrize("client", ["confluent", "kafka-python"])
def test_ssl_without_client_cert_refused_when_required(acl_broker, client):
    report = refused(client, acl_broker, Login("SSL"))
    assert any(w in report.lower() for w in ("certificate", "handshake", "closed", "alert")), report[-1500:]


# -- a WRITE-only principal (mTLS) ------------------------------------------------------

def test_writer_certificate_may_only_write_its_topic(acl_broker, tls):
    b = acl_broker
    writer = Login("SSL", cert=tls.clients["writer"])
    mine, other = name("writer-topic"), name("other-topic")
    create_topics(b, mine, other)
    assert produce_errors(b, ADMIN, other, [b"admin wrote this"]) == [None]
    add_acls(b, acl(tls.clients["writer"].principal, ResourceType.TOPIC, mine, AclOperation.WRITE))

    # It produces to its topic.
    assert produce_errors(b, writer, mine, [b"w1", b"w2", b"w3"]) == [None, None, None]
    assert watermarks(b, mine) == (0, 3)
    # It cannot read it.
    assert fetch_error(b, writer, mine).code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    # It sees its topic (WRITE implies DESCRIBE) and no other.
    md = admin(b, writer).list_topics(timeout=T)
    assert mine in md.topics and md.topics[mine].error is None
    assert other not in md.topics, sorted(md.topics)
    assert all(not t.startswith("other-topic") for t in md.topics)
    # A refused produce leaves nothing.
    errs = produce_errors(b, writer, other, [b"x1", b"x2"])
    assert all(e is not None and e.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED for e in errs), errs
    assert watermarks(b, other) == (0, 1)
    # It cannot delete either topic.
    writer_admin = admin(b, writer)
    fs = writer_admin.delete_topics([mine, other], request_timeout=T)
    for t, f in fs.items():
        with pytest.raises(KafkaException) as e:
            f.result(T)
        assert e.value.args[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, (t, e.value)
    assert {mine, other} <= set(admin(b).list_topics(timeout=T).topics)
    # It cannot join a group (no READ on any group).
    err = join_error(b, writer, mine, name("writer-group"))
    assert err is not None and err.code() in (KafkaError.GROUP_AUTHORIZATION_FAILED,
                                              KafkaError.TOPIC_AUTHORIZATION_FAILED), err


def test_group_needs_read(acl_broker):
    b = acl_broker
    t, group = name("grp-topic"), name("alice-grp")
    create_topics(b, t)
    assert produce_errors(b, ADMIN, t, [b"g1"]) == [None]
    add_acls(b, acl("User:alice", ResourceType.TOPIC, t, AclOperation.READ))
    login = Login("SASL_PLAINTEXT", "SCRAM-SHA-512", "alice")
    err = join_error(b, login, t, group)
    assert err is not None and err.code() == KafkaError.GROUP_AUTHORIZATION_FAILED, err
    add_acls(b, acl("User:alice", ResourceType.GROUP, group, AclOperation.READ))
    assert join_error(b, login, t, group) is None


# -- prefixed ALLOW, literal DENY (kafka-python, aiokafka) ---------------------------------

def test_prefixed_allow_and_literal_deny(acl_broker):
    from kafka import KafkaProducer
    from kafka.errors import KafkaError as KPError
    from kafka.errors import TopicAuthorizationFailedError
    b = acl_broker
    prefix = name("alice") + "-"
    ok, secret, outside = prefix + "data", prefix + "secret", name("bob")
    create_topics(b, ok, secret, outside)
    add_acls(b,
             acl("User:alice", ResourceType.TOPIC, prefix, AclOperation.WRITE, pattern=ResourcePatternType.PREFIXED),
             acl("User:alice", ResourceType.TOPIC, prefix, AclOperation.READ, pattern=ResourcePatternType.PREFIXED),
             acl("User:alice", ResourceType.TOPIC, secret, AclOperation.WRITE, AclPermissionType.DENY))
    login = Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice")
    # Allowed by the prefix: kafka-python and aiokafka write and read.
    msgs = text_messages(4, "prefixed")
    assert roundtrip("kafka-python", b, login, ok, msgs) == msgs
    t2 = prefix + "aio"
    create_topics(b, t2)
    assert roundtrip("aiokafka", b, login, t2, msgs) == msgs
    # The literal DENY wins over the prefixed ALLOW for WRITE ...
    p = KafkaProducer(**login.kafka_python(b), acks="all", request_timeout_ms=10000, max_block_ms=10000,
                      retries=0)
    try:
        for topic in (secret, outside):
            with pytest.raises((TopicAuthorizationFailedError, KPError)) as e:
                p.send(topic, b"denied", partition=0).get(timeout=T)
            assert "authoriz" in repr(e.value).lower(), (topic, e.value)
    finally:
        p.close(5)
    assert watermarks(b, secret) == (0, 0)
    assert watermarks(b, outside) == (0, 0)
    # ... and leaves READ alone.
    assert produce_errors(b, ADMIN, secret, [b"s"]) == [None]
    got = asyncio.run(_aio_read_one(b, login, secret))
    assert got == b"s"
    # Nothing outside the prefix: asked for by name, the topic is refused.
    md = admin(b, login).list_topics(outside, timeout=T)
    err = md.topics[outside].error
    assert err is not None and err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, err
    assert outside not in admin(b, login).list_topics(timeout=T).topics


async def _aio_read_one(b, login, topic):
    from aiokafka import AIOKafkaConsumer, TopicPartition as ATP
    c = AIOKafkaConsumer(**login.aiokafka(b), group_id=None, enable_auto_commit=False, auto_offset_reset="none")
    await c.start()
    try:
        tp = ATP(topic, 0)
        c.assign([tp])
        c.seek(tp, 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + T
        while loop.time() < deadline:
            for recs in (await c.getmany(tp, timeout_ms=300)).values():
                return recs[0].value
        raise AssertionError(f"aiokafka read nothing from {topic}")
    finally:
        await c.stop()


# -- managing ACLs ------------------------------------------------------------------------

def test_create_describe_delete_acls(acl_broker):
    b = acl_broker
    t = name("managed")
    create_topics(b, t)
    bob = Login("SASL_PLAINTEXT", "PLAIN", "bob")
    binding = acl("User:bob", ResourceType.TOPIC, t, AclOperation.WRITE)

    # Only a super user manages ACLs.
    alice_admin = admin(b, Login("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice"))
    for f in alice_admin.create_acls([binding], request_timeout=T).values():
        with pytest.raises(KafkaException) as e:
            f.result(T)
        assert e.value.args[0].code() == KafkaError.CLUSTER_AUTHORIZATION_FAILED, e.value
    assert produce_errors(b, bob, t, [b"before"])[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED

    add_acls(b, binding)
    flt = AclBindingFilter(ResourceType.TOPIC, t, ResourcePatternType.LITERAL, None, None, AclOperation.ANY,
                           AclPermissionType.ANY)
    a = admin(b)
    described = a.describe_acls(flt, request_timeout=T).result(T)
    assert [(d.principal, d.operation, d.permission_type, d.name) for d in described] == \
        [("User:bob", AclOperation.WRITE, AclPermissionType.ALLOW, t)]
    # kafka-python's admin sees the same.
    from kafka.admin import ACLFilter, ACLOperation, ACLPermissionType, KafkaAdminClient, ResourcePatternFilter
    from kafka.admin import ACLResourcePatternType, ResourceType as KPResourceType
    ka = KafkaAdminClient(**ADMIN.kafka_python(b), request_timeout_ms=T * 1000)
    try:
        acls, error = ka.describe_acls(ACLFilter(principal=None, host="*", operation=ACLOperation.ANY,
                                                 permission_type=ACLPermissionType.ANY,
                                                 resource_pattern=ResourcePatternFilter(
                                                     KPResourceType.TOPIC, t, ACLResourcePatternType.LITERAL)))
        assert error.errno == 0, error
        assert [(a.principal, a.operation, a.permission_type) for a in acls] == \
            [("User:bob", ACLOperation.WRITE, ACLPermissionType.ALLOW)]
    finally:
        ka.close()

    assert produce_errors(b, bob, t, [b"allowed"]) == [None]
    deleted = a.delete_acls([flt], request_timeout=T)[flt].result(T)
    assert [d.principal for d in deleted] == ["User:bob"]
    assert a.describe_acls(flt, request_timeout=T).result(T) == []
    # Deleting the ACL takes bob's access away at once (a new connection).
    errs = produce_errors(b, bob, t, [b"after"])
    assert errs[0] is not None and errs[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, errs
    assert watermarks(b, t) == (0, 1)
