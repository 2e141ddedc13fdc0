"""The `seaweedfs` fixture with boto3: what later claim-check tests rely on
(SigV4 with the fixture's identity, put/get/list, multipart upload, ranged
GET). Needs no barge build."""

from __future__ import annotations

import hashlib
import os

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

pytestmark = pytest.mark.timeout(120)

MIB = 1 << 20


def test_put_get_list(seaweedfs):
    s3 = seaweedfs.client()
    bucket = seaweedfs.create_bucket()
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    for name in ("claims/a", "claims/b", "other/c"):
        s3.put_object(Bucket=bucket, Key=name, Body=name.encode(), Metadata={"barge-sha256": "00"})
    got = s3.get_object(Bucket=bucket, Key="claims/b")
    assert got["Body"].read() == b"claims/b"
    assert got["Metadata"] == {"barge-sha256": "00"}
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="claims/")
    assert [o["Key"] for o in listed["Contents"]] == ["claims/a", "claims/b"]
    s3.delete_object(Bucket=bucket, Key="claims/a")
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="claims/a")
    assert missing.value.response["Error"]["Code"] in ("404", "NoSuchKey")


def test_signature_is_checked(seaweedfs):
    import boto3

    wrong = boto3.client("s3", endpoint_url=seaweedfs.endpoint, region_name=seaweedfs.region,
                         aws_access_key_id=seaweedfs.access_key, aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as denied:
        wrong.list_buckets()
    assert denied.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_multipart_upload_and_ranged_get(seaweedfs, tmp_path):
    s3 = seaweedfs.client()
    bucket = seaweedfs.create_bucket()
    payload = os.urandom(12 * MIB)
    source = tmp_path / "payload.bin"
    source.write_bytes(payload)

    # boto3's managed transfer: 12 MiB in three 5 MiB-or-less parts.
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_file(str(source), bucket, "claims/managed", Config=config)
    head = s3.head_object(Bucket=bucket, Key="claims/managed")
    assert head["ContentLength"] == len(payload)
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object's ETag
    target = tmp_path / "downloaded.bin"
    s3.download_file(bucket, "claims/managed", str(target), Config=config)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(payload).digest()

    # The low-level calls Barge's S3 store makes: parts of 8 MiB and 4 MiB.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="claims/parts")["UploadId"]
    parts = []
    for number, (start, end) in enumerate([(0, 8 * MIB), (8 * MIB, 12 * MIB)], start=1):
        etag = s3.upload_part(Bucket=bucket, Key="claims/parts", UploadId=upload, PartNumber=number,
                              Body=payload[start:end])["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key="claims/parts", UploadId=upload,
                                 MultipartUpload={"Parts": parts})

    for start, end in [(0, 0), (5 * MIB - 3, 5 * MIB + 2), (8 * MIB - 1, 8 * MIB), (12 * MIB - 10, 12 * MIB - 1)]:
        got = s3.get_object(Bucket=bucket, Key="claims/parts", Range=f"bytes={start}-{end}")
        assert got["ContentRange"] == f"bytes {start}-{end}/{len(payload)}"
        assert got["Body"].read() == payload[start:end + 1]
    whole = s3.get_object(Bucket=bucket, Key="claims/parts")["Body"].read()
    assert whole == payload


def test_aborted_upload_leaves_no_object(seaweedfs):
    s3 = seaweedfs.client()
    bucket = seaweedfs.create_bucket()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="claims/aborted")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="claims/aborted", UploadId=upload, PartNumber=1, Body=b"x" * MIB)
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == [upload]
    s3.abort_multipart_upload(Bucket=bucket, Key="claims/aborted", UploadId=upload)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
