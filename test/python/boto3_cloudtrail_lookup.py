"""Creates a user with Debian's boto3, then reads its CreateUser and CreateLoginProfile events back through CloudTrail
LookupEvents (boto3's own paginator included) and prints what it saw as JSON."""
import json
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
cloudtrail = boto3.client("cloudtrail", endpoint_url=endpoint, region_name="us-east-1")
password = os.environ["LOOKUP_PASSWORD"]

iam.create_user(UserName="py-user")
iam.create_login_profile(UserName="py-user", Password=password)

seen = {}
found = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "py-user"}])
seen["byResource"] = [
    {
        "EventName": e["EventName"],
        "ReadOnly": e["ReadOnly"],
        "Username": e.get("Username"),
        "Resources": e["Resources"],
        "EventTime": e["EventTime"].isoformat(),
        "record": json.loads(e["CloudTrailEvent"]),
    }
    for e in found["Events"]
]
pages = cloudtrail.get_paginator("lookup_events").paginate(
    LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}],
    PaginationConfig={"PageSize": 1},
)
seen["paged"] = [[e["EventId"] for e in page["Events"]] for page in pages]
seen["unpaged"] = [
    e["EventId"]
    for e in cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}])["Events"]
]
try:
    cloudtrail.lookup_events(
        LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "CreateUser"},
            {"AttributeKey": "Username", "AttributeValue": "root"},
        ]
    )
    seen["twoAttributes"] = None
except ClientError as error:
    seen["twoAttributes"] = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(seen))
