"""Centralized root access with Debian's boto3 and the repository's IAM and STS models: trusted access for IAM, root
sessions enabled, AssumeRoot into a member account for an audit task, and what the session may and may not do."""
import json
import os

import boto3
from botocore.exceptions import ClientError, ParamValidationError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
member = os.environ["MEMBER_ACCOUNT"]
audit = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
seen = {}

org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
# The root user may enable the features; AssumeRoot takes another principal of the management account.
org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
seen["features"] = iam.enable_organizations_root_sessions()["EnabledFeatures"]
iam.create_user(UserName="operator")
iam.put_user_policy(UserName="operator", PolicyName="root-tasks", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*"}]}))
key = iam.create_access_key(UserName="operator")["AccessKey"]
operator = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
creds = operator.assume_root(TargetPrincipal=member, TaskPolicyArn={"arn": audit}, DurationSeconds=900)["Credentials"]
session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]}
seen["caller"] = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", **session).get_caller_identity()["Arn"]
root_iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", **session)
seen["root_keys"] = root_iam.list_access_keys()["AccessKeyMetadata"]
try:
    root_iam.create_user(UserName="backdoor")
except ClientError as error:
    seen["create_user"] = error.response["Error"]["Code"]
try:
    operator.assume_root(TargetPrincipal=member, TaskPolicyArn={"arn": audit}, DurationSeconds=3600)
except ParamValidationError:
    seen["too_long"] = "ParamValidationError"
except ClientError as error:
    seen["too_long"] = error.response["Error"]["Code"]
print(json.dumps(seen))
