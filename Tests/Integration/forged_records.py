"""Records in Barge's wire format (docs/wire-format.md) written by hand, so a
test can forge what a hostile or broken producer would send: any header
value, any file name, any reference. Produced with confluent-kafka."""

from __future__ import annotations

import hashlib
import os

from confluent_kafka import Producer


def new_id() -> str:
    return os.urandom(16).hex()


def inline(payload: bytes, file_name: bytes | str | None = None, message_id: str | None = None,
           **overrides: str | bytes | None) -> tuple[bytes, list]:
    """An inline record: (value, headers); `overrides` replace or drop (None) headers, `_` written as `-`."""
    headers = {
        "barge.v": "1", "barge.kind": "inline", "barge.id": message_id or new_id(), "barge.size": str(len(payload)),
        "barge.sha256": hashlib.sha256(payload).hexdigest(), "barge.codec": "none", "barge.filename": file_name,
    }
    return payload, _headers(headers, overrides)


def chunks(payload: bytes, chunk_size: int, file_name: str | None = None, message_id: str | None = None) -> list[tuple[bytes, list]]:
    """The chunk records of one message, count and size on every chunk."""
    message_id = message_id or new_id()
    count = (len(payload) + chunk_size - 1) // chunk_size
    records = []
    for index in range(count):
        headers = {
            "barge.v": "1", "barge.kind": "chunk", "barge.id": message_id, "barge.index": str(index), "barge.count": str(count),
            "barge.last": "1" if index == count - 1 else None, "barge.size": str(len(payload)),
            "barge.sha256": hashlib.sha256(payload).hexdigest() if index == count - 1 else None, "barge.codec": "none",
            "barge.chunk-size": str(chunk_size) if index == 0 else None, "barge.filename": file_name if index == 0 else None,
        }
        records.append((payload[index * chunk_size:(index + 1) * chunk_size], _headers(headers, {})))
    return records


def chunk_with(message_id: str, value: bytes = b"xx", **fields: str) -> tuple[bytes, list]:
    """A chunk record of `message_id` made of exactly `fields` (besides version, kind and id): malformed on purpose."""
    headers = {"barge.v": "1", "barge.kind": "chunk", "barge.id": message_id}
    headers.update({"barge." + name.replace("_", "-"): value_ for name, value_ in fields.items()})
    return value, _headers(headers, {})


def reference(object_url: str, payload_size: int, sha256: str, file_name: str | None = None) -> tuple[bytes, list]:
    """A claim-check reference record naming `object_url`."""
    headers = {
        "barge.v": "1", "barge.kind": "reference", "barge.id": new_id(), "barge.ref": object_url, "barge.size": str(payload_size),
        "barge.sha256": sha256, "barge.codec": "none", "barge.stored-size": str(payload_size), "barge.filename": file_name,
    }
    return b"", _headers(headers, {})


def _headers(headers: dict, overrides: dict) -> list:
    for name, value in overrides.items():
        headers["barge." + name.replace("_", "-")] = value
    return [(name, value.encode() if isinstance(value, str) else value) for name, value in headers.items() if value is not None]


def produce_all(bootstrap: str, topic: str, records: list[tuple[bytes, list]], key: bytes = b"one-partition") -> None:
    """Produces `records` in order to one partition (one key), and waits for each."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "message.max.bytes": 4_000_000})
    failures = []
    for value, headers in records:
        producer.produce(topic, value=value, key=key, headers=headers,
                         on_delivery=lambda error, _message: failures.append(error) if error else None)
    producer.flush(30)
    assert not failures, failures
