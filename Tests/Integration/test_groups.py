"""Consumer groups and committed offsets with real clients (issue 3).

Every expectation is Apache Kafka's (classic group protocol): rebalances driven
by JoinGroup/SyncGroup/Heartbeat/LeaveGroup, offsets committed with their
metadata and leader epoch and kept across a kill -9, static members that come
back without a rebalance, and Kafka's error codes on the wire.

The broker runs with group.initial.rebalance.delay.ms=0 (Kafka's name; its
default of 3000 only slows the first join). Consumers use
session.timeout.ms=6000 and heartbeat.interval.ms=500.

Note on metadata bytes: confluent-kafka (Python) sends a commit's metadata
string with its C terminator, so the broker stores "text\\0"; committed() hides
it again. The exact-bytes checks therefore use kafka-python, aiokafka and raw
OffsetCommit requests, which send exactly the UTF-8 text. Metadata committed by
those clients (no NUL) is never read through confluent-kafka's committed(): the
binding strdup()s an unterminated copy and reads past its end (offsets are
fine to read).
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest
from confluent_kafka import (OFFSET_INVALID, Consumer, ConsumerGroupState, ConsumerGroupTopicPartitions, KafkaError,
                             KafkaException, TopicPartition)

import kafka_wire as kw
from kafka_helpers import admin, create_topic, producer, watermarks

pytestmark = pytest.mark.timeout(60)

SESSION_TIMEOUT_MS = 6000
HEARTBEAT_MS = 500
SESSION_S = SESSION_TIMEOUT_MS / 1000
GROUP_SETTINGS = {"group.initial.rebalance.delay.ms": "0"}


# ---------------------------------------------------------------------------
# Fixtures and small helpers.


@pytest.fixture
def gbroker(broker_factory):
    """A broker whose groups start their first rebalance at once."""
    return broker_factory(GROUP_SETTINGS)


@pytest.fixture
def group_id(request) -> str:
    return f"grp-{request.node.name[:40]}-{uuid.uuid4().hex[:8]}"


def need_persistence(b):
    if not b.persistent:
        pytest.skip(f"{b.kind} runs with a memory storage engine here: nothing survives a restart")


def consumer_conf(bootstrap: str, group: str, **extra) -> dict:
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": HEARTBEAT_MS,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": False,
    }
    conf.update(extra)
    return conf


def produce_values(bootstrap: str, topic: str, partitions, per_partition: int, tag: bytes) -> dict[tuple[int, int], bytes]:
    """Produces per_partition records to each partition (acks=all) and returns
    {(partition, offset): value} from the delivery reports."""
    p = producer(bootstrap)
    delivered: dict[tuple[int, int], bytes] = {}
    errors = []

    def cb(err, rec):
        if err is not None:
            errors.append(err)
        else:
            delivered[(rec.partition(), rec.offset())] = rec.value()

    for part in partitions:
        for i in range(per_partition):
            p.produce(topic, key=b"k%d" % i, value=b"%s-p%d-%d" % (tag, part, i), partition=part, on_delivery=cb)
            p.poll(0)
    assert p.flush(30) == 0, "messages not delivered"
    assert not errors, f"delivery errors: {errors}"
    assert len(delivered) == per_partition * len(list(partitions))
    return delivered


def high_watermarks(expected: dict[tuple[int, int], bytes], partitions) -> dict[int, int]:
    hw = {p: 0 for p in partitions}
    for p, o in expected:
        hw[p] = max(hw[p], o + 1)
    return hw


class Committed:
    """Reads a group's committed offsets with confluent-kafka committed()
    (OffsetFetch). It never subscribes, so it never joins the group."""

    def __init__(self, bootstrap: str, group: str):
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})

    def get(self, topic: str, partitions) -> dict[int, TopicPartition]:
        res = self.c.committed([TopicPartition(topic, p) for p in partitions], timeout=15)
        for tp in res:
            assert tp.error is None, f"committed() error on {tp}: {tp.error}"
        return {tp.partition: tp for tp in res}

    def offsets(self, topic: str, partitions) -> dict[int, int]:
        return {p: tp.offset for p, tp in self.get(topic, partitions).items()}

    def close(self):
        self.c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def committed_offsets(bootstrap, group, topic, partitions) -> dict[int, int]:
    with Committed(bootstrap, group) as c:
        return c.offsets(topic, partitions)


class Member:
    """An in-process confluent-kafka group member (eager range/roundrobin
    assignor). pump() polls it: rebalance callbacks run there, and every
    message is recorded and committed synchronously right after."""

    def __init__(self, bootstrap: str, group: str, topic: str, name: str, **extra):
        self.name = name
        self.assignment: list[int] = []
        self.assigns = 0
        self.revokes = 0
        self.records: list[tuple[int, int, bytes]] = []
        self.commit_errors: list = []
        self.closed = False
        self.c = Consumer(consumer_conf(bootstrap, group, **{"client.id": name}, **extra))
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, consumer, partitions):
        self.assigns += 1
        self.assignment = sorted(p.partition for p in partitions)

    def _on_revoke(self, consumer, partitions):
        # Eager protocol: a revoke takes back the whole assignment.
        self.revokes += 1
        self.assignment = []

    def pump(self, seconds: float = 0.0) -> None:
        deadline = time.monotonic() + seconds
        while True:
            m = self.c.poll(0.05)
            if m is not None:
                if m.error():
                    raise KafkaException(m.error())
                self.records.append((m.partition(), m.offset(), m.value()))
                try:
                    self.c.commit(message=m, asynchronous=False)
                except KafkaException as e:
                    self.commit_errors.append(e.args[0])
            if time.monotonic() >= deadline:
                return

    def member_id(self) -> str:
        return self.c.memberid()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.c.close()

    def __repr__(self):
        return f"{self.name}(assignment={self.assignment}, records={len(self.records)})"


# A group member in its own process, so that it can be killed with SIGKILL:
# no LeaveGroup, no final commit, no closed session. It reports on stdout.
VICTIM_SCRIPT = r"""
import json, sys
from confluent_kafka import Consumer, KafkaException

conf = json.loads(sys.argv[1])
topic = sys.argv[2]

def emit(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()

c = Consumer(conf)
c.subscribe([topic],
            on_assign=lambda cons, ps: emit(event="assign", partitions=sorted(p.partition for p in ps)),
            on_revoke=lambda cons, ps: emit(event="revoke", partitions=sorted(p.partition for p in ps)))
emit(event="started")
while True:
    m = c.poll(0.05)
    if m is None:
        continue
    if m.error():
        emit(event="error", error=str(m.error()))
        continue
    emit(event="record", partition=m.partition(), offset=m.offset(), value=m.value().hex())
    try:
        c.commit(message=m, asynchronous=False)
        emit(event="committed", partition=m.partition(), offset=m.offset() + 1)
    except KafkaException as e:
        emit(event="commit_error", error=str(e))
"""


class RemoteMember:
    """The same member as Member, running VICTIM_SCRIPT in a child process."""

    def __init__(self, bootstrap: str, group: str, topic: str, name: str, log_path):
        self.name = name
        self.assignment: list[int] = []
        self.assigns = 0
        self.records: list[tuple[int, int, bytes]] = []
        self.commit_errors: list = []
        self.errors: list = []
        self._events: queue.Queue = queue.Queue()
        self._log = open(log_path, "wb")
        conf = consumer_conf(bootstrap, group, **{"client.id": name})
        self.proc = subprocess.Popen([sys.executable, "-c", VICTIM_SCRIPT, json.dumps(conf), topic],
                                     stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self._events.put(json.loads(line))
            except ValueError:
                self._events.put({"event": "garbage", "line": line.decode(errors="replace")})

    def pump(self, seconds: float = 0.0) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                ev = self._events.get(timeout=max(0.0, min(0.05, deadline - time.monotonic())))
            except queue.Empty:
                ev = None
            if ev is not None:
                kind = ev["event"]
                if kind == "assign":
                    self.assigns += 1
                    self.assignment = ev["partitions"]
                elif kind == "revoke":
                    self.assignment = []
                elif kind == "record":
                    self.records.append((ev["partition"], ev["offset"], bytes.fromhex(ev["value"])))
                elif kind == "commit_error":
                    self.commit_errors.append(ev["error"])
                elif kind in ("error", "garbage"):
                    self.errors.append(ev)
            elif time.monotonic() >= deadline:
                return

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._reader.join(5)
        self.pump()  # whatever it printed before it died

    def close(self) -> None:
        self.kill()
        self._log.close()

    def __repr__(self):
        return f"{self.name}(assignment={self.assignment}, records={len(self.records)}, alive={self.proc.poll() is None})"


def wait_for(what: str, cond, timeout: float, members=()) -> float:
    """Pumps the members until cond() holds; returns the monotonic time then."""
    deadline = time.monotonic() + timeout
    while True:
        for m in members:
            m.pump(0.02)
        if cond():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}: {list(members)}")


def split_is(members, partitions, each: int) -> bool:
    """Every member owns `each` partitions and together they own every
    partition exactly once."""
    owned = [m.assignment for m in members]
    return all(len(a) == each for a in owned) and sorted(p for a in owned for p in a) == sorted(partitions)


# ---------------------------------------------------------------------------
# Raw wire requests for the group APIs (non-flexible versions, header v1).

FIND_COORDINATOR, JOIN_GROUP, HEARTBEAT, LEAVE_GROUP, SYNC_GROUP = 10, 11, 12, 13, 14
OFFSET_COMMIT, OFFSET_FETCH = 8, 9

ERR_OFFSET_METADATA_TOO_LARGE = 12
ERR_COORDINATOR_LOAD_IN_PROGRESS = 14
ERR_COORDINATOR_NOT_AVAILABLE = 15
ERR_ILLEGAL_GENERATION = 22
ERR_INCONSISTENT_GROUP_PROTOCOL = 23
ERR_INVALID_GROUP_ID = 24
ERR_UNKNOWN_MEMBER_ID = 25
ERR_INVALID_SESSION_TIMEOUT = 26
ERR_UNKNOWN_TOPIC_OR_PARTITION = 3
ERR_MEMBER_ID_REQUIRED = 79


class RawGroupClient:
    def __init__(self, bootstrap: str):
        host, port = bootstrap.rsplit(":", 1)
        self.conn = kw.Connection(host, int(port), timeout=20)

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, api_key: int, version: int, body: bytes) -> kw.Reader:
        return kw.Reader(self.conn.roundtrip(lambda cid: kw.request(api_key, version, cid, body)))

    def find_coordinator(self, group: str, timeout: float = 20.0) -> tuple[int, str, int]:
        """FindCoordinator v2, retried while the coordinator is loading."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.call(FIND_COORDINATOR, 2, kw.string(group) + kw.int8(0))
            r.int32()
            err = r.int16()
            r.string()
            node, host, port = r.int32(), r.string(), r.int32()
            if err == 0:
                return node, host, port
            assert err in (ERR_COORDINATOR_NOT_AVAILABLE, ERR_COORDINATOR_LOAD_IN_PROGRESS), f"FindCoordinator error {err}"
            assert time.monotonic() < deadline, f"no coordinator for {group} after {timeout}s (error {err})"
            time.sleep(0.2)

    def join(self, group: str, member_id: str, protocols: list[tuple[str, bytes]], protocol_type: str = "consumer",
             session_ms: int = 30000, rebalance_ms: int = 30000, instance_id: str | None = None) -> dict:
        """JoinGroup v5."""
        body = (kw.string(group) + kw.int32(session_ms) + kw.int32(rebalance_ms) + kw.string(member_id)
                + kw.string(instance_id) + kw.string(protocol_type)
                + kw.array([kw.string(n) + kw.bytes_(m) for n, m in protocols]))
        r = self.call(JOIN_GROUP, 5, body)
        r.int32()
        res = {"error": r.int16(), "generation": r.int32(), "protocol": r.string(), "leader": r.string(),
               "member_id": r.string(), "members": []}
        for _ in range(r.int32()):
            res["members"].append((r.string(), r.string(), r.bytes_()))
        return res

    def sync(self, group: str, generation: int, member_id: str, assignments: list[tuple[str, bytes]]) -> tuple[int, bytes | None]:
        """SyncGroup v3: (error, assignment)."""
        body = (kw.string(group) + kw.int32(generation) + kw.string(member_id) + kw.string(None)
                + kw.array([kw.string(m) + kw.bytes_(a) for m, a in assignments]))
        r = self.call(SYNC_GROUP, 3, body)
        r.int32()
        return r.int16(), r.bytes_()

    def heartbeat(self, group: str, generation: int, member_id: str) -> int:
        """Heartbeat v3: error code."""
        r = self.call(HEARTBEAT, 3, kw.string(group) + kw.int32(generation) + kw.string(member_id) + kw.string(None))
        r.int32()
        return r.int16()

    def leave(self, group: str, member_ids: list[str]) -> tuple[int, list[tuple[str, int]]]:
        """LeaveGroup v3 (batch): (top-level error, [(member id, error)])."""
        body = kw.string(group) + kw.array([kw.string(m) + kw.string(None) for m in member_ids])
        r = self.call(LEAVE_GROUP, 3, body)
        r.int32()
        err = r.int16()
        members = []
        for _ in range(r.int32()):
            mid = r.string()
            r.string()
            members.append((mid, r.int16()))
        return err, members

    def commit(self, group: str, generation: int, member_id: str, topic: str,
               partitions: list[tuple[int, int, int, bytes | None]]) -> dict[int, int]:
        """OffsetCommit v7 with (partition, offset, leader epoch, metadata bytes);
        returns {partition: error}."""
        parts = [kw.int32(p) + kw.int64(o) + kw.int32(e) + (kw.int16(-1) if m is None else kw.int16(len(m)) + m)
                 for p, o, e, m in partitions]
        body = (kw.string(group) + kw.int32(generation) + kw.string(member_id) + kw.string(None)
                + kw.array([kw.string(topic) + kw.array(parts)]))
        r = self.call(OFFSET_COMMIT, 7, body)
        r.int32()
        out = {}
        for _ in range(r.int32()):
            assert r.string() == topic
            for _ in range(r.int32()):
                p = r.int32()
                out[p] = r.int16()
        return out

    def fetch(self, group: str, topic: str, partitions: list[int]) -> dict[int, tuple[int, int, bytes | None, int]]:
        """OffsetFetch v5: {partition: (offset, leader epoch, metadata bytes, error)}."""
        body = kw.string(group) + kw.array([kw.string(topic) + kw.array([kw.int32(p) for p in partitions])])
        r = self.call(OFFSET_FETCH, 5, body)
        r.int32()
        out = {}
        for _ in range(r.int32()):
            assert r.string() == topic
            for _ in range(r.int32()):
                p, off, epoch = r.int32(), r.int64(), r.int32()
                n = r.int16()
                md = None if n < 0 else r.take(n)
                out[p] = (off, epoch, md, r.int16())
        top = r.int16()
        assert top == 0, f"OffsetFetch top-level error {top}"
        return out


def subscription(topic: str) -> bytes:
    """ConsumerProtocolSubscription v0: the metadata of a 'range' protocol."""
    return kw.int16(0) + kw.array([kw.string(topic)]) + kw.bytes_(b"user-data-\x00\xff")


# ---------------------------------------------------------------------------
# 1. Three confluent-kafka consumers split six partitions; one leaves, one is
#    killed, the survivor takes over everything and nothing is lost.


def test_three_consumers_split_six_partitions_leave_and_kill(gbroker, topic_name, group_id, tmp_path):
    b = gbroker
    parts = list(range(6))
    create_topic(b.bootstrap, topic_name, partitions=6)
    expected: dict[tuple[int, int], bytes] = {}
    members: list = []
    observer = Committed(b.bootstrap, group_id)

    def consumed_keys():
        return {(p, o) for m in members for p, o, _ in m.records}

    def caught_up():
        if not set(expected) <= consumed_keys():
            return False
        return observer.offsets(topic_name, parts) == high_watermarks(expected, parts)

    try:
        a = Member(b.bootstrap, group_id, topic_name, "member-a")
        members.append(a)
        wait_for("member-a to own all six partitions", lambda: a.assignment == parts, 20, members)
        bm = Member(b.bootstrap, group_id, topic_name, "member-b")
        members.append(bm)
        wait_for("a 3/3 split between a and b", lambda: split_is([a, bm], parts, 3), 20, members)
        c = RemoteMember(b.bootstrap, group_id, topic_name, "member-c", tmp_path / "member-c.log")
        members.append(c)
        wait_for("a 2/2/2 split", lambda: split_is([a, bm, c], parts, 2), 30, members)
        assert a.assigns >= 1 and bm.assigns >= 1 and c.assigns >= 1
        owned_by_c = list(c.assignment)

        # Round 1: each member consumes exactly its own two partitions.
        expected.update(produce_values(b.bootstrap, topic_name, parts, 5, b"r1"))
        wait_for("round 1 consumed and committed", caught_up, 20, members)
        for m in (a, bm, c):
            assert {p for p, _, _ in m.records} == set(m.assignment), f"{m.name} read outside its assignment"

        # b closes: LeaveGroup, so a and c rebalance at once (well before the
        # session timeout would have expelled b).
        t0 = time.monotonic()
        bm.close()
        members_alive = [a, c]
        t_split = wait_for("a 3/3 split between a and c after b left", lambda: split_is([a, c], parts, 3), 20,
                           members_alive)
        assert t_split - t0 < SESSION_S, f"rebalance after LeaveGroup took {t_split - t0:.1f}s"
        owned_by_c = list(c.assignment)

        expected.update(produce_values(b.bootstrap, topic_name, parts, 5, b"r2"))
        wait_for("round 2 consumed and committed", caught_up, 20, members_alive)

        # c is killed: no LeaveGroup. Records produced now on c's partitions
        # wait until the coordinator expels c after the session timeout.
        t_kill = time.monotonic()
        c.kill()
        a_before_kill = len(a.records)
        expected.update(produce_values(b.bootstrap, topic_name, parts, 5, b"r3"))
        t_own = wait_for("member-a to own all six partitions after the kill", lambda: a.assignment == parts,
                         SESSION_S + 20, [a])
        assert t_own - t_kill < SESSION_S + 5, f"takeover took {t_own - t_kill:.1f}s (session timeout {SESSION_S}s)"
        wait_for("round 3 consumed and committed", caught_up, 20, [a])

        expected.update(produce_values(b.bootstrap, topic_name, parts, 5, b"r4"))
        wait_for("round 4 consumed and committed", caught_up, 20, [a])

        # Nothing lost, nothing twice, every value as produced.
        all_records = [r for m in members for r in m.records]
        keys = Counter((p, o) for p, o, _ in all_records)
        assert [k for k, n in keys.items() if n > 1] == [], "records delivered twice"
        assert set(keys) == set(expected)
        for p, o, v in all_records:
            assert v == expected[(p, o)], f"partition {p} offset {o}: {v!r} != {expected[(p, o)]!r}"
        # a took over c's partitions exactly where c's commits stopped.
        for p in owned_by_c:
            a_offsets = [o for pp, o, _ in a.records[a_before_kill:] if pp == p]
            c_offsets = [o for pp, o, _ in c.records if pp == p]
            assert c_offsets and a_offsets == list(range(c_offsets[-1] + 1, 20)), \
                f"partition {p}: c read {c_offsets}, then a read {a_offsets}"
        for m in (a, bm, c):
            assert m.commit_errors == [], f"{m.name} commit errors: {m.commit_errors}"
        assert c.errors == []

        hw = high_watermarks(expected, parts)
        assert hw == {p: 20 for p in parts}
        assert observer.offsets(topic_name, parts) == hw
        assert {p: watermarks(b.bootstrap, topic_name, p)[1] for p in parts} == hw
    finally:
        for m in members:
            m.close()
        observer.close()


# ---------------------------------------------------------------------------
# 2. kafka-python commits; the broker is killed with -9 and restarted; the
#    group resumes exactly after the committed offsets.


def test_kafka_python_group_resumes_after_broker_kill9(gbroker, topic_name, group_id):
    pytest.importorskip("kafka")
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTP
    from kafka.structs import OffsetAndMetadata

    b = gbroker
    need_persistence(b)
    parts = [0, 1]
    create_topic(b.bootstrap, topic_name, partitions=2)
    expected = produce_values(b.bootstrap, topic_name, parts, 20, b"before")
    cutoff = {0: 7, 1: 13}

    def kp_consumer(client_id):
        return KafkaConsumer(topic_name, bootstrap_servers=b.bootstrap, group_id=group_id, client_id=client_id,
                             enable_auto_commit=False, auto_offset_reset="earliest",
                             session_timeout_ms=SESSION_TIMEOUT_MS, heartbeat_interval_ms=HEARTBEAT_MS,
                             request_timeout_ms=30000)

    kc = kp_consumer("kp-first")
    try:
        got = {p: [] for p in parts}
        deadline = time.monotonic() + 30
        while any(len(got[p]) < cutoff[p] for p in parts):
            assert time.monotonic() < deadline, f"kafka-python consumed only {got}"
            for tp, recs in kc.poll(timeout_ms=500).items():
                for r in recs:
                    if r.offset < cutoff[tp.partition]:
                        assert r.offset == len(got[tp.partition]), f"gap or repeat at {tp} offset {r.offset}"
                        assert r.value == expected[(tp.partition, r.offset)]
                        got[tp.partition].append(r.offset)
                        kc.commit({KTP(topic_name, tp.partition): OffsetAndMetadata(r.offset + 1, "", -1)})
        assert {p: kc.committed(KTP(topic_name, p)) for p in parts} == cutoff
    finally:
        kc.close(autocommit=False)
    assert committed_offsets(b.bootstrap, group_id, topic_name, parts) == cutoff

    b.kill9()
    b.start()
    expected.update(produce_values(b.bootstrap, topic_name, parts, 5, b"after-restart"))
    hw = high_watermarks(expected, parts)
    assert hw == {0: 25, 1: 25}

    kc = kp_consumer("kp-second")
    try:
        got = {p: [] for p in parts}
        deadline = time.monotonic() + 30
        while sum(len(v) for v in got.values()) < sum(hw[p] - cutoff[p] for p in parts):
            assert time.monotonic() < deadline, f"kafka-python consumed only {got}"
            for tp, recs in kc.poll(timeout_ms=500).items():
                for r in recs:
                    got[tp.partition].append(r.offset)
                    assert r.value == expected[(tp.partition, r.offset)]
        # Anything beyond that would be a duplicate.
        for tp, recs in kc.poll(timeout_ms=1000).items():
            for r in recs:
                got[tp.partition].append(r.offset)
        for p in parts:
            assert got[p] == list(range(cutoff[p], hw[p])), f"partition {p} resumed with {got[p]}"
        kc.commit()
        assert {p: kc.committed(KTP(topic_name, p)) for p in parts} == hw
    finally:
        kc.close(autocommit=False)

    # The second round of commits survives a kill -9 too.
    b.kill9()
    b.start()
    assert committed_offsets(b.bootstrap, group_id, topic_name, parts) == hw


# ---------------------------------------------------------------------------
# 3. aiokafka group: subscribe, commit; confluent-kafka sees the offsets.


def test_aiokafka_group_commits_seen_by_confluent(gbroker, topic_name, group_id):
    pytest.importorskip("aiokafka")
    from aiokafka import AIOKafkaConsumer
    from aiokafka import TopicPartition as ATP

    b = gbroker
    parts = [0, 1, 2]
    create_topic(b.bootstrap, topic_name, partitions=3)
    expected = produce_values(b.bootstrap, topic_name, parts, 10, b"aio")
    meta = "aiokafka \u2713 \u00fc\u00df \U0001F680"

    async def run(count: int, final_commit: dict | None):
        c = AIOKafkaConsumer(topic_name, bootstrap_servers=b.bootstrap, group_id=group_id, client_id="aio-member",
                             enable_auto_commit=False, auto_offset_reset="earliest",
                             session_timeout_ms=SESSION_TIMEOUT_MS, heartbeat_interval_ms=HEARTBEAT_MS)
        await c.start()
        try:
            out = []
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while len(out) < count:
                assert loop.time() < deadline, f"aiokafka consumed {len(out)} of {count}"
                batch = await c.getmany(timeout_ms=500)
                for tp, recs in batch.items():
                    out.extend((tp.partition, r.offset, r.value) for r in recs)
                if batch:
                    await c.commit()
            for tp, recs in (await c.getmany(timeout_ms=1000)).items():
                out.extend((tp.partition, r.offset, r.value) for r in recs)
            assignment = sorted(tp.partition for tp in c.assignment())
            if final_commit:
                await c.commit({ATP(topic_name, p): (o, m) for p, (o, m) in final_commit.items()})
            committed = {p: await c.committed(ATP(topic_name, p)) for p in parts}
            return out, assignment, committed
        finally:
            await c.stop()

    out, assignment, committed = asyncio.run(asyncio.wait_for(run(30, None), 45))
    assert assignment == parts
    assert sorted((p, o) for p, o, _ in out) == sorted(expected), "every record exactly once"
    assert all(v == expected[(p, o)] for p, o, v in out)
    assert committed == {0: 10, 1: 10, 2: 10}
    with Committed(b.bootstrap, group_id) as obs:
        assert obs.offsets(topic_name, parts) == {0: 10, 1: 10, 2: 10}

    # A second member of the same group starts at the committed offsets and
    # sees only the new records; its commits carry metadata.
    more = produce_values(b.bootstrap, topic_name, parts, 2, b"aio-more")
    final = {0: (12, meta), 1: (12, ""), 2: (12, "plain")}
    out, _, committed = asyncio.run(asyncio.wait_for(run(6, final), 45))
    assert sorted((p, o) for p, o, _ in out) == sorted(more)
    assert committed == {0: 12, 1: 12, 2: 12}
    with Committed(b.bootstrap, group_id) as obs:
        got = obs.get(topic_name, parts)
    assert {p: tp.offset for p, tp in got.items()} == {0: 12, 1: 12, 2: 12}
    # Metadata is compared on the wire below: confluent-kafka's Python binding
    # reads metadata as a NUL-terminated C string (it commits its own with a
    # trailing NUL), so metadata committed by another client reads back with
    # whatever bytes follow it in memory, against any broker.
    with RawGroupClient(b.bootstrap) as raw:
        fetched = raw.fetch(group_id, topic_name, parts)
    assert fetched[0][2] == meta.encode() and fetched[2][2] == b"plain"


# ---------------------------------------------------------------------------
# 4. kcat -G: a balanced consumer that commits on close, and resumes.


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed (apt-get install kcat)")
def test_kcat_balanced_consumer(gbroker, topic_name, group_id):
    b = gbroker
    parts = [0, 1, 2]
    create_topic(b.bootstrap, topic_name, partitions=3)
    expected = produce_values(b.bootstrap, topic_name, parts, 10, b"kcat")

    def kcat_group(count: int) -> list[tuple[int, int, bytes]]:
        # No -o: in -G mode kcat would force that offset on every assignment,
        # overriding the committed ones. Offsets are auto-committed on close.
        cmd = ["kcat", "-b", b.bootstrap, "-X", "socket.timeout.ms=20000",
               "-X", "auto.offset.reset=earliest", "-X", f"session.timeout.ms={SESSION_TIMEOUT_MS}",
               "-X", f"heartbeat.interval.ms={HEARTBEAT_MS}", "-X", "auto.commit.interval.ms=200",
               "-q", "-c", str(count), "-f", "%p %o %s\n", "-G", group_id, topic_name]
        res = subprocess.run(cmd, capture_output=True, timeout=40)
        assert res.returncode == 0, f"{' '.join(cmd)} exited {res.returncode}:\n{res.stderr.decode(errors='replace')[-3000:]}"
        out = []
        for line in res.stdout.decode().splitlines():
            p, o, v = line.split(" ", 2)
            out.append((int(p), int(o), v.encode()))
        return out

    got = kcat_group(30)
    assert sorted((p, o) for p, o, _ in got) == sorted(expected)
    assert all(v == expected[(p, o)] for p, o, v in got)
    assert committed_offsets(b.bootstrap, group_id, topic_name, parts) == {0: 10, 1: 10, 2: 10}

    more = produce_values(b.bootstrap, topic_name, parts, 3, b"kcat-more")
    got = kcat_group(9)
    assert sorted((p, o) for p, o, _ in got) == sorted(more), "kcat -G resumes after the committed offsets"
    assert all(v == more[(p, o)] for p, o, v in got)
    assert committed_offsets(b.bootstrap, group_id, topic_name, parts) == {0: 13, 1: 13, 2: 13}


# ---------------------------------------------------------------------------
# 5. Commit metadata round-trips byte for byte, and survives a kill -9.


def test_commit_metadata_round_trips_byte_for_byte(gbroker, topic_name, group_id):
    pytest.importorskip("kafka")
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTP
    from kafka.structs import OffsetAndMetadata

    b = gbroker
    parts = [0, 1, 2, 3]
    create_topic(b.bootstrap, topic_name, partitions=4)
    produce_values(b.bootstrap, topic_name, parts, 10, b"md")
    texts = {
        0: "caf\u00e9 \u2713 \u65e5\u672c\u8a9e \U0001F680 \u00e9\u0301",
        1: "",
        2: "tabs\tnew\nlines\r\x01\x7f \"quotes\" {\"json\": [1, 2]}",
        3: ("\u00fc" * 1000) + ("x" * 1000),  # 3000 UTF-8 bytes, under Kafka's 4096
    }

    # confluent-kafka, as a group member (subscribed, with a generation).
    m = Member(b.bootstrap, group_id, topic_name, "md-member")
    try:
        wait_for("md-member to own all four partitions", lambda: m.assignment == parts, 20, [m])
        res = m.c.commit(offsets=[TopicPartition(topic_name, p, 3 + p, texts[p], 0) for p in parts],
                         asynchronous=False)
        assert all(tp.error is None for tp in res), res
        got = {tp.partition: tp for tp in m.c.committed([TopicPartition(topic_name, p) for p in parts], timeout=15)}
        for p in parts:
            assert got[p].offset == 3 + p
            assert (got[p].metadata or "") == texts[p], f"partition {p}: {got[p].metadata!r}"
            assert got[p].leader_epoch == 0

        # Oversized metadata (Kafka's offset.metadata.max.bytes is 4096) is
        # refused with OFFSET_METADATA_TOO_LARGE and changes nothing.
        code = None
        try:
            res = m.c.commit(offsets=[TopicPartition(topic_name, 0, 9, "y" * 5000)], asynchronous=False)
            code = next((tp.error.code() for tp in res if tp.error is not None), None)
        except KafkaException as e:
            code = e.args[0].code()
        assert code == KafkaError.OFFSET_METADATA_TOO_LARGE
    finally:
        m.close()

    def check_confluent_view():
        with Committed(b.bootstrap, group_id) as obs:
            got = obs.get(topic_name, parts)
        for p in parts:
            assert got[p].offset == 3 + p
            assert (got[p].metadata or "") == texts[p], f"partition {p}: {got[p].metadata!r}"

    check_confluent_view()
    with RawGroupClient(b.bootstrap) as raw:
        fetched = raw.fetch(group_id, topic_name, parts)
    for p in parts:
        off, _, md, err = fetched[p]
        assert (off, err) == (3 + p, 0)
        # confluent-kafka (Python) sends the string's NUL terminator too.
        assert md in (texts[p].encode(), texts[p].encode() + b"\x00"), f"partition {p}: {md!r}"

    # kafka-python sends exactly the UTF-8 bytes: the broker must keep them.
    kc = KafkaConsumer(bootstrap_servers=b.bootstrap, group_id=group_id, enable_auto_commit=False,
                       request_timeout_ms=30000)
    try:
        kc.commit({KTP(topic_name, p): OffsetAndMetadata(5 + p, texts[p], -1) for p in parts})
        for p in parts:
            om = kc.committed(KTP(topic_name, p), metadata=True)
            assert (om.offset, om.metadata) == (5 + p, texts[p])
    finally:
        kc.close(autocommit=False)

    def check_exact():
        with RawGroupClient(b.bootstrap) as raw:
            raw.find_coordinator(group_id)
            fetched = raw.fetch(group_id, topic_name, parts)
        for p in parts:
            off, epoch, md, err = fetched[p]
            assert (off, epoch, err) == (5 + p, -1, 0)
            assert md == texts[p].encode(), f"partition {p}: {md!r} != {texts[p].encode()!r}"
        # Not read back through confluent-kafka here: its Python binding reads
        # metadata as a NUL-terminated C string, and kafka-python sent none.
        with Committed(b.bootstrap, group_id) as obs:
            got = obs.get(topic_name, parts)
        assert {p: got[p].offset for p in parts} == {p: 5 + p for p in parts}

    check_exact()
    if b.persistent:
        b.kill9()
        b.start()
        check_exact()


# ---------------------------------------------------------------------------
# 6. Static membership: a restarted static member gets its partitions back
#    without a rebalance of the other member.


def test_static_member_restart_keeps_assignment_without_rebalance(gbroker, topic_name, group_id):
    b = gbroker
    parts = [0, 1, 2, 3]
    create_topic(b.bootstrap, topic_name, partitions=4)
    instance = f"static-{uuid.uuid4().hex[:8]}"
    members: list[Member] = []
    expected: dict[tuple[int, int], bytes] = {}
    observer = Committed(b.bootstrap, group_id)

    def caught_up():
        got = {(p, o) for m in members for p, o, _ in m.records}
        return set(expected) <= got and observer.offsets(topic_name, parts) == high_watermarks(expected, parts)

    try:
        # The dynamic member joins first, so it is the leader throughout.
        other = Member(b.bootstrap, group_id, topic_name, "dynamic-member")
        members.append(other)
        wait_for("the dynamic member to own all partitions", lambda: other.assignment == parts, 20, members)
        s1 = Member(b.bootstrap, group_id, topic_name, "static-member", **{"group.instance.id": instance})
        members.append(s1)
        wait_for("a 2/2 split", lambda: split_is([other, s1], parts, 2), 20, members)
        static_parts = list(s1.assignment)
        other_parts = list(other.assignment)
        old_static_id = s1.member_id()
        other_id = other.member_id()

        expected.update(produce_values(b.bootstrap, topic_name, parts, 4, b"s1"))
        wait_for("round 1 consumed and committed", caught_up, 20, members)
        assigns, revokes = other.assigns, other.revokes

        # librdkafka sends no LeaveGroup for a static member on close.
        s1.close()
        t_closed = time.monotonic()
        s2 = Member(b.bootstrap, group_id, topic_name, "static-member", **{"group.instance.id": instance})
        members.append(s2)
        t_back = wait_for("the restarted static member's assignment", lambda: s2.assignment != [], 20, [other, s2])
        assert t_back - t_closed < SESSION_S, "the static member came back after its session timeout"
        assert s2.assignment == static_parts

        expected.update(produce_values(b.bootstrap, topic_name, parts, 4, b"s2"))
        wait_for("round 2 consumed and committed", caught_up, 20, [other, s2])
        # Past the old session timeout: the replaced member id must not expire
        # into a rebalance either.
        deadline = time.monotonic() + SESSION_S + 2
        while time.monotonic() < deadline:
            other.pump(0.05)
            s2.pump(0.05)
        assert (other.assigns, other.revokes) == (assigns, revokes), "the other member saw a rebalance"
        assert other.assignment == other_parts
        assert s2.assignment == static_parts and s2.assigns == 1
        # s2 resumed at the committed offsets: only round 2, only its partitions.
        s2_round = {(p, o): v for p, o, v in s2.records}
        assert set(s2_round) == {k for k, v in expected.items() if k[0] in static_parts and v.startswith(b"s2-")}
        assert all(expected[k] == v for k, v in s2_round.items())

        a = admin(b.bootstrap)  # keep the client referenced until its future completes
        desc = a.describe_consumer_groups([group_id], request_timeout=15)[group_id].result(20)
        assert desc.state == ConsumerGroupState.STABLE
        by_id = {mem.member_id: mem for mem in desc.members}
        assert set(by_id) == {other_id, s2.member_id()}
        assert s2.member_id() != old_static_id, "a rejoining static member gets a new member id"
        assert by_id[s2.member_id()].group_instance_id == instance
        assert by_id[other_id].group_instance_id is None
        assert sorted(tp.partition for tp in by_id[s2.member_id()].assignment.topic_partitions) == static_parts
        assert sorted(tp.partition for tp in by_id[other_id].assignment.topic_partitions) == other_parts
    finally:
        for m in members:
            m.close()
        observer.close()


# ---------------------------------------------------------------------------
# 7. Admin: ListGroups, DescribeGroups, DeleteGroups, OffsetDelete, and
#    offsets altered and listed through the admin API.


def _alter_error(fut):
    """The error code of an alter_consumer_group_offsets future, or None."""
    try:
        res = fut.result(20)
    except KafkaException as e:
        return e.args[0].code()
    errs = [tp.error.code() for tp in res.topic_partitions if tp.error is not None]
    return errs[0] if errs else None


def _listed_offsets(a, group, topic, parts) -> dict[int, int]:
    req = [ConsumerGroupTopicPartitions(group, [TopicPartition(topic, p) for p in parts])]
    res = a.list_consumer_group_offsets(req, request_timeout=15)[group].result(20)
    assert all(tp.error is None for tp in res.topic_partitions), res.topic_partitions
    return {tp.partition: tp.offset for tp in res.topic_partitions}


def test_admin_list_describe_delete_groups_and_offsets(gbroker, topic_name, group_id):
    kafka = pytest.importorskip("kafka")
    from kafka import TopicPartition as KTP
    from kafka.admin import KafkaAdminClient

    b = gbroker
    parts = [0, 1]
    create_topic(b.bootstrap, topic_name, partitions=2)
    expected = produce_values(b.bootstrap, topic_name, parts, 4, b"adm")
    a = admin(b.bootstrap)
    kadmin = KafkaAdminClient(bootstrap_servers=b.bootstrap, request_timeout_ms=30000)
    members: list[Member] = []
    try:
        m1 = Member(b.bootstrap, group_id, topic_name, "admin-member-1")
        members.append(m1)
        wait_for("member 1 to own both partitions", lambda: m1.assignment == parts, 20, members)
        m2 = Member(b.bootstrap, group_id, topic_name, "admin-member-2")
        members.append(m2)
        wait_for("a 1/1 split", lambda: split_is([m1, m2], parts, 1), 20, members)
        wait_for("everything consumed and committed",
                 lambda: {(p, o) for m in members for p, o, _ in m.records} >= set(expected)
                 and _listed_offsets(a, group_id, topic_name, parts) == {0: 4, 1: 4}, 20, members)

        listing = a.list_consumer_groups(request_timeout=15).result(20)
        assert not listing.errors
        mine = [g for g in listing.valid if g.group_id == group_id]
        assert len(mine) == 1
        assert mine[0].is_simple_consumer_group is False
        assert mine[0].state == ConsumerGroupState.STABLE
        stable = a.list_consumer_groups(states={ConsumerGroupState.STABLE}, request_timeout=15).result(20)
        assert group_id in [g.group_id for g in stable.valid]
        empty = a.list_consumer_groups(states={ConsumerGroupState.EMPTY}, request_timeout=15).result(20)
        assert group_id not in [g.group_id for g in empty.valid]

        desc = a.describe_consumer_groups([group_id], request_timeout=15)[group_id].result(20)
        assert desc.group_id == group_id
        assert desc.is_simple_consumer_group is False
        assert desc.state == ConsumerGroupState.STABLE
        assert desc.partition_assignor == "range"  # librdkafka's first choice, supported by both
        assert (desc.coordinator.host, desc.coordinator.port) == ("127.0.0.1", b.port)
        assert sorted(mem.client_id for mem in desc.members) == ["admin-member-1", "admin-member-2"]
        assert {mem.member_id for mem in desc.members} == {m1.member_id(), m2.member_id()}
        for mem in desc.members:
            assert mem.host == "/127.0.0.1"  # Kafka's InetAddress.toString() form
            own = m1 if mem.member_id == m1.member_id() else m2
            assert sorted((tp.topic, tp.partition) for tp in mem.assignment.topic_partitions) == \
                [(topic_name, p) for p in own.assignment]
            assert mem.group_instance_id is None

        # A group with members can be neither deleted nor rewritten.
        with pytest.raises(KafkaException) as ei:
            a.delete_consumer_groups([group_id], request_timeout=15)[group_id].result(20)
        assert ei.value.args[0].code() == KafkaError.NON_EMPTY_GROUP
        res = kadmin.delete_group_offsets(group_id, [KTP(topic_name, 0)])
        assert res[KTP(topic_name, 0)] is kafka.errors.GroupSubscribedToTopicError
        fut = a.alter_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group_id, [TopicPartition(topic_name, 0, 1)])], request_timeout=15)[group_id]
        assert _alter_error(fut) is not None, "offsets of a group with members must not be altered"
        assert _listed_offsets(a, group_id, topic_name, parts) == {0: 4, 1: 4}

        # Both leave: the group is empty but keeps its offsets.
        for m in members:
            m.close()

        def describe():
            return a.describe_consumer_groups([group_id], request_timeout=15)[group_id].result(20)

        wait_for("the group to be empty", lambda: describe().state == ConsumerGroupState.EMPTY, 10)
        desc = describe()
        assert desc.state == ConsumerGroupState.EMPTY
        assert desc.members == []
        empty = a.list_consumer_groups(states={ConsumerGroupState.EMPTY}, request_timeout=15).result(20)
        assert group_id in [g.group_id for g in empty.valid]
        assert _listed_offsets(a, group_id, topic_name, parts) == {0: 4, 1: 4}

        # Alter and OffsetDelete on the empty group.
        fut = a.alter_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group_id, [TopicPartition(topic_name, 0, 1), TopicPartition(topic_name, 1, 3)])],
            request_timeout=15)[group_id]
        assert _alter_error(fut) is None
        assert _listed_offsets(a, group_id, topic_name, parts) == {0: 1, 1: 3}
        res = kadmin.delete_group_offsets(group_id, [KTP(topic_name, 1)])
        assert res[KTP(topic_name, 1)] is kafka.errors.NoError
        assert _listed_offsets(a, group_id, topic_name, parts) == {0: 1, 1: OFFSET_INVALID}

        # DeleteGroups removes the group and its offsets.
        a.delete_consumer_groups([group_id], request_timeout=15)[group_id].result(20)
        listing = a.list_consumer_groups(request_timeout=15).result(20)
        assert group_id not in [g.group_id for g in listing.valid]
        try:
            desc = a.describe_consumer_groups([group_id], request_timeout=15)[group_id].result(20)
            assert desc.state == ConsumerGroupState.DEAD and desc.members == []
        except KafkaException as e:
            assert e.args[0].code() == KafkaError.GROUP_ID_NOT_FOUND
        assert _listed_offsets(a, group_id, topic_name, parts) == {0: OFFSET_INVALID, 1: OFFSET_INVALID}
        assert committed_offsets(b.bootstrap, group_id, topic_name, parts) == {0: OFFSET_INVALID, 1: OFFSET_INVALID}
    finally:
        for m in members:
            m.close()
        kadmin.close()


# ---------------------------------------------------------------------------
# 8. Bad input on the wire: Kafka's error codes, no crash, no effect on
#    another group.


def test_wire_errors_for_bad_members_generations_and_metadata(gbroker, topic_name, group_id):
    b = gbroker
    create_topic(b.bootstrap, topic_name, partitions=2)
    produce_values(b.bootstrap, topic_name, [0, 1], 10, b"wire")

    # Another group with committed offsets that nothing below may touch.
    other_group = f"{group_id}-other"
    with RawGroupClient(b.bootstrap) as raw:
        raw.find_coordinator(other_group)
        assert raw.commit(other_group, -1, "", topic_name, [(0, 4, -1, b"other"), (1, 6, -1, None)]) == {0: 0, 1: 0}

    with RawGroupClient(b.bootstrap) as raw:
        node, host, port = raw.find_coordinator(group_id)
        assert (host, port) == ("127.0.0.1", b.port)

        # Invalid joins, each answered with its error and no member.
        res = raw.join("", "", [("range", subscription(topic_name))])
        assert res["error"] == ERR_INVALID_GROUP_ID
        res = raw.join(group_id, "", [("range", subscription(topic_name))], session_ms=100)
        assert res["error"] == ERR_INVALID_SESSION_TIMEOUT
        res = raw.join(group_id, "", [])
        assert res["error"] == ERR_INCONSISTENT_GROUP_PROTOCOL

        # JoinGroup v4+: a new member first gets MEMBER_ID_REQUIRED with its id.
        sub = subscription(topic_name)
        res = raw.join(group_id, "", [("range", sub), ("roundrobin", sub)])
        assert res["error"] == ERR_MEMBER_ID_REQUIRED
        member = res["member_id"]
        assert member
        res = raw.join(group_id, member, [("range", sub), ("roundrobin", sub)])
        assert res["error"] == 0, res
        gen = res["generation"]
        assert gen >= 1
        assert (res["protocol"], res["leader"], res["member_id"]) == ("range", member, member)
        assert res["members"] == [(member, None, sub)], "the leader gets every member's metadata byte for byte"

        # The broker does not interpret assignments: garbage bytes come back
        # as they were, and assignments for unknown members are ignored.
        garbage = b"\xff\xfe not a ConsumerProtocolAssignment \x00\x01"
        assert raw.sync(group_id, gen, member, [(member, garbage), ("ghost-member", b"x")]) == (0, garbage)
        assert raw.heartbeat(group_id, gen, member) == 0

        # Stale generations and unknown members.
        assert raw.heartbeat(group_id, gen + 1, member) == ERR_ILLEGAL_GENERATION
        assert raw.heartbeat(group_id, gen - 1, member) == ERR_ILLEGAL_GENERATION
        assert raw.heartbeat(group_id, gen, "nobody") == ERR_UNKNOWN_MEMBER_ID
        assert raw.commit(group_id, gen, "nobody", topic_name, [(0, 1, -1, b"")]) == {0: ERR_UNKNOWN_MEMBER_ID}
        assert raw.commit(group_id, gen + 1, member, topic_name, [(0, 1, -1, b"")]) == {0: ERR_ILLEGAL_GENERATION}
        # A simple (generation -1) commit is refused while the group has members.
        assert raw.commit(group_id, -1, "", topic_name, [(0, 1, -1, b"")]) == {0: ERR_UNKNOWN_MEMBER_ID}
        # A member speaking another protocol type cannot join.
        res = raw.join(group_id, "", [("range", sub)], protocol_type="connect")
        assert res["error"] == ERR_INCONSISTENT_GROUP_PROTOCOL

        # A valid commit: per-partition results, oversized metadata refused
        # alone, unknown topics refused.
        md = "raw \u2713 \x00 nul inside".encode()
        assert raw.commit(group_id, gen, member, topic_name,
                          [(0, 5, 0, md), (1, 7, -1, b"y" * 5000)]) == {0: 0, 1: ERR_OFFSET_METADATA_TOO_LARGE}
        assert raw.commit(group_id, gen, member, f"{topic_name}-missing", [(0, 1, -1, b"")]) == \
            {0: ERR_UNKNOWN_TOPIC_OR_PARTITION}
        fetched = raw.fetch(group_id, topic_name, [0, 1])
        assert fetched[0] == (5, 0, md, 0)
        assert fetched[1][0] == -1 and fetched[1][3] == 0

        # None of that disturbed the group: same generation, still stable.
        assert raw.heartbeat(group_id, gen, member) == 0

        # LeaveGroup v3: per-member errors.
        err, results = raw.leave(group_id, ["nobody"])
        assert err == 0 and results == [("nobody", ERR_UNKNOWN_MEMBER_ID)]
        assert raw.heartbeat(group_id, gen, member) == 0
        err, results = raw.leave(group_id, [member])
        assert err == 0 and results == [(member, 0)]
        assert raw.heartbeat(group_id, gen, member) == ERR_UNKNOWN_MEMBER_ID

        # The group is empty now; its offsets stay, and the other group's are
        # untouched.
        fetched = raw.fetch(group_id, topic_name, [0])
        assert fetched[0] == (5, 0, md, 0)
        other = raw.fetch(other_group, topic_name, [0, 1])
        assert other[0][:3] == (4, -1, b"other") and other[1][0] == 6

    assert b.alive()
    with Committed(b.bootstrap, other_group) as obs:
        assert obs.offsets(topic_name, [0, 1]) == {0: 4, 1: 6}
