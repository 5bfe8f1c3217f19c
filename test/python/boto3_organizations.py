"""Drives Gatehouse's Organizations API with Debian's boto3 (awsJson1_1) and prints what it saw as JSON."""
import json
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
seen = {}

seen["organization"] = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
root = org.list_roots()["Roots"][0]["Id"]
org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
ou = org.create_organizational_unit(ParentId=root, Name="py")["OrganizationalUnit"]
status = org.create_account(Email="py@example.com", AccountName="python")["CreateAccountStatus"]
seen["state"] = status["State"]
seen["requested_type"] = type(status["RequestedTimestamp"]).__name__
org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=ou["Id"])
paginator = org.get_paginator("list_accounts")
seen["accounts"] = sorted(a["Name"] for page in paginator.paginate(PaginationConfig={"PageSize": 1}) for a in page["Accounts"])
policy = org.create_policy(
    Name="deny-s3",
    Description="",
    Type="SERVICE_CONTROL_POLICY",
    Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
)["Policy"]["PolicySummary"]
org.attach_policy(PolicyId=policy["Id"], TargetId=ou["Id"])
seen["targets"] = sorted(t["Type"] for t in org.list_targets_for_policy(PolicyId=policy["Id"])["Targets"])

try:
    org.create_organizational_unit(ParentId=root, Name="py")
except org.exceptions.DuplicateOrganizationalUnitException as error:
    seen["duplicate"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}

try:
    org.list_children(ParentId="not-a-parent", ChildType="ACCOUNT")
except ClientError as error:
    seen["invalid"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"], "reason": error.response.get("Reason")}

print(json.dumps(seen))
