"""Request bytes held in memory are bounded.

Before: request frames of any API but large Produce requests were collected
whole, up to socket.request.max.bytes (100 MB) each, with no total bound:
four slow 90 MB Metadata frames took the broker from 36 MB to 405 MB RSS.

Now a frame of any API but Produce above non.produce.request.max.bytes
(8 MiB) closes its connection as soon as its size prefix arrives, and the
frames held whole share queued.max.request.bytes (100 MiB): a connection
whose frame does not fit is not read until memory comes back, so clients
wait instead of failing, and the broker's memory stays bounded.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

import kafka_wire as kw

pytestmark = pytest.mark.timeout(180)

MIB = 1024 * 1024


def metadata_frame_start(size: int) -> bytes:
    """The size prefix and header of a Metadata v1 request of `size` bytes, then a topic array's count."""
    header = kw.int16(kw.METADATA) + kw.int16(1) + kw.int32(7) + kw.string("slow")
    return kw.int32(size) + header + kw.int32((size - len(header) - 4) // 102)


def send_slowly(port: int, start: bytes, body_bytes: int, outcome: dict, key) -> socket.socket:
    """Connects, sends `start` and `body_bytes` bytes of topic names, and records how sending ended."""
    s = socket.create_connection(("127.0.0.1", port), timeout=60)

    def run():
        try:
            s.sendall(start)
            name = kw.string("t" * 100)
            chunk = name * (MIB // len(name))
            sent = 0
            while sent < body_bytes:
                piece = chunk[:body_bytes - sent]
                s.sendall(piece)
                sent += len(piece)
            outcome[key] = "sent"
        except OSError as e:
            outcome[key] = f"closed: {e.__class__.__name__}"

    threading.Thread(target=run, daemon=True).start()
    return s


def wait_stable_rss(broker, at_least_kb: int = 0, timeout: float = 60.0) -> int:
    """Waits until the broker's RSS is at least `at_least_kb` and has not moved by more than 1 MiB
    in the last second; returns it."""
    deadline = time.monotonic() + timeout
    history: list[tuple[float, int]] = []
    while time.monotonic() < deadline:
        rss = broker.rss_kb()["VmRSS"]
        now = time.monotonic()
        history.append((now, rss))
        recent = [r for t, r in history if now - t <= 1.0]
        if rss >= at_least_kb and history[0][0] <= now - 1.0 and max(recent) - min(recent) < 1024:
            return rss
        time.sleep(0.1)
    raise AssertionError(f"RSS did not settle: {history[-5:]}")


def test_oversized_metadata_frames_close_their_connections(broker):
    """The reproduction: four slow 90 MB Metadata frames."""
    base = broker.rss_kb()["VmRSS"]
    outcome: dict = {}
    sockets = [send_slowly(broker.port, metadata_frame_start(90_000_000), 85_000_000, outcome, i) for i in range(4)]
    try:
        for s in sockets:
            s.settimeout(30)
            try:
                assert s.recv(1) == b"", "the broker closes the connection"
            except ConnectionResetError:
                pass  # closed with bytes unread: a reset
        peak = broker.rss_kb()["VmHWM"]
        print(f"RSS {base} kB before four 90 MB Metadata frames, peak {peak} kB")
        assert peak - base < 64 * 1024, f"RSS grew from {base} kB to a peak of {peak} kB"
        assert "non.produce.request.max.bytes" in broker.log_tail(50)
        # Other clients are served as before.
        host, port = broker.bootstrap.split(":")
        with kw.Connection(host, int(port)) as conn:
            assert kw.parse_api_versions_v0(conn.roundtrip(kw.api_versions_request)).error_code == 0
    finally:
        for s in sockets:
            s.close()


def test_frames_share_queued_max_request_bytes(broker_factory):
    """Twenty slow 7 MiB Metadata frames (each within non.produce.request.max.bytes) with a
    28 MiB bound: only four are read; the others wait, unread, and a small request waits too
    until memory comes back. Unbounded, the broker would hold all 140 MiB."""
    broker = broker_factory({"queued.max.request.bytes": str(28 * MIB), "non.produce.request.max.bytes": str(8 * MIB)})
    frame_size = 7 * MIB
    base = wait_stable_rss(broker)
    outcome: dict = {}
    sockets = [send_slowly(broker.port, metadata_frame_start(frame_size), frame_size - 2_000, outcome, i) for i in range(20)]
    try:
        held = wait_stable_rss(broker, at_least_kb=base + 3 * 7 * 1024)
        # A small request must wait for memory too, and is answered once the slow clients go.
        host, port = broker.bootstrap.split(":")
        answered = threading.Event()
        failure: list[BaseException] = []

        def small_request():
            try:
                with kw.Connection(host, int(port), timeout=60) as conn:
                    assert kw.parse_api_versions_v0(conn.roundtrip(kw.api_versions_request)).error_code == 0
                answered.set()
            except BaseException as e:  # noqa: BLE001 - reported below
                failure.append(e)

        threading.Thread(target=small_request, daemon=True).start()
        peak = broker.rss_kb()["VmHWM"]
        print(f"RSS {base} kB before, {held} kB with twenty slow 7 MiB frames, peak {peak} kB")
        assert peak - base < 60 * 1024, f"RSS grew from {base} kB to {held} kB, peak {peak} kB, with a 28 MiB bound"
        for s in sockets:
            s.close()
        assert answered.wait(30), f"the small request was not answered after memory came back: {failure}"
        assert broker.alive()
    finally:
        for s in sockets:
            s.close()
