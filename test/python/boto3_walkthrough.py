"""Drives Gatehouse with Debian's boto3, as a Python user would, and prints what it saw as JSON."""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
seen = {}

created = iam.create_user(UserName="pyuser", Path="/py/", Tags=[{"Key": "lang", "Value": "python"}])
seen["arn"] = created["User"]["Arn"]
seen["create_date_type"] = type(created["User"]["CreateDate"]).__name__
for i in range(3):
    iam.create_user(UserName=f"page{i}", Path="/pages/")
paginator = iam.get_paginator("list_users")
seen["paged"] = [u["UserName"] for page in paginator.paginate(PathPrefix="/pages/", PaginationConfig={"PageSize": 2}) for u in page["Users"]]

try:
    iam.get_user(UserName="nobody")
except ClientError as error:
    seen["missing"] = {
        "code": error.response["Error"]["Code"],
        "message": error.response["Error"]["Message"],
        "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
    }

key = iam.create_access_key(UserName="pyuser")["AccessKey"]
as_user = boto3.client(
    "iam",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id=key["AccessKeyId"],
    aws_secret_access_key=key["SecretAccessKey"],
)
try:
    as_user.list_users()
except ClientError as error:
    seen["denied"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}

iam.put_user_policy(
    UserName="pyuser",
    PolicyName="list",
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}),
)
seen["allowed"] = sorted(u["UserName"] for u in as_user.list_users()["Users"])
document = iam.get_user_policy(UserName="pyuser", PolicyName="list")["PolicyDocument"]
seen["document_type"] = type(document).__name__

json.dump(seen, sys.stdout)
