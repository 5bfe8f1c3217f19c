"""Reads an account's effective tag policy with Debian's boto3 and prints what it saw as JSON."""
import json
import os

import boto3

org = boto3.client("organizations", endpoint_url=os.environ["GATEHOUSE_ENDPOINT"], region_name="us-east-1")
seen = {}
out = org.describe_effective_policy(PolicyType="TAG_POLICY", TargetId=os.environ["TARGET_ACCOUNT"])["EffectivePolicy"]
seen["content"] = json.loads(out["PolicyContent"])
seen["target"] = out["TargetId"]
seen["timestamp_type"] = type(out["LastUpdatedTimestamp"]).__name__
try:
    org.describe_effective_policy(PolicyType="BACKUP_POLICY", TargetId=os.environ["TARGET_ACCOUNT"])
except org.exceptions.EffectivePolicyNotFoundException as error:
    seen["not_found"] = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(seen))
