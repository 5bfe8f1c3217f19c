"""Puts, reads and deletes the organization's delegation policy with boto3, and prints what it saw as JSON."""
import json
import os

import boto3

org = boto3.client("organizations", endpoint_url=os.environ["GATEHOUSE_ENDPOINT"], region_name="us-east-1")
member = os.environ["MEMBER_ACCOUNT"]
seen = {}
content = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{member}:root"}, "Action": "organizations:DescribeOrganization", "Resource": "*"}],
})
put = org.put_resource_policy(Content=content, Tags=[{"Key": "owner", "Value": "platform"}])["ResourcePolicy"]
seen["same_content"] = org.describe_resource_policy()["ResourcePolicy"]["Content"] == content
seen["same_id"] = org.describe_resource_policy()["ResourcePolicy"]["ResourcePolicySummary"]["Id"] == put["ResourcePolicySummary"]["Id"]
try:
    org.put_resource_policy(Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "organizations:ListRoots", "Resource": "*"}]}))
except org.exceptions.InvalidInputException as error:
    seen["wildcard"] = error.response.get("Reason")
org.delete_resource_policy()
try:
    org.describe_resource_policy()
except org.exceptions.ResourcePolicyNotFoundException as error:
    seen["deleted"] = error.response["ResponseMetadata"]["HTTPStatusCode"]
print(json.dumps(seen))
