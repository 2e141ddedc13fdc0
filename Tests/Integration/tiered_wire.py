"""ListOffsets v9 over a raw socket: the special timestamps of tiered
storage (-4 earliest local, -5 latest tiered) that the Python clients here
cannot ask for. Flexible encoding: request header v2, compact strings and
arrays, empty tagged fields."""

from __future__ import annotations

import socket
import struct

from kafka_wire import Reader, int8, int16, int32, int64

LIST_OFFSETS = 2
EARLIEST = -2
LATEST = -1
MAX_TIMESTAMP = -3
EARLIEST_LOCAL = -4
LATEST_TIERED = -5


def uvarint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def compact_string(s: str) -> bytes:
    raw = s.encode()
    return uvarint(len(raw) + 1) + raw


def read_uvarint(r: Reader) -> int:
    shift = 0
    v = 0
    while True:
        b = r.take(1)[0]
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v
        shift += 7


def skip_tags(r: Reader) -> None:
    for _ in range(read_uvarint(r)):
        read_uvarint(r)
        r.take(read_uvarint(r))


def list_offsets(bootstrap: str, topic: str, timestamp: int, partition: int = 0, version: int = 9,
                 timeout: float = 10.0) -> tuple[int, int, int]:
    """(error code, offset, timestamp) that the broker answers for `timestamp`."""
    body = (int32(-1) + int8(0) + uvarint(2) + compact_string(topic) + uvarint(2)
            + int32(partition) + int32(-1) + int64(timestamp) + b"\x00" + b"\x00" + b"\x00")
    header = int16(LIST_OFFSETS) + int16(version) + int32(7) + int16(len("tiered-test")) + b"tiered-test" + b"\x00"
    frame = header + body
    host, port = bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(int32(len(frame)) + frame)
        size = struct.unpack(">i", _read_exactly(sock, 4))[0]
        r = Reader(_read_exactly(sock, size))
    assert r.int32() == 7
    skip_tags(r)
    r.int32()  # throttle
    assert read_uvarint(r) == 2
    r.take(read_uvarint(r) - 1)
    assert read_uvarint(r) == 2
    r.int32()
    error = r.int16()
    found_timestamp = r.int64()
    offset = r.int64()
    return error, offset, found_timestamp


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        piece = sock.recv(n - len(data))
        if not piece:
            raise ConnectionError("the broker closed the connection")
        data += piece
    return data
