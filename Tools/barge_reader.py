#!/usr/bin/env python3
"""A reader of Barge's wire format (docs/wire-format.md), written from that
document alone, with confluent-kafka, zlib (gzip) and cramjam (LZ4 frames,
Zstandard, raw Snappy).

As a module: `Reassembler` takes records in partition order and returns what
they complete (messages, plain records, aborts, errors). It keeps incomplete
messages in memory: it is a reference for the format, not a bounded-memory
consumer like Barge's own.

Claim checks (`reference` records) are read from a file-system store under
one of `--store-root` (objects `file:///ROOT/KEY`), decrypted with
`--keys id:BASE64[,...]` (AES-256-GCM with the `cryptography` package) when
encrypted, and verified like the others.

As a command:
  barge_reader.py --bootstrap-servers HOST:PORT --topic T --group G --to DIR [--count N]
                  [--store-root DIR ...] [--keys id:BASE64,...]
writes each verified payload to DIR under its file name (or its message id)
and prints one JSON line per event.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass, field

import cramjam

PREFIX = "barge."
ID = re.compile(r"[0-9a-f]{32}")
DIGEST = re.compile(r"[0-9a-f]{64}")
NUMBER = re.compile(r"0|[1-9][0-9]{0,18}")
MAX_COUNT = 1 << 24
MAX_SIZE = 1 << 50
MAX_CHUNK = 1 << 31


class WireError(Exception):
    """A record that breaks the format: `kind` and `header` as in the document."""

    def __init__(self, kind: str, header: str, message: str):
        super().__init__(f"{kind} {header}: {message}")
        self.kind, self.header = kind, header


def gunzip(data: bytes) -> bytes:
    """One gzip member (RFC 1952), nothing after it."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    payload = inflater.decompress(data)
    if not inflater.eof:
        raise ValueError("truncated gzip member")
    if inflater.unused_data:
        raise ValueError(f"{len(inflater.unused_data)} bytes after the gzip member")
    return payload


DECOMPRESS = {
    "none": lambda data: data,
    "gzip": gunzip,
    "lz4": lambda data: bytes(cramjam.lz4.decompress(data)),  # the LZ4 frame format
    "zstd": lambda data: bytes(cramjam.zstd.decompress(data)),
    "snappy": lambda data: bytes(cramjam.snappy.decompress_raw(data)),  # raw block, not framed
}


def decompress(codec: str, data: bytes) -> bytes:
    """A record's value decompressed; WireError on barge.codec when it does not decompress."""
    if codec not in DECOMPRESS:
        raise WireError("malformedValue", "barge.codec", f"unknown codec {codec!r}")
    try:
        return DECOMPRESS[codec](data)
    except (zlib.error, ValueError, cramjam.DecompressionError) as error:
        raise WireError("malformedValue", "barge.codec", f"the {codec} value does not decompress: {error}") from None


def number(fields: dict, name: str, limit: int, required: bool) -> int | None:
    text = fields.get(name)
    if text is None:
        if required:
            raise WireError("missingHeader", name, "required")
        return None
    if not NUMBER.fullmatch(text):
        raise WireError("malformedValue", name, f"{text!r} is not a decimal number")
    if int(text) > limit:
        raise WireError("outOfRange", name, f"{text} is above {limit}")
    return int(text)


def envelope(headers: list[tuple[str, bytes | None]]) -> dict | None:
    """The Barge fields of a record, checked; None for a plain record."""
    fields, application = {}, []
    for name, value in headers:
        if not name.startswith(PREFIX):
            application.append((name, value))
            continue
        if value is None:
            raise WireError("malformedValue", name, "null value")
        if name in fields:
            raise WireError("duplicateHeader", name, "appears more than once")
        try:
            fields[name] = value.decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("malformedValue", name, "not UTF-8") from None
    if "barge.v" not in fields:
        return None
    if fields["barge.v"] != "1":
        raise WireError("unsupportedVersion", "barge.v", f"version {fields['barge.v']!r}")
    if "barge.id" not in fields:
        raise WireError("missingHeader", "barge.id", "required")
    if not ID.fullmatch(fields["barge.id"]):
        raise WireError("malformedValue", "barge.id", "not 32 lowercase hex digits")
    kind = fields.get("barge.kind")
    if kind is None:
        raise WireError("missingHeader", "barge.kind", "required")
    result = {"kind": kind, "id": fields["barge.id"], "application": application, "fields": fields}
    if kind == "abort":
        return result
    if kind not in ("inline", "chunk", "reference"):
        raise WireError("malformedValue", "barge.kind", f"unknown kind {kind!r}")
    if fields.get("barge.codec") not in ("none", "gzip", "lz4", "zstd", "snappy"):
        raise WireError("missingHeader" if "barge.codec" not in fields else "malformedValue", "barge.codec", "required codec")
    digest = fields.get("barge.sha256")
    if digest is not None and not DIGEST.fullmatch(digest):
        raise WireError("malformedValue", "barge.sha256", "not 64 lowercase hex digits")
    if kind in ("inline", "reference"):
        result["size"] = number(fields, "barge.size", MAX_SIZE, True)
        if digest is None:
            raise WireError("missingHeader", "barge.sha256", "required")
        if kind == "reference":
            reference(fields, result)
        return result
    index = number(fields, "barge.index", MAX_COUNT - 1, True)
    count = number(fields, "barge.count", MAX_COUNT, False)
    last = fields.get("barge.last")
    if last is not None and last != "1":
        raise WireError("malformedValue", "barge.last", f"{last!r} is not 1")
    if count is not None and (count == 0 or index >= count):
        raise WireError("inconsistent", "barge.index", f"index {index} is not below count {count}")
    if last == "1" and (count is None or index != count - 1):
        raise WireError("inconsistent", "barge.last", "not on chunk count - 1")
    size = number(fields, "barge.size", MAX_SIZE, False)
    if last == "1" and (size is None or digest is None):
        raise WireError("missingHeader", "barge.size" if size is None else "barge.sha256", "required on the last chunk")
    if index == 0:
        chunk_size = number(fields, "barge.chunk-size", MAX_CHUNK, True)
        if chunk_size == 0:
            raise WireError("outOfRange", "barge.chunk-size", "must be at least 1")
        result["chunk_size"] = chunk_size
    result.update(index=index, count=count, size=size)
    return result


ENCRYPTION_FIELDS = ("barge.encryption", "barge.encryption-key-id", "barge.encryption-wrapped-key",
                     "barge.encryption-nonce-prefix", "barge.encryption-segment-size")


def reference(fields: dict, result: dict) -> None:
    """Checks a reference's own fields into `result`."""
    url = fields.get("barge.ref")
    if url is None:
        raise WireError("missingHeader", "barge.ref", "required")
    if len(url.encode()) > 2048 or "://" not in url:
        raise WireError("malformedValue", "barge.ref", "not an object URL")
    if fields["barge.codec"] != "none":
        raise WireError("malformedValue", "barge.codec", "references are stored uncompressed")
    result["ref"] = url
    result["stored_size"] = number(fields, "barge.stored-size", 2 * MAX_SIZE, True)
    present = [name for name in ENCRYPTION_FIELDS if name in fields]
    if present and len(present) != len(ENCRYPTION_FIELDS):
        raise WireError("malformedValue", "barge.encryption", "all five encryption headers or none")
    segment = int(fields["barge.encryption-segment-size"]) if present else None
    segments = max(1, -(-result["size"] // segment)) if segment else 0
    if result["stored_size"] != result["size"] + 16 * segments:
        raise WireError("inconsistent", "barge.stored-size", "does not match barge.size")


def object_path(url: str, roots: list[str]) -> str | None:
    """The file of `url` under one of `roots`; None when it is outside them all."""
    for root in roots:
        base = "file://" + os.path.abspath(root).rstrip("/") + "/"
        if url.startswith(base):
            key = url[len(base):]
            if key and all(part not in ("", ".", "..") for part in key.split("/")):
                return base[len("file://"):] + key
    return None


def decrypt(data: bytes, fields: dict, size: int, keys: dict[str, bytes]) -> bytes:
    """The plaintext of an encrypted object (docs/wire-format.md, Encryption)."""
    import base64  # noqa: PLC0415 - only encrypted objects need these
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    key_id = fields["barge.encryption-key-id"]
    if key_id not in keys:
        raise WireError("unknownKey", "barge.encryption-key-id", "no key with this id")
    wrapped = base64.b64decode(fields["barge.encryption-wrapped-key"], validate=True)
    data_key = AESGCM(keys[key_id]).decrypt(wrapped[:12], wrapped[12:], b"barge-dek-v1" + key_id.encode())
    prefix = base64.b64decode(fields["barge.encryption-nonce-prefix"], validate=True)
    segment = int(fields["barge.encryption-segment-size"])
    aad = fields["barge.encryption"].encode() + segment.to_bytes(4, "big")
    count = max(1, -(-size // segment))
    plaintext, position = [], 0
    for index in range(count):
        length = (segment if index < count - 1 else size - segment * (count - 1)) + 16
        nonce = prefix + index.to_bytes(4, "big") + (b"\x01" if index == count - 1 else b"\x00")
        plaintext.append(AESGCM(data_key).decrypt(nonce, data[position:position + length], aad))
        position += length
    if position != len(data):
        raise WireError("corrupt", "barge.stored-size", "bytes after the final segment")
    return b"".join(plaintext)


@dataclass
class Pending:
    """The chunks of one message seen so far."""
    chunks: dict = field(default_factory=dict)
    count: int | None = None
    size: int | None = None
    digest: str | None = None
    first: dict | None = None


class Reassembler:
    """Groups chunk records by message id within a partition."""

    def __init__(self, store_roots: list[str] | None = None, keys: dict[str, bytes] | None = None):
        self.pending: dict[tuple[int, str], Pending] = {}
        self.store_roots = store_roots or []
        self.keys = keys or {}

    def add(self, partition: int, headers: list, value: bytes | None) -> list[dict]:
        try:
            record = envelope(headers)
        except WireError as error:
            return [{"type": "error", "kind": error.kind, "header": error.header}]
        if record is None:
            return [{"type": "plain", "headers": headers, "value": value}]
        key = (partition, record["id"])
        fields = record["fields"]
        if record["kind"] == "abort":
            self.pending.pop(key, None)
            return [{"type": "aborted", "id": record["id"]}]
        if record["kind"] == "chunk" and key in self.pending and record["index"] in self.pending[key].chunks:
            return []  # a producer retry
        if record["kind"] == "reference":
            return [self.claim_check(record)]
        try:
            payload = decompress(fields["barge.codec"], value or b"")
        except WireError as error:
            return [{"type": "error", "kind": error.kind, "header": error.header}]
        if record["kind"] == "inline":
            return [self.verified(record["id"], payload, record["size"], fields["barge.sha256"], record)]
        pending = self.pending.setdefault(key, Pending())
        pending.chunks[record["index"]] = payload
        pending.count = pending.count or record["count"]
        pending.size = pending.size or record["size"]
        pending.digest = pending.digest or fields.get("barge.sha256")
        if record["index"] == 0:
            pending.first = record
        if pending.count is None or len(pending.chunks) < pending.count:
            return []
        del self.pending[key]
        payload = b"".join(pending.chunks[index] for index in range(pending.count))
        return [self.verified(record["id"], payload, pending.size, pending.digest, pending.first)]

    def claim_check(self, record: dict) -> dict:
        fields = record["fields"]
        path = object_path(record["ref"], self.store_roots)
        if path is None:
            return {"type": "error", "kind": "noStore", "header": "barge.ref"}
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return {"type": "error", "kind": "objectMissing", "header": "barge.ref"}
        if len(data) != record["stored_size"]:
            return {"type": "corrupt", "id": record["id"]}
        if "barge.encryption" in fields:
            try:
                data = decrypt(data, fields, record["size"], self.keys)
            except WireError as error:
                return {"type": "error", "kind": error.kind, "header": error.header}
            except Exception:  # noqa: BLE001 - cryptography's InvalidTag and base64 errors
                return {"type": "corrupt", "id": record["id"]}
        return self.verified(record["id"], data, record["size"], fields["barge.sha256"], record)

    @staticmethod
    def verified(message_id: str, payload: bytes, size: int, digest: str, first: dict) -> dict:
        if len(payload) != size or hashlib.sha256(payload).hexdigest() != digest:
            return {"type": "corrupt", "id": message_id}
        fields = first["fields"]
        return {
            "type": "message", "id": message_id, "payload": payload,
            "filename": fields.get("barge.filename"), "content_type": fields.get("barge.content-type"),
            "headers": first["application"],
        }

    def incomplete(self) -> list[str]:
        return sorted(message_id for _, message_id in self.pending)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--store-root", action="append", default=[], help="a file-system store's directory")
    parser.add_argument("--keys", default="", help="encryption keys, id:BASE64[,id:BASE64...]")
    args = parser.parse_args()
    import base64  # noqa: PLC0415
    from confluent_kafka import Consumer

    os.makedirs(args.to, exist_ok=True)
    consumer = Consumer({"bootstrap.servers": args.bootstrap_servers, "group.id": args.group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([args.topic])
    keys = {entry.split(":", 1)[0].strip(): base64.b64decode(entry.split(":", 1)[1].strip())
            for entry in args.keys.split(",") if ":" in entry}
    reassembler, delivered = Reassembler(args.store_root, keys), 0
    try:
        while args.count is None or delivered < args.count:
            record = consumer.poll(1.0)
            if record is None or record.error():
                continue
            for event in reassembler.add(record.partition(), record.headers() or [], record.value()):
                if event["type"] == "message":
                    name = os.path.basename(event["filename"] or event["id"])
                    with open(os.path.join(args.to, name), "wb") as out:
                        out.write(event["payload"])
                    delivered += 1
                    event = {"type": "message", "id": event["id"], "file": name, "size": len(event["payload"])}
                elif event["type"] == "plain":
                    event = {"type": "plain", "offset": record.offset()}
                print(json.dumps(event), flush=True)
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
