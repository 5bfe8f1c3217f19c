"""A cross-account role chain A -> B -> C with an ExternalId at each hop, driven by Debian's boto3."""
import json
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
hop = os.environ["HOP_ROLE_ARN"]
target = os.environ["TARGET_ROLE_ARN"]
seen = {}


def client(service, creds=None):
    extra = {}
    if creds is not None:
        extra = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]}
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **extra)


def refusal(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
    return None


sts_a = client("sts")
seen["a"] = sts_a.get_caller_identity()["Arn"]
seen["a_wrong_external_id"] = refusal(lambda: sts_a.assume_role(RoleArn=hop, RoleSessionName="py-b", ExternalId="wrong"))
b = sts_a.assume_role(RoleArn=hop, RoleSessionName="py-b", ExternalId="ext-b")["Credentials"]
sts_b = client("sts", b)
seen["b"] = sts_b.get_caller_identity()["Arn"]
seen["b_without_external_id"] = refusal(lambda: sts_b.assume_role(RoleArn=target, RoleSessionName="py-c"))
c = sts_b.assume_role(RoleArn=target, RoleSessionName="py-c", ExternalId="ext-c")["Credentials"]
seen["c"] = client("sts", c).get_caller_identity()["Arn"]
seen["c_roles"] = sorted(r["RoleName"] for r in client("iam", c).list_roles()["Roles"])
print(json.dumps(seen))
