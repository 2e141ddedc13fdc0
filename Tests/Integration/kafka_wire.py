"""A tiny Kafka wire-protocol encoder/decoder for raw-socket tests.

Only what the tests need: request header v1, ApiVersions v0, Metadata v1,
Produce v3, Fetch v4, InitProducerId v0, record batch v2 (uncompressed, or
around forged record bytes with `raw_batch`) with a pure-Python, table-based
CRC-32C. Everything is big-endian as on the wire.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, table driven.


def _make_crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C_TABLE = _make_crc32c_table()


def crc32c(data: bytes, crc: int = 0) -> int:
    crc ^= 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ---------------------------------------------------------------------------
# API keys and error codes used by the tests.

PRODUCE = 0
FETCH = 1
LIST_OFFSETS = 2
METADATA = 3
API_VERSIONS = 18
INIT_PRODUCER_ID = 22

NONE = 0
CORRUPT_MESSAGE = 2
MESSAGE_TOO_LARGE = 10
INVALID_TOPIC_EXCEPTION = 17
RECORD_LIST_TOO_LARGE = 18
UNSUPPORTED_VERSION = 35
INVALID_REQUEST = 42
OUT_OF_ORDER_SEQUENCE_NUMBER = 45
DUPLICATE_SEQUENCE_NUMBER = 46
INVALID_RECORD = 87

# ---------------------------------------------------------------------------
# Primitive encoders.


def int8(v: int) -> bytes:
    return struct.pack(">b", v)


def int16(v: int) -> bytes:
    return struct.pack(">h", v)


def int32(v: int) -> bytes:
    return struct.pack(">i", v)


def uint32(v: int) -> bytes:
    return struct.pack(">I", v)


def int64(v: int) -> bytes:
    return struct.pack(">q", v)


def string(s: str | None) -> bytes:
    if s is None:
        return int16(-1)
    b = s.encode()
    return int16(len(b)) + b


def bytes_(b: bytes | None) -> bytes:
    if b is None:
        return int32(-1)
    return int32(len(b)) + b


def array(items: list[bytes]) -> bytes:
    return int32(len(items)) + b"".join(items)


def varint(v: int) -> bytes:
    """Zig-zag encoded signed varint (Kafka record fields)."""
    z = (v << 1) ^ (v >> 63)
    z &= (1 << 64) - 1
    out = bytearray()
    while True:
        if z < 0x80:
            out.append(z)
            return bytes(out)
        out.append((z & 0x7F) | 0x80)
        z >>= 7


class Reader:
    """Sequential big-endian reader; raises ValueError on underflow."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data = data
        self.pos = pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(f"underflow: need {n} at {self.pos} of {len(self.data)}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def int8(self) -> int:
        return struct.unpack(">b", self.take(1))[0]

    def int16(self) -> int:
        return struct.unpack(">h", self.take(2))[0]

    def int32(self) -> int:
        return struct.unpack(">i", self.take(4))[0]

    def uint32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def int64(self) -> int:
        return struct.unpack(">q", self.take(8))[0]

    def string(self) -> str | None:
        n = self.int16()
        return None if n < 0 else self.take(n).decode()

    def bytes_(self) -> bytes | None:
        n = self.int32()
        return None if n < 0 else self.take(n)

    def varint(self) -> int:
        shift = 0
        z = 0
        while True:
            b = self.take(1)[0]
            z |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")
        return (z >> 1) ^ -(z & 1)

    def remaining(self) -> int:
        return len(self.data) - self.pos


# ---------------------------------------------------------------------------
# Record batch v2.

@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)
    timestamp_delta: int = 0
    offset_delta: int = 0
    attributes: int = 0


def encode_record(r: Record) -> bytes:
    body = bytearray()
    body += int8(r.attributes)
    body += varint(r.timestamp_delta)
    body += varint(r.offset_delta)
    if r.key is None:
        body += varint(-1)
    else:
        body += varint(len(r.key)) + r.key
    if r.value is None:
        body += varint(-1)
    else:
        body += varint(len(r.value)) + r.value
    body += varint(len(r.headers))
    for hk, hv in r.headers:
        kb = hk.encode()
        body += varint(len(kb)) + kb
        if hv is None:
            body += varint(-1)
        else:
            body += varint(len(hv)) + hv
    return varint(len(body)) + bytes(body)


def record_batch(records: list[Record], *, base_offset: int = 0,
                 first_timestamp: int | None = None, producer_id: int = -1,
                 producer_epoch: int = -1, base_sequence: int = -1,
                 attributes: int = 0, partition_leader_epoch: int = -1,
                 corrupt_crc: bool = False) -> bytes:
    """Builds an uncompressed record batch v2 (magic 2) with a correct CRC-32C
    unless corrupt_crc is set (then the stored CRC is off by one bit)."""
    if first_timestamp is None:
        first_timestamp = int(time.time() * 1000)
    for i, r in enumerate(records):
        r.offset_delta = i
    recs = b"".join(encode_record(r) for r in records)
    max_ts = first_timestamp + max((r.timestamp_delta for r in records), default=0)
    # Everything after the CRC field, covered by the CRC.
    after_crc = (int16(attributes) + int32(len(records) - 1) + int64(first_timestamp)
                 + int64(max_ts) + int64(producer_id) + int16(producer_epoch)
                 + int32(base_sequence) + int32(len(records)) + recs)
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 0x00000001
    # batchLength counts from partitionLeaderEpoch to the end.
    rest = int32(partition_leader_epoch) + int8(2) + uint32(crc) + after_crc
    return int64(base_offset) + int32(len(rest)) + rest


def raw_batch(records: bytes, count: int, *, attributes: int = 0, last_offset_delta: int | None = None,
              first_timestamp: int | None = None) -> bytes:
    """A record batch v2 around records that are already encoded (and
    compressed, if the attributes name a codec), declaring `count` records,
    with a correct CRC-32C: for batches no client would write."""
    if first_timestamp is None:
        first_timestamp = int(time.time() * 1000)
    if last_offset_delta is None:
        last_offset_delta = max(count - 1, 0)
    after_crc = (int16(attributes) + int32(last_offset_delta) + int64(first_timestamp) + int64(first_timestamp)
                 + int64(-1) + int16(-1) + int32(-1) + int32(count) + records)
    rest = int32(-1) + int8(2) + uint32(crc32c(after_crc)) + after_crc
    return int64(0) + int32(len(rest)) + rest


BATCH_HEADER_SIZE = 61  # bytes before the first record
CRC_OFFSET = 17          # baseOffset(8) + batchLength(4) + leaderEpoch(4) + magic(1)


@dataclass
class DecodedBatch:
    base_offset: int
    attributes: int
    last_offset_delta: int
    first_timestamp: int
    max_timestamp: int
    producer_id: int
    producer_epoch: int
    base_sequence: int
    crc_ok: bool
    records: list[Record]
    raw: bytes

    @property
    def codec(self) -> int:
        return self.attributes & 0x07


def decode_batches(data: bytes) -> list[DecodedBatch]:
    """Decodes every complete batch in a records blob (a partial trailing batch,
    which Fetch may return, is ignored). Records are decoded only for
    uncompressed batches."""
    out = []
    pos = 0
    while pos + 12 <= len(data):
        base_offset, length = struct.unpack(">qi", data[pos:pos + 12])
        end = pos + 12 + length
        if length < 49 or end > len(data):
            break
        raw = data[pos:end]
        r = Reader(raw, 12)
        r.int32()  # partition leader epoch
        magic = r.int8()
        if magic != 2:
            raise ValueError(f"magic {magic} not supported")
        crc = r.uint32()
        crc_ok = crc32c(raw[21:]) == crc
        attributes = r.int16()
        last_offset_delta = r.int32()
        first_ts = r.int64()
        max_ts = r.int64()
        pid = r.int64()
        epoch = r.int16()
        seq = r.int32()
        count = r.int32()
        records = []
        if attributes & 0x07 == 0:
            for _ in range(count):
                r.varint()  # record length
                attrs = r.int8()
                ts_delta = r.varint()
                off_delta = r.varint()
                kl = r.varint()
                key = None if kl < 0 else r.take(kl)
                vl = r.varint()
                value = None if vl < 0 else r.take(vl)
                hs = []
                for _ in range(r.varint()):
                    hkl = r.varint()
                    hk = r.take(hkl).decode()
                    hvl = r.varint()
                    hs.append((hk, None if hvl < 0 else r.take(hvl)))
                records.append(Record(key, value, hs, ts_delta, off_delta, attrs))
        out.append(DecodedBatch(base_offset, attributes, last_offset_delta, first_ts,
                                max_ts, pid, epoch, seq, crc_ok, records, raw))
        pos = end
    return out


# ---------------------------------------------------------------------------
# Requests (header v1: api_key, api_version, correlation_id, client_id).


def request(api_key: int, api_version: int, correlation_id: int, body: bytes,
            client_id: str | None = "barge-raw-test") -> bytes:
    payload = int16(api_key) + int16(api_version) + int32(correlation_id) + string(client_id) + body
    return int32(len(payload)) + payload


def api_versions_request(correlation_id: int, version: int = 0) -> bytes:
    return request(API_VERSIONS, version, correlation_id, b"")


def metadata_request(correlation_id: int, topics: list[str] | None) -> bytes:
    """Metadata v1: null topics means all topics."""
    body = int32(-1) if topics is None else array([string(t) for t in topics])
    return request(METADATA, 1, correlation_id, body)


def produce_request(correlation_id: int, topic: str, partition: int, records: bytes,
                    acks: int = -1, timeout_ms: int = 10000) -> bytes:
    """Produce v3."""
    return request(PRODUCE, 3, correlation_id, produce_body(topic, partition, records, acks, timeout_ms))


def produce_body(topic: str, partition: int, records: bytes, acks: int = -1, timeout_ms: int = 10000) -> bytes:
    """The body of a Produce v3 request (after the request header)."""
    return (string(None) + int16(acks) + int32(timeout_ms)
            + array([string(topic) + array([int32(partition) + bytes_(records)])]))


def fetch_request(correlation_id: int, topic: str, partition: int, offset: int,
                  max_bytes: int = 50 * 1024 * 1024, partition_max_bytes: int = 10 * 1024 * 1024,
                  max_wait_ms: int = 100, min_bytes: int = 1) -> bytes:
    """Fetch v4."""
    body = (int32(-1) + int32(max_wait_ms) + int32(min_bytes) + int32(max_bytes) + int8(0)
            + array([string(topic) + array([int32(partition) + int64(offset) + int32(partition_max_bytes)])]))
    return request(FETCH, 4, correlation_id, body)


def init_producer_id_request(correlation_id: int) -> bytes:
    """InitProducerId v0 (idempotent producer: no transactional id)."""
    return request(INIT_PRODUCER_ID, 0, correlation_id, string(None) + int32(60000))


# ---------------------------------------------------------------------------
# Response parsing (response header v0: correlation_id only).


@dataclass
class ApiVersionsResponse:
    error_code: int
    versions: dict[int, tuple[int, int]]


def parse_api_versions_v0(body: bytes) -> ApiVersionsResponse:
    r = Reader(body)
    err = r.int16()
    versions = {}
    for _ in range(r.int32()):
        k = r.int16()
        versions[k] = (r.int16(), r.int16())
    return ApiVersionsResponse(err, versions)


@dataclass
class ProducePartitionResult:
    topic: str
    partition: int
    error_code: int
    base_offset: int
    log_append_time: int


def parse_produce_v3(body: bytes) -> list[ProducePartitionResult]:
    r = Reader(body)
    out = []
    for _ in range(r.int32()):
        topic = r.string()
        for _ in range(r.int32()):
            out.append(ProducePartitionResult(topic, r.int32(), r.int16(), r.int64(), r.int64()))
    r.int32()  # throttle time
    return out


@dataclass
class FetchPartitionResult:
    topic: str
    partition: int
    error_code: int
    high_watermark: int
    last_stable_offset: int
    records: bytes


def parse_fetch_v4(body: bytes) -> list[FetchPartitionResult]:
    r = Reader(body)
    r.int32()  # throttle time
    out = []
    for _ in range(r.int32()):
        topic = r.string()
        for _ in range(r.int32()):
            partition = r.int32()
            err = r.int16()
            hw = r.int64()
            lso = r.int64()
            n_aborted = r.int32()
            for _ in range(max(n_aborted, 0)):
                r.int64()
                r.int64()
            records = r.bytes_() or b""
            out.append(FetchPartitionResult(topic, partition, err, hw, lso, records))
    return out


@dataclass
class InitProducerIdResponse:
    error_code: int
    producer_id: int
    producer_epoch: int


def parse_init_producer_id_v0(body: bytes) -> InitProducerIdResponse:
    r = Reader(body)
    r.int32()  # throttle
    return InitProducerIdResponse(r.int16(), r.int64(), r.int16())


# ---------------------------------------------------------------------------
# A blocking connection.


class Closed(Exception):
    """The peer closed the connection (or reset it)."""


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.next_correlation_id = 1

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            except ConnectionResetError as e:
                raise Closed(str(e)) from e
            if not chunk:
                raise Closed(f"EOF after {len(buf)} of {n} bytes")
            buf += chunk
        return bytes(buf)

    def read_frame(self) -> tuple[int, bytes]:
        """Returns (correlation_id, body after response header v0)."""
        size = struct.unpack(">i", self._recv_exact(4))[0]
        if size < 4:
            raise ValueError(f"bad response size {size}")
        frame = self._recv_exact(size)
        return struct.unpack(">i", frame[:4])[0], frame[4:]

    def roundtrip(self, build, *args, **kwargs) -> bytes:
        """build(correlation_id, *args) -> request bytes; returns the response body
        and checks that the correlation id matches."""
        cid = self.next_correlation_id
        self.next_correlation_id += 1
        self.send(build(cid, *args, **kwargs))
        got, body = self.read_frame()
        if got != cid:
            raise AssertionError(f"correlation id {got} != {cid}")
        return body

    def wait_closed(self, timeout: float) -> bool:
        """True if the peer closes (EOF or reset) within timeout, discarding any
        bytes it sends first."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not chunk:
                return True
