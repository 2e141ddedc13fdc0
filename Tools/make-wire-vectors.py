#!/usr/bin/env python3
"""Writes Tests/WireFormat/vectors.json: records of Barge's wire format
(docs/wire-format.md) with what a reader must make of them. Compressed values
are produced once with the Python codecs and committed; readers are tested
against the committed file, not against a fresh run of this script.

Each case: records (headers as [name, hex or null], value as hex or null),
`envelope_errors` (record index -> {kind, header}: what decoding that
record's headers must report), `value_errors` (record index -> {kind,
header}: what decompressing that record's value must report), and `expect`:
the events a reader produces, in order (message with its payload, plain,
aborted, corrupt, error), plus the ids left `incomplete`.
"""

import gzip
import hashlib
import io
import json
import os

import cramjam
import lz4.frame
import zstandard

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "Tests", "WireFormat", "vectors.json")

COMPRESS = {
    "none": lambda data: data,
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "lz4": lambda data: lz4.frame.compress(data),
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
    "snappy": lambda data: bytes(cramjam.snappy.compress_raw(data)),
}


def gzip_with_header_fields(data: bytes) -> bytes:
    """gzip with FNAME and MTIME set and the strongest level: valid, unlike Barge's own."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="chunk.bin", mode="wb", fileobj=out, compresslevel=9, mtime=1700000000) as member:
        member.write(data)
    return out.getvalue()


# Other valid encodings of each format, which readers must accept as well:
# gzip header fields, LZ4 frames with 4 MiB independent blocks, checksums and
# no content size, Zstandard frames with a checksum and no content size.
VARIANT = {
    "gzip": gzip_with_header_fields,
    "lz4": lambda data: lz4.frame.compress(
        data, compression_level=9, block_size=lz4.frame.BLOCKSIZE_MAX4MB, block_linked=False,
        content_checksum=True, block_checksum=True, store_size=False),
    "zstd": lambda data: zstandard.ZstdCompressor(level=19, write_checksum=True, write_content_size=False).compress(data),
    "snappy": COMPRESS["snappy"],
}


def message_id(n: int) -> str:
    return f"{n:032x}"


def payload(n: int, size: int) -> bytes:
    """Deterministic, partly compressible bytes."""
    text = "".join(f"row {i},{(i * 7919 + n) % 1000},camera-{n}\n" for i in range(size // 16 + 1))
    return text.encode()[:size]


def record(headers, value):
    return {
        "headers": [[name, None if data is None else data.hex()] for name, data in headers],
        "value": None if value is None else value.hex(),
    }


def h(name, text):
    return (name, None if text is None else str(text).encode())


def inline(mid, data, codec="none", extra=(), compress=None):
    headers = [h("barge.v", 1), h("barge.kind", "inline"), h("barge.id", mid), h("barge.size", len(data)),
               h("barge.sha256", hashlib.sha256(data).hexdigest()), h("barge.codec", codec), *extra]
    return record(headers, (compress or COMPRESS[codec])(data))


def chunks(mid, data, chunk_size, codec="none", streamed=False, first_extra=(), compress=None):
    """The chunk records of one message, in index order."""
    pieces = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    out = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        headers = [h("barge.v", 1), h("barge.kind", "chunk"), h("barge.id", mid), h("barge.index", index)]
        if last or not streamed:
            headers.append(h("barge.count", len(pieces)))
        if last:
            headers.append(h("barge.last", 1))
        if last or not streamed:
            headers.append(h("barge.size", len(data)))
        if last:
            headers.append(h("barge.sha256", hashlib.sha256(data).hexdigest()))
        headers.append(h("barge.codec", codec))
        if index == 0:
            headers += [h("barge.chunk-size", chunk_size), *first_extra]
        out.append(record(headers, (compress or COMPRESS[codec])(piece)))
    return out


def message(mid, data, filename=None, content_type=None, headers=()):
    return {"type": "message", "id": mid, "payload": data.hex(), "filename": filename,
            "content_type": content_type, "headers": [[n, None if v is None else v.hex()] for n, v in headers]}


def main():
    cases = []
    small = payload(1, 5)
    cases.append({"name": "inline, uncompressed", "records": [inline(message_id(1), small)],
                  "expect": [message(message_id(1), small)]})

    csv = payload(2, 4000)
    app = [("source", b"export-7"), ("trace", None)]
    cases.append({"name": "inline gzip with file name, content type and application headers",
                  "records": [inline(message_id(2), csv, "gzip", [h("barge.content-type", "text/csv"), h("barge.filename", "export.csv"), *app])],
                  "expect": [message(message_id(2), csv, "export.csv", "text/csv", app)]})

    cases.append({"name": "empty payload, inline", "records": [inline(message_id(3), b"")],
                  "expect": [message(message_id(3), b"")]})

    video = payload(4, 2500)
    cases.append({"name": "three chunks, length known up front",
                  "records": chunks(message_id(4), video, 1000, first_extra=[h("barge.content-type", "video/mp4"), h("barge.filename", "clip.mp4")]),
                  "expect": [message(message_id(4), video, "clip.mp4", "video/mp4")]})

    stream = payload(5, 3000)
    cases.append({"name": "streamed: count and size only on the last chunk, zstd",
                  "records": chunks(message_id(5), stream, 1024, "zstd", streamed=True),
                  "expect": [message(message_id(5), stream)]})

    a, b = payload(6, 1500), payload(7, 1200)
    ra, rb = chunks(message_id(6), a, 500, "lz4"), chunks(message_id(7), b, 500, "snappy")
    interleaved = [ra[0], rb[0], ra[1], ra[1], rb[1], ra[2], rb[2]]
    cases.append({"name": "two messages interleaved in one partition, lz4 and snappy, a retried chunk",
                  "records": interleaved,
                  "expect": [message(message_id(6), a), message(message_id(7), b)]})

    plain = record([("content-type", b"text/plain")], b"not a barge record")
    cases.append({"name": "plain records pass through", "records": [plain],
                  "expect": [{"type": "plain", "value": b"not a barge record".hex()}]})

    c = payload(8, 1500)
    rc = chunks(message_id(8), c, 500)
    abort = record([h("barge.v", 1), h("barge.kind", "abort"), h("barge.id", message_id(8)), h("barge.error", "disk full")], b"")
    cases.append({"name": "a producer aborts after two chunks", "records": [rc[0], rc[1], abort],
                  "expect": [{"type": "aborted", "id": message_id(8)}]})

    d = payload(9, 1500)
    rd = chunks(message_id(9), d, 500)
    rd[1]["value"] = (b"X" + bytes.fromhex(rd[1]["value"])[1:]).hex()
    cases.append({"name": "a corrupted chunk fails the digest", "records": rd,
                  "expect": [{"type": "corrupt", "id": message_id(9)}]})

    e = payload(10, 1500)
    re_ = chunks(message_id(10), e, 500)
    cases.append({"name": "a missing chunk leaves the message incomplete", "records": [re_[0], re_[2]],
                  "expect": [], "incomplete": [message_id(10)]})

    f = payload(11, 1500)
    rf = chunks(message_id(11), f, 500)
    cases.append({"name": "a reader that starts after the first chunk never completes the message", "records": rf[1:],
                  "expect": [], "incomplete": [message_id(11)]})

    def lie(changes, drop=()):
        rec = chunks(message_id(12), payload(12, 1500), 500)[0]
        headers = [[n, v] for n, v in rec["headers"] if n not in drop]
        for name, text in changes.items():
            for entry in headers:
                if entry[0] == name:
                    entry[1] = text.encode().hex()
                    break
            else:
                headers.append([name, text.encode().hex()])
        return {"headers": headers, "value": rec["value"]}

    lies = [
        ({"barge.v": "2"}, (), "unsupportedVersion", "barge.v"),
        ({"barge.kind": "fragment"}, (), "malformedValue", "barge.kind"),
        ({"barge.id": "not-an-id"}, (), "malformedValue", "barge.id"),
        ({"barge.index": "-1"}, (), "malformedValue", "barge.index"),
        ({"barge.index": "3"}, (), "inconsistent", "barge.index"),
        ({"barge.count": "99999999999"}, (), "outOfRange", "barge.count"),
        ({"barge.size": "2251799813685249"}, (), "outOfRange", "barge.size"),
        ({"barge.chunk-size": "0"}, (), "outOfRange", "barge.chunk-size"),
        ({}, ("barge.chunk-size",), "missingHeader", "barge.chunk-size"),
        ({"barge.codec": "brotli"}, (), "malformedValue", "barge.codec"),
        ({"barge.last": "1"}, (), "inconsistent", "barge.last"),
    ]
    records, errors = [], {}
    for index, (changes, drop, kind, header) in enumerate(lies):
        records.append(lie(changes, drop))
        errors[str(index)] = {"kind": kind, "header": header}
    cases.append({"name": "headers that lie are rejected", "records": records, "envelope_errors": errors,
                  "expect": [{"type": "error", "kind": e["kind"], "header": e["header"]} for e in errors.values()]})

    for n, codec in enumerate(["gzip", "lz4", "zstd", "snappy"]):
        small, large = payload(13 + n, 700), payload(17 + n, 6000)
        cases.append({"name": f"{codec}: an inline message, and two chunks in another valid {codec} encoding",
                      "records": [inline(message_id(13 + n), small, codec),
                                  *chunks(message_id(17 + n), large, 4096, codec, compress=VARIANT[codec])],
                      "expect": [message(message_id(13 + n), small), message(message_id(17 + n), large)]})

    def spoiled(rec, value):
        return {**rec, "value": value.hex()}

    broken = [
        spoiled(inline(message_id(21), payload(21, 900), "gzip"), COMPRESS["gzip"](payload(21, 900))[:-6]),
        spoiled(inline(message_id(22), payload(22, 900), "lz4"), b"\x04\x22\x4d\x18" + bytes(range(60))),
        spoiled(inline(message_id(23), payload(23, 900), "zstd"), COMPRESS["zstd"](payload(23, 900))[:-5]),
        spoiled(inline(message_id(24), payload(24, 900), "snappy"), COMPRESS["snappy"](payload(24, 900))[:-4]),
        spoiled(inline(message_id(25), payload(25, 900), "gzip"), COMPRESS["gzip"](payload(25, 900)) * 2),
    ]
    rg = chunks(message_id(26), payload(26, 1500), 1000, "gzip")
    rg[1] = spoiled(rg[1], bytes.fromhex(rg[1]["value"])[:10])
    records = broken + rg
    value_errors = {str(i): {"kind": "malformedValue", "header": "barge.codec"} for i in [0, 1, 2, 3, 4, 6]}
    cases.append({"name": "values that do not decompress are rejected: truncated, garbage, two gzip members, a truncated chunk",
                  "records": records, "value_errors": value_errors,
                  "expect": [{"type": "error", "kind": "malformedValue", "header": "barge.codec"}] * 6,
                  "incomplete": [message_id(26)]})

    with open(OUTPUT, "w") as out:
        json.dump({"format": "barge wire format v1 test vectors", "cases": cases}, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
