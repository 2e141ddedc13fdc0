"""`barge receive --interop`: records written the way bakdata's serde and
LinkedIn's clients write them (by this file, from docs/interop.md alone), the
bakdata object in SeaweedFS (S3), compressed and zero-padded as bakdata
uploads it; the payloads land verified, and an Azure reference is reported
and passed."""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import struct
import subprocess
import uuid

from barge_cli import payload_files, receive_command, sha256_of
from kafka_helpers import Msg, produce


def linkedin_segments(payload: bytes, segment_size: int) -> list[Msg]:
    """LinkedIn's envelope before each slice, and an `_lm` header of type 1."""
    message = uuid.uuid4()
    msb, lsb = message.int >> 64, message.int & (2**64 - 1)
    checksum = (msb + lsb) & 0xFFFFFFFF
    count = (len(payload) + segment_size - 1) // segment_size
    records = []
    for seq in range(count):
        piece = payload[seq * segment_size:(seq + 1) * segment_size]
        envelope = bytes([0]) + struct.pack(">IQQiii", checksum, msb, lsb, seq, count, len(payload))
        header = bytes([1]) + struct.pack(">QQiii", lsb, msb, seq, count, len(payload))
        records.append(Msg(key=message.bytes, value=envelope + piece, headers=[("_lm", header), ("app", b"li")]))
    return records


def test_receive_reads_bakdata_and_linkedin_records(broker, seaweedfs, tmp_path):
    bucket = seaweedfs.create_bucket()
    rng = random.Random(7)
    linkedin_payload = rng.randbytes(2_500_000)
    backed_payload = b"".join(b"row %07d,camera,label,score\n" % i for i in range(100_000))
    inline_payload = b"a small bakdata value"
    # bakdata uploads the whole buffer it compressed into: the stream, then zeros up to the payload's size.
    blob = gzip.compress(backed_payload)
    blob += bytes(len(backed_payload) - len(blob))
    key = "base/legacy/values/" + str(uuid.uuid4())
    seaweedfs.client().put_object(Bucket=bucket, Key=key, Body=blob)

    records = [Msg(key=None, value=b"\x01abs://container/base/legacy/values/x")]
    records += linkedin_segments(linkedin_payload, 800_000)
    records.append(Msg(key=None, value=f"s3://{bucket}/{key}".encode(),
                       headers=[("__large.message.backed.value", b"\x01"), ("__large.message.backed.compression", b"\x01")]))
    records.append(Msg(key=None, value=b"\x00" + inline_payload))
    produce(broker.bootstrap, "legacy", records)

    out = tmp_path / "out"
    command = receive_command(broker, "legacy", "interop", str(out), "--count", "3", "--interop", "bakdata,linkedin",
                              "--store", seaweedfs.store_url(bucket))
    result = subprocess.run(command, capture_output=True, timeout=180, env={**os.environ, **seaweedfs.env()})
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    output = result.stdout.decode() + result.stderr.decode()
    assert "unsupportedStore" in output and "Azure Blob Storage" in output, output
    digests = sorted(sha256_of(str(out / name)) for name in payload_files(str(out)))
    expected = sorted(hashlib.sha256(p).hexdigest() for p in (linkedin_payload, backed_payload, inline_payload))
    assert digests == expected, output
