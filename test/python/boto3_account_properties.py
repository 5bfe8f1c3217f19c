"""Drives Gatehouse's account properties and human-readable summaries with Debian's boto3 and prints what it saw as JSON.

Debian's botocore predates these operations: the test runs this script with AWS_DATA_PATH naming a folder that holds
the repository's IAM model.
"""
import json
import os

import boto3
from botocore.exceptions import ClientError

iam = boto3.client("iam", endpoint_url=os.environ["GATEHOUSE_ENDPOINT"], region_name="us-east-1")
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


seen["initial"] = iam.get_account_properties()["Properties"]
iam.put_account_properties(Properties={"RoleManager/Enabled": "true"})
seen["enabled"] = iam.get_account_properties()["Properties"]
role = iam.get_role(RoleName="AWSServiceRoleForIAMRoleManager")["Role"]
seen["role"] = {"Path": role["Path"], "Arn": role["Arn"]}
seen["attached"] = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="AWSServiceRoleForIAMRoleManager")["AttachedPolicies"]]
seen["bad_value"] = error_of(iam.put_account_properties, Properties={"RoleManager/Enabled": "yes"})
seen["unknown_namespace"] = error_of(iam.put_account_properties, Properties={"Other/Enabled": "true"})
seen["mixed"] = error_of(iam.put_account_properties, Properties={"RoleManager/Enabled": "true", "Other/Enabled": "true"})
# botocore sends nothing for an empty map.
seen["empty"] = error_of(iam.put_account_properties, Properties={})
iam.put_account_properties(Properties={"RoleManager/Enabled": "false"})
seen["disabled"] = iam.get_account_properties()["Properties"]

request_id = iam.create_delegation_request(
    Description="Read the logs bucket",
    Permissions={"PolicyTemplateArn": "arn:aws:iam::aws:policy-template/Monitoring", "Parameters": [{"Name": "bucket", "Values": ["logs"], "Type": "string"}]},
    RequestorWorkflowId="py-workflow",
    NotificationChannel="arn:aws:sns:us-east-1:111122223333:delegation",
    SessionDuration=3600,
)["DelegationRequestId"]
arn = "arn:aws:iam::111122223333:delegation-request/" + request_id
summary = iam.get_human_readable_summary(EntityArn=arn)
seen["summary"] = {"state": summary["SummaryState"], "locale": summary["Locale"], "first_line": summary["SummaryContent"].split("\n")[0], "id": request_id}
other = iam.get_human_readable_summary(EntityArn=arn, Locale="fr-FR")
seen["summary_fr"] = {"state": other["SummaryState"], "locale": other["Locale"], "content": other.get("SummaryContent")}
seen["summary_role"] = error_of(iam.get_human_readable_summary, EntityArn="arn:aws:iam::111122223333:role/admin")

print(json.dumps(seen))
