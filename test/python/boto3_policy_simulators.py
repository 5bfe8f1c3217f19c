"""IAM's policy simulators with Debian's boto3: a paginated simulate_principal_policy, simulate_custom_policy and
their errors; prints what it saw as JSON."""
import json
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
source = os.environ["SOURCE_ARN"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
seen = {}


def summary(results):
    return ["%s=%s" % (r["EvalActionName"], r["EvalDecision"]) for r in results]


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


paginator = iam.get_paginator("simulate_principal_policy")
pages = paginator.paginate(
    PolicySourceArn=source,
    ActionNames=["s3:GetObject", "s3:DeleteBucket", "logs:PutLogEvents"],
    ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"}],
    PaginationConfig={"PageSize": 1},
)
seen["pages"] = []
for page in pages:
    seen["pages"].append(summary(page["EvaluationResults"]))
    for result in page["EvaluationResults"]:
        if result["EvalDecision"] == "explicitDeny":
            statement = result["MatchedStatements"][0]
            seen["denyPosition"] = [
                statement["StartPosition"]["Line"],
                statement["StartPosition"]["Column"],
                statement["EndPosition"]["Line"],
                statement["EndPosition"]["Column"],
            ]

# The AWS CLI's documented example: a date condition met by the aws:CurrentTime given.
policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
custom = iam.simulate_custom_policy(
    PolicyInputList=[policy],
    ActionNames=["dynamodb:CreateBackup"],
    ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2019-04-25T11:00:00Z"], "ContextKeyType": "date"}],
)
seen["custom"] = summary(custom["EvaluationResults"])
matched = custom["EvaluationResults"][0]["MatchedStatements"][0]
seen["customPosition"] = [matched["StartPosition"]["Line"], matched["StartPosition"]["Column"], matched["EndPosition"]["Line"], matched["EndPosition"]["Column"]]

seen["noSuchEntity"] = error_of(
    lambda: iam.simulate_principal_policy(PolicySourceArn=source.replace("user/alice", "user/nobody"), ActionNames=["s3:GetObject"])
)
seen["invalidInput"] = error_of(lambda: iam.simulate_custom_policy(PolicyInputList=['{"Version":'], ActionNames=["s3:GetObject"]))
print(json.dumps(seen))
