"""Drives Gatehouse's role templates with boto3 (given the repository's IAM model through AWS_DATA_PATH, since Debian's
botocore predates AcquireRole) and prints what it saw as JSON."""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

iam = boto3.client("iam", endpoint_url=os.environ["GATEHOUSE_ENDPOINT"], region_name="us-east-1")
template = os.environ["TEMPLATE_ARN"]
seen = {}


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as error:
        return {
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


version = iam.get_role_template_version(TemplateArn=template)["RoleTemplateVersion"]
seen["version"] = {k: version[k] for k in ("TemplateName", "MajorVersion", "MinorVersion", "RoleNamePattern", "ParametersDefinition")}
seen["create_timestamp_type"] = type(version["CreateTimestamp"]).__name__

role = iam.acquire_role(TemplateArn=template, ReplacementValues={"Team": {"Values": ["py"]}})["Role"]
seen["acquired"] = {k: role[k] for k in ("RoleName", "Path", "SourceRoleTemplate")}
seen["trust_policy_type"] = type(role["AssumeRolePolicyDocument"]).__name__
seen["again_same_id"] = iam.acquire_role(TemplateArn=template, ReplacementValues={"Team": {"Values": ["py"]}})["Role"]["RoleId"] == role["RoleId"]
seen["get_role_source"] = iam.get_role(RoleName="App-py")["Role"]["SourceRoleTemplate"]
seen["conflict"] = error_of(iam.acquire_role, TemplateArn=template, ReplacementValues={"Team": {"Values": ["py"]}, "Tier": {"Values": ["bronze"]}})
seen["unknown_parameter"] = error_of(iam.acquire_role, TemplateArn=template, ReplacementValues={"constructor": {"Values": ["x"]}, "Team": {"Values": ["q"]}})
seen["no_such_template"] = error_of(iam.get_role_template_version, TemplateArn=template.replace("AppRoleTemplate", "Nothing"))

json.dump(seen, sys.stdout, default=str)
