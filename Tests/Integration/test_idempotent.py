"""The idempotent producer: InitProducerId, sequence checks, duplicates
acknowledged without a second append, out-of-order sequences rejected."""

import pytest

import kafka_wire as kw
from kafka_helpers import Msg, assert_same_messages, consume, create_topic, produce, raw_fetch_batches, watermarks

pytestmark = pytest.mark.timeout(120)


def test_confluent_idempotent_producer_many_messages(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    n = 20000
    msgs = [Msg(b"k%d" % (i % 17), b"%08d" % i, [("i", b"%d" % i)]) for i in range(n)]
    produce(broker.bootstrap, topic_name, msgs, **{
        "enable.idempotence": True, "max.in.flight.requests.per.connection": 5,
        "linger.ms": 2, "batch.num.messages": 500})
    assert sorted(m.offset for m in msgs) == list(range(n)), "delivery reports: duplicate or missing offsets"
    assert [m.offset for m in msgs] == list(range(n)), "delivery order differs from send order"
    got = consume(broker.bootstrap, topic_name, n)
    assert_same_messages(got, msgs)
    assert watermarks(broker.bootstrap, topic_name) == (0, n)
    batches = raw_fetch_batches(broker.bootstrap, topic_name)
    pids = {b.producer_id for b in batches}
    assert len(pids) == 1 and next(iter(pids)) >= 0, f"producer ids {pids}"
    assert batches[0].base_sequence == 0
    for prev, cur in zip(batches, batches[1:]):
        assert cur.base_sequence == prev.base_sequence + prev.last_offset_delta + 1, "sequence gap in the log"
        assert cur.base_offset == prev.base_offset + prev.last_offset_delta + 1


def _batch(pid, epoch, seq, n, tag):
    return kw.record_batch([kw.Record(b"k", b"%s-%d" % (tag, seq + i)) for i in range(n)],
                           producer_id=pid, producer_epoch=epoch, base_sequence=seq)


def test_sequence_checks_on_the_wire(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    host, port = broker.bootstrap.split(":")
    with kw.Connection(host, int(port)) as conn:
        init = kw.parse_init_producer_id_v0(conn.roundtrip(kw.init_producer_id_request))
        assert init.error_code == 0 and init.producer_id >= 0 and init.producer_epoch >= 0, init

        def send(batch):
            (r,) = kw.parse_produce_v3(conn.roundtrip(kw.produce_request, topic_name, 0, batch, acks=-1))
            return r

        first = _batch(init.producer_id, init.producer_epoch, 0, 3, b"a")
        r = send(first)
        assert (r.error_code, r.base_offset) == (0, 0)

        # The same batch again (a retry): acknowledged with the original
        # offset, not appended a second time.
        r = send(first)
        assert r.error_code in (kw.NONE, kw.DUPLICATE_SEQUENCE_NUMBER), r
        if r.error_code == kw.NONE:
            assert r.base_offset == 0
        assert watermarks(broker.bootstrap, topic_name) == (0, 3)

        # A gap in the sequence: OUT_OF_ORDER_SEQUENCE_NUMBER, nothing appended.
        r = send(_batch(init.producer_id, init.producer_epoch, 5, 2, b"gap"))
        assert r.error_code == kw.OUT_OF_ORDER_SEQUENCE_NUMBER, r
        assert watermarks(broker.bootstrap, topic_name) == (0, 3)

        # The next sequence in order is appended.
        r = send(_batch(init.producer_id, init.producer_epoch, 3, 2, b"b"))
        assert (r.error_code, r.base_offset) == (0, 3)

    got = consume(broker.bootstrap, topic_name, 5)
    assert [m.value for m in got] == [b"a-0", b"a-1", b"a-2", b"b-3", b"b-4"]
    assert watermarks(broker.bootstrap, topic_name) == (0, 5)


def test_second_producer_gets_a_new_id(broker, topic_name):
    host, port = broker.bootstrap.split(":")
    with kw.Connection(host, int(port)) as c1, kw.Connection(host, int(port)) as c2:
        a = kw.parse_init_producer_id_v0(c1.roundtrip(kw.init_producer_id_request))
        b = kw.parse_init_producer_id_v0(c2.roundtrip(kw.init_producer_id_request))
    assert a.error_code == b.error_code == 0
    assert a.producer_id != b.producer_id
