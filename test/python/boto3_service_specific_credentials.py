"""Drives Gatehouse's service-specific credentials with Debian's boto3 and prints what it saw as JSON."""
import json
import os
import sys

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


iam.create_user(UserName="py-ssc")
created = iam.create_service_specific_credential(UserName="py-ssc", ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredential"]
seen["created"] = {k: created[k] for k in ("UserName", "ServiceName", "ServiceUserName", "Status")}
seen["password_length"] = len(created["ServicePassword"])
seen["create_date_type"] = type(created["CreateDate"]).__name__
credential_id = created["ServiceSpecificCredentialId"]

# Debian's botocore predates API keys (no CredentialAgeDays, alias or secret): the SDK v3 test covers those.

listed = iam.list_service_specific_credentials(UserName="py-ssc", ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredentials"]
seen["listed"] = [sorted(c) for c in listed]

iam.update_service_specific_credential(UserName="py-ssc", ServiceSpecificCredentialId=credential_id, Status="Inactive")
seen["status_after_update"] = iam.list_service_specific_credentials(UserName="py-ssc", ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredentials"][0]["Status"]
reset = iam.reset_service_specific_credential(UserName="py-ssc", ServiceSpecificCredentialId=credential_id)["ServiceSpecificCredential"]
seen["reset_changed_password"] = reset["ServicePassword"] != created["ServicePassword"]

seen["unsupported"] = error_of(iam.create_service_specific_credential, UserName="py-ssc", ServiceName="s3.amazonaws.com")
seen["unknown"] = error_of(iam.reset_service_specific_credential, UserName="py-ssc", ServiceSpecificCredentialId="ACCAUNKNOWNUNKNOWN123")
seen["invalid_status"] = error_of(iam.update_service_specific_credential, UserName="py-ssc", ServiceSpecificCredentialId=credential_id, Status="Expired")

iam.delete_service_specific_credential(UserName="py-ssc", ServiceSpecificCredentialId=credential_id)
seen["after_delete"] = iam.list_service_specific_credentials(UserName="py-ssc")["ServiceSpecificCredentials"]
iam.delete_user(UserName="py-ssc")

json.dump(seen, sys.stdout)
