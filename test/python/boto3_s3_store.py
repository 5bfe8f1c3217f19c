"""Drives the example S3 store (examples/s3-store) with Debian's boto3 and prints what came back as JSON.

S3_STORE_ENDPOINT is the store, S3_BUCKET the bucket; MODE "owner" writes, lists and uploads in parts, MODE "reader"
reads S3_KEY and tries to write next to it. The caller's keys come in the usual AWS_* variables.
"""
import hashlib
import io
import json
import os

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["S3_STORE_ENDPOINT"], region_name="us-east-1")
bucket = os.environ["S3_BUCKET"]


def error_of(call):
    try:
        call()
        return None
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}


seen = {}
if os.environ["MODE"] == "owner":
    put = s3.put_object(Bucket=bucket, Key="boto3/hello.txt", Body=b"hello from boto3")
    seen["put_etag"] = put["ETag"]
    seen["put_checksum"] = put.get("ChecksumCRC32")
    seen["get"] = s3.get_object(Bucket=bucket, Key="boto3/hello.txt")["Body"].read().decode()
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="boto3/")
    seen["listed"] = [item["Key"] for item in listed.get("Contents", [])]
    data = os.urandom(11 * 1024 * 1024)
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(data), bucket, "boto3/big.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="boto3/big.bin")
    seen["big_size"] = head["ContentLength"]
    seen["big_etag"] = head["ETag"]
    out = io.BytesIO()
    s3.download_fileobj(bucket, "boto3/big.bin", out, Config=config)
    seen["big_round_trip"] = hashlib.sha256(out.getvalue()).hexdigest() == hashlib.sha256(data).hexdigest()
    seen["ranged"] = s3.get_object(Bucket=bucket, Key="boto3/hello.txt", Range="bytes=6-9")["Body"].read().decode()
    seen["policy_status"] = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"]
    s3.delete_object(Bucket=bucket, Key="boto3/big.bin")
    seen["missing_after_delete"] = error_of(lambda: s3.head_object(Bucket=bucket, Key="boto3/big.bin"))
else:
    key = os.environ["S3_KEY"]
    try:
        seen["get"] = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    except ClientError as error:
        seen["get_error"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
    seen["put_error"] = error_of(lambda: s3.put_object(Bucket=bucket, Key=key + ".copy", Body=b"x"))
print(json.dumps(seen))
