#!/usr/bin/env python3
"""Signs requests with botocore, as a second SigV4 signer to compare Barge's against.

Usage: Tools/sigv4_botocore.py < cases.json > results.json

Reads a JSON array of cases from stdin, each

    {"service": "s3", "region": "us-east-1",
     "access_key": "...", "secret_key": "...", "token": "..." (optional),
     "epoch_seconds": 1440938160,
     "method": "GET", "host": "s3.example.com", "path": "/bucket/my%20key",
     "query": [["name", "value"], ...],        # not encoded
     "headers": [["Name", "value"], ...],      # include Host; repeats allowed
     "body": "text", "unsigned_payload": false,
     "presign_expires": 3600 (optional)}

and writes a JSON array with, per case, {"authorization": ..., "presigned_signature": ...}:
the Authorization header from S3SigV4Auth (service "s3") or SigV4Auth (any other service),
and, when presign_expires is set, the X-Amz-Signature from S3SigV4QueryAuth or
SigV4QueryAuth, for the request without its body (S3 presigns UNSIGNED-PAYLOAD, other
services the empty body's hash). botocore hashes the body itself unless unsigned_payload is set.
The signing time is epoch_seconds (botocore's clock is replaced; botocore formats it).
"""

import datetime
import json
import sys
from urllib.parse import parse_qs, urlsplit

import botocore.auth
from botocore.auth import (
    UNSIGNED_PAYLOAD,
    S3SigV4Auth,
    S3SigV4QueryAuth,
    SigV4Auth,
    SigV4QueryAuth,
)
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class FixedPayloadMixin:
    """Returns UNSIGNED-PAYLOAD when the case asks for it, else botocore's own hash."""

    def payload(self, request):
        if request.context.get("unsigned_payload"):
            return UNSIGNED_PAYLOAD
        return super().payload(request)


class HeaderS3(FixedPayloadMixin, S3SigV4Auth):
    pass


class HeaderGeneric(FixedPayloadMixin, SigV4Auth):
    pass


def make_request(case, with_body):
    request = AWSRequest(
        method=case["method"],
        url="http://" + case["host"] + case["path"],
        data=case["body"].encode("utf-8") if with_body else b"",
        params=[tuple(item) for item in case["query"]],
    )
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends, so repeats are kept
    request.context["unsigned_payload"] = case["unsigned_payload"]
    return request


def sign(case):
    timestamp = datetime.datetime.fromtimestamp(case["epoch_seconds"], tz=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda: timestamp
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    is_s3 = case["service"] == "s3"

    header_auth = (HeaderS3 if is_s3 else HeaderGeneric)(credentials, case["service"], case["region"])
    request = make_request(case, with_body=True)
    header_auth.add_auth(request)
    result = {"authorization": request.headers["Authorization"], "presigned_signature": None}

    if case.get("presign_expires") is not None:
        query_auth_class = S3SigV4QueryAuth if is_s3 else SigV4QueryAuth
        query_auth = query_auth_class(credentials, case["service"], case["region"], expires=case["presign_expires"])
        request = make_request(case, with_body=False)  # botocore would move a body into the query
        query_auth.add_auth(request)
        query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
        result["presigned_signature"] = query["X-Amz-Signature"][0]
    return result


def main():
    cases = json.load(sys.stdin)
    json.dump([sign(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
