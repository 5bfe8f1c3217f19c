"""GetScopedCredentials and the delegation flow with Debian's boto3, its models replaced through AWS_DATA_PATH by the
repository's (botocore 1.29 predates these operations). Prints what happened as JSON for the test to check."""
import json
import os
import time

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
account = os.environ["GATEHOUSE_ACCOUNT"]
outbox = os.environ["GATEHOUSE_OUTBOX"]
template = os.environ["GATEHOUSE_TEMPLATE_ARN"]


def client(service, creds=None):
    keys = {}
    if creds is not None:
        keys = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds.get("SessionToken"),
        }
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **keys)


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def doc(actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})


iam = client("iam")
seen = {}

# A role session, narrowed to iam:ListUsers.
iam.create_role(RoleName="py-worker", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": account}, "Action": "sts:AssumeRole"}],
}))
iam.put_role_policy(RoleName="py-worker", PolicyName="p", PolicyDocument=doc(["iam:ListUsers", "iam:ListRoles", "sts:GetScopedCredentials"]))
iam.create_user(UserName="py-operator")
iam.put_user_policy(UserName="py-operator", PolicyName="p", PolicyDocument=doc("sts:AssumeRole"))
operator = iam.create_access_key(UserName="py-operator")["AccessKey"]
session = client("sts", operator).assume_role(RoleArn=f"arn:aws:iam::{account}:role/py-worker", RoleSessionName="py")
scoped = client("sts", session["Credentials"]).get_scoped_credentials(Policy=doc("iam:ListUsers"), MinimumSessionTokenSize=4000)
seen["scoped"] = {
    "arn": scoped["SessionInfo"]["Arn"],
    "sessionArn": session["AssumedRoleUser"]["Arn"],
    "count": scoped["ScopedPoliciesCount"],
    "tokenSize": scoped["SessionTokenSize"],
    "tokenLength": len(scoped["Credentials"]["SessionToken"]),
}
client("iam", scoped["Credentials"]).list_users()
seen["outsideScope"] = error_of(lambda: client("iam", scoped["Credentials"]).list_roles())
seen["longTerm"] = error_of(lambda: client("sts").get_scoped_credentials(DurationSeconds=60))
seen["tooLong"] = error_of(lambda: client("sts", session["Credentials"]).get_scoped_credentials(DurationSeconds=7200))

# The delegation flow: the customer (root here) accepts and sends; the partner user trades the token in.
iam.create_user(UserName="outsider")
iam.create_user(UserName="py-partner")
iam.put_user_policy(UserName="py-partner", PolicyName="p", PolicyDocument=doc(["iam:CreateDelegationRequest", "sts:GetDelegatedAccessToken"]))
partner = iam.create_access_key(UserName="py-partner")["AccessKey"]
request_id = client("iam", partner).create_delegation_request(
    Description="boto3 delegation",
    Permissions={"PolicyTemplateArn": template, "Parameters": [{"Name": "userPath", "Values": ["py-"], "Type": "string"}]},
    RequestorWorkflowId="py-workflow-1",
    NotificationChannel=f"arn:aws:sns:us-east-1:{account}:py-partner",
    SessionDuration=900,
)["DelegationRequestId"]
iam.associate_delegation_request(DelegationRequestId=request_id)
iam.accept_delegation_request(DelegationRequestId=request_id)
iam.send_delegation_token(DelegationRequestId=request_id)
with open(os.path.join(outbox, f"{request_id}.json")) as f:
    token = json.load(f)["TradeInToken"]
delegated = client("sts", partner).get_delegated_access_token(TradeInToken=token)
seen["delegated"] = {
    "assumedPrincipal": delegated["AssumedPrincipal"],
    "identity": client("sts", delegated["Credentials"]).get_caller_identity()["Arn"],
    "ownUser": client("iam", delegated["Credentials"]).get_user(UserName="py-partner")["User"]["UserName"],
    "otherUser": error_of(lambda: client("iam", delegated["Credentials"]).get_user(UserName="outsider")),
    "createUser": error_of(lambda: client("iam", delegated["Credentials"]).create_user(UserName="py-backdoor")),
    "secondsLeft": (delegated["Credentials"]["Expiration"].timestamp() - time.time()),
}
seen["forged"] = error_of(lambda: client("sts", partner).get_delegated_access_token(TradeInToken=token[:-2] + "xx"))
print(json.dumps(seen))
