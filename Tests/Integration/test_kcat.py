"""kcat (Debian's, on librdkafka 2.0.2) producing and consuming in assign mode.

librdkafka before 2.2.0 mis-skips tagged fields at the end of flexible
responses, so these tests also check that the broker writes only non-default
tagged fields (Tansu fails them all at ApiVersions for that reason).
"""

import random
import shutil
import subprocess

import pytest

from kafka_helpers import (CODECS, Msg, assert_same_messages, assert_stored_with_codec, consume, create_topic, produce)

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed (apt-get install kcat)")]

KEY_DELIM = b"<KEY>"
MSG_DELIM = b"<EOM>"
HEADERS = [("source", b"kcat"), ("utf8", "caf\u00e9 \u2713".encode()), ("trace-id", b"0af7651916cd43dd8448eb211c80319c")]
FORMAT = "%o %K %S %T %h|%k%s\n"


def kcat(bootstrap, *args, input=None, timeout=60):
    cmd = ["kcat", "-b", bootstrap, "-X", "socket.timeout.ms=20000", *args]
    res = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
    assert res.returncode == 0, f"{' '.join(cmd)} exited {res.returncode}:\n{res.stderr.decode(errors='replace')[-3000:]}"
    return res.stdout


def binary_messages(n, size, seed=7, compressible=False):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        key = b"key-%d-" % i + bytes(rng.randrange(1, 256) for _ in range(6))
        if compressible:
            value = (b"row %05d,kcat,compressible,csv,line\n" % i) * (size // 36 + 1)
            value = value[:size]
        else:
            value = rng.randbytes(size)
        assert KEY_DELIM not in key and MSG_DELIM not in key + value
        out.append(Msg(key, value, list(HEADERS)))
    return out


def kcat_produce(bootstrap, topic, msgs, *extra):
    data = b"".join(m.key + KEY_DELIM + m.value + MSG_DELIM for m in msgs)
    hargs = []
    for k, v in HEADERS:
        hargs += ["-H", f"{k}={v.decode()}"]
    kcat(bootstrap, "-P", "-t", topic, "-p", "0", "-K", KEY_DELIM.decode(), "-D", MSG_DELIM.decode(), *hargs, *extra,
         input=data)


def kcat_consume(bootstrap, topic, count, offset="beginning"):
    out = kcat(bootstrap, "-C", "-t", topic, "-p", "0", "-o", str(offset), "-c", str(count), "-e", "-f", FORMAT)
    return parse_formatted(out)


def parse_formatted(out: bytes) -> list[Msg]:
    msgs = []
    pos = 0
    while pos < len(out):
        bar = out.index(b"|", pos)
        head = out[pos:bar].decode()
        offset, klen, vlen, ts, headers = head.split(" ", 4)
        klen, vlen = int(klen), int(vlen)
        pos = bar + 1
        key = None if klen < 0 else out[pos:pos + klen]
        pos += max(klen, 0)
        value = None if vlen < 0 else out[pos:pos + vlen]
        pos += max(vlen, 0)
        assert out[pos:pos + 1] == b"\n", f"format parse error at {pos}"
        pos += 1
        hs = []
        if headers:
            for pair in headers.split(","):
                k, _, v = pair.partition("=")
                hs.append((k, v.encode()))
        msgs.append(Msg(key, value, hs, int(offset), 0, int(ts)))
    return msgs


def test_produce_keys_headers_binary_values(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = binary_messages(20, 3000)
    kcat_produce(broker.bootstrap, topic_name, msgs)
    # The reference client sees every byte kcat sent.
    assert_same_messages(consume(broker.bootstrap, topic_name, 20), msgs)
    # And kcat reads it back.
    got = kcat_consume(broker.bootstrap, topic_name, 20)
    assert [(g.offset, g.key, g.value, g.headers) for g in got] == \
        [(i, m.key, m.value, m.headers) for i, m in enumerate(msgs)]


def test_consume_what_confluent_kafka_wrote(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    msgs = [Msg(b"k%d" % i, bytes(random.Random(i).randbytes(500)), [("h", b"v%d" % i), ("x", b"")],
                timestamp=1_700_000_000_000 + i) for i in range(15)]
    produce(broker.bootstrap, topic_name, msgs)
    got = kcat_consume(broker.bootstrap, topic_name, 15)
    assert [(g.offset, g.key, g.value, g.headers, g.timestamp) for g in got] == \
        [(i, m.key, m.value, m.headers, m.timestamp) for i, m in enumerate(msgs)]
    got = kcat_consume(broker.bootstrap, topic_name, 5, offset=10)
    assert [g.offset for g in got] == [10, 11, 12, 13, 14]
    assert [g.value for g in got] == [m.value for m in msgs[10:]]


def test_file_as_one_message(broker, topic_name, tmp_path):
    create_topic(broker.bootstrap, topic_name)
    blobs = [random.Random(s).randbytes(200_000) for s in range(3)]
    paths = []
    for i, b in enumerate(blobs):
        p = tmp_path / f"blob{i}.bin"
        p.write_bytes(b)
        paths.append(str(p))
    kcat(broker.bootstrap, "-P", "-t", topic_name, "-p", "0", *paths)
    got = consume(broker.bootstrap, topic_name, 3)
    assert [g.value for g in got] == blobs
    assert [g.key for g in got] == [None, None, None]


@pytest.mark.parametrize("codec", CODECS)
def test_compression_codec(broker, topic_name, codec):
    create_topic(broker.bootstrap, topic_name)
    msgs = binary_messages(30, 4000, compressible=True)
    kcat_produce(broker.bootstrap, topic_name, msgs, "-z", codec, "-X", "linger.ms=100")
    assert_stored_with_codec(broker.bootstrap, topic_name, codec)
    assert_same_messages(consume(broker.bootstrap, topic_name, 30), msgs)
    got = kcat_consume(broker.bootstrap, topic_name, 30)
    assert [(g.key, g.value) for g in got] == [(m.key, m.value) for m in msgs]


def test_metadata_listing(broker, topic_name):
    import json
    create_topic(broker.bootstrap, topic_name, partitions=3)
    md = json.loads(kcat(broker.bootstrap, "-L", "-J", "-t", topic_name))
    assert [b["name"] for b in md["brokers"]] == [broker.bootstrap]
    (t,) = md["topics"]
    assert t["topic"] == topic_name
    assert sorted(p["partition"] for p in t["partitions"]) == [0, 1, 2]
    assert all(p["leader"] == md["brokers"][0]["id"] for p in t["partitions"])


def test_offsets_for_times(broker, topic_name):
    create_topic(broker.bootstrap, topic_name)
    base = 1_650_000_000_000
    produce(broker.bootstrap, topic_name, [Msg(b"k", b"v%d" % i, timestamp=base + 1000 * i) for i in range(6)],
            flush_each=True)
    out = kcat(broker.bootstrap, "-Q", "-t", f"{topic_name}:0:{base + 2500}").decode()
    assert f"{topic_name} [0] offset 3" in out, out
