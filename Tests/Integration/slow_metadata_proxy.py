"""A TCP proxy in front of a broker that holds back the answer to the first
Metadata request for a while: a cluster that is connected but slow to
answer, as on a loaded machine."""

from __future__ import annotations

import socket
import struct
import threading
import time

METADATA = 3


class SlowMetadataProxy:
    """Listens on 127.0.0.1 (a free port) and forwards each connection to
    `target`; the response to the first Metadata request of all connections
    reaches the client `delay` seconds late (responses after it on that
    connection wait behind it, as Kafka's do)."""

    def __init__(self, target: tuple[str, int], delay: float):
        self.target, self.delay = target, delay
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.delayed = threading.Event()
        self.closed = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.closed = True
        for s in [self.server, *self.sockets]:
            try:
                s.close()
            except OSError:
                pass

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            pending: list[int] = []  # api keys of the requests not yet answered, in order
            threading.Thread(target=self._requests, args=(client, upstream, pending), daemon=True).start()
            threading.Thread(target=self._responses, args=(upstream, client, pending), daemon=True).start()

    @staticmethod
    def _frame(source: socket.socket) -> bytes | None:
        header = SlowMetadataProxy._exactly(source, 4)
        if header is None:
            return None
        body = SlowMetadataProxy._exactly(source, struct.unpack(">i", header)[0])
        return None if body is None else header + body

    @staticmethod
    def _exactly(source: socket.socket, count: int) -> bytes | None:
        data = b""
        while len(data) < count:
            try:
                piece = source.recv(count - len(data))
            except OSError:
                return None
            if not piece:
                return None
            data += piece
        return data

    def _requests(self, client: socket.socket, upstream: socket.socket, pending: list[int]) -> None:
        while (frame := self._frame(client)) is not None:
            pending.append(struct.unpack(">h", frame[4:6])[0])
            upstream.sendall(frame)
        upstream.close()

    def _responses(self, upstream: socket.socket, client: socket.socket, pending: list[int]) -> None:
        while (frame := self._frame(upstream)) is not None:
            api_key = pending.pop(0) if pending else None
            if api_key == METADATA and not self.delayed.is_set():
                self.delayed.set()
                time.sleep(self.delay)  # the fault itself: a cluster slow to answer
            try:
                client.sendall(frame)
            except OSError:
                return
        client.close()
