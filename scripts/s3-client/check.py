"""Drives one comwit-local storage bucket through boto3 and prints what it saw, as one JSON
object on stdout, for tests/acceptance/storage to check.

Environment: S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (the
comwit-local credentials), PUBLIC_BASE_URL (may be empty), S3_KEY (the object's key). Every
refusal the server gives is reported, not raised; the exit code is non-zero only when the
client itself cannot run.
"""

import json
import os
import sys
import urllib.error
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        print(f"check.py: {name} is not set", file=sys.stderr)
        sys.exit(2)
    return value


endpoint, region, bucket = env("S3_ENDPOINT"), env("S3_REGION"), env("S3_BUCKET")
key = env("S3_KEY", "hello.txt")
public_base_url = env("PUBLIC_BASE_URL", "")
path_style = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})


def client(signed=True, secret=None):
    if not signed:
        return boto3.client(
            "s3", endpoint_url=endpoint, region_name=region,
            config=path_style.merge(Config(signature_version=UNSIGNED)),
        )
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=region, config=path_style,
        aws_access_key_id=env("S3_ACCESS_KEY_ID"),
        aws_secret_access_key=secret or env("S3_SECRET_ACCESS_KEY"),
    )


def attempt(f):
    """`{"ok": true, ...}` or the S3 error code the server answered."""
    try:
        return {"ok": True, **(f() or {})}
    except ClientError as e:
        return {"ok": False, "code": e.response.get("Error", {}).get("Code"),
                "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")}


body = b"hello from boto3\n"
signed = client()
seen = {
    "put": attempt(lambda: {"etag": signed.put_object(
        Bucket=bucket, Key=key, Body=body, ContentType="text/plain")["ETag"]}),
    "get": attempt(lambda: {"body": signed.get_object(
        Bucket=bucket, Key=key)["Body"].read().decode()}),
    "list": attempt(lambda: {"keys": [o["Key"] for o in signed.list_objects_v2(
        Bucket=bucket).get("Contents", [])]}),
    "wrong_secret_get": attempt(lambda: {"body": client(secret="not-the-secret").get_object(
        Bucket=bucket, Key=key)["Body"].read().decode()}),
    "anonymous_get": attempt(lambda: {"body": client(signed=False).get_object(
        Bucket=bucket, Key=key)["Body"].read().decode()}),
    "anonymous_put": attempt(lambda: {"etag": client(signed=False).put_object(
        Bucket=bucket, Key="anonymous.txt", Body=b"x")["ETag"]}),
}
if public_base_url:
    try:
        with urllib.request.urlopen(f"{public_base_url.rstrip('/')}/{key}", timeout=10) as r:
            seen["public_url_get"] = {"ok": True, "status": r.status, "body": r.read().decode()}
    except urllib.error.HTTPError as e:
        seen["public_url_get"] = {"ok": False, "status": e.code}
print(json.dumps(seen))
