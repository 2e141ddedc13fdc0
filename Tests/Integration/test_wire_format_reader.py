"""The Python reader (Tools/barge_reader.py), written from docs/wire-format.md
alone, reassembles the committed test vectors as they say."""

import json
import os
import sys

import pytest

from conftest import REPO

sys.path.insert(0, os.path.join(REPO, "Tools"))
import barge_reader  # noqa: E402

with open(os.path.join(REPO, "Tests", "WireFormat", "vectors.json")) as handle:
    CASES = json.load(handle)["cases"]


def headers_of(record):
    return [(name, None if value is None else bytes.fromhex(value)) for name, value in record["headers"]]


def comparable(event):
    """An event in the vectors' JSON form."""
    if event["type"] == "message":
        return {**event, "payload": event["payload"].hex(),
                "headers": [[n, None if v is None else v.hex()] for n, v in event["headers"]]}
    if event["type"] == "plain":
        return {"type": "plain", "value": event["value"].hex()}
    return event


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_reader_reassembles_the_vectors(case):
    reassembler = barge_reader.Reassembler()
    events = []
    for record in case["records"]:
        value = None if record["value"] is None else bytes.fromhex(record["value"])
        events += [comparable(event) for event in reassembler.add(0, headers_of(record), value)]
    assert events == case["expect"]
    assert reassembler.incomplete() == case.get("incomplete", [])


@pytest.mark.parametrize("case", [c for c in CASES if "envelope_errors" in c], ids=lambda c: c["name"])
def test_reader_reports_lying_headers(case):
    for index, expected in case["envelope_errors"].items():
        with pytest.raises(barge_reader.WireError) as raised:
            barge_reader.envelope(headers_of(case["records"][int(index)]))
        assert (raised.value.kind, raised.value.header) == (expected["kind"], expected["header"])
