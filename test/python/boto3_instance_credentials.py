"""Finds credentials with boto3's default chain, as a workload on an instance or in a container would, and calls
sts get-caller-identity with them; prints which provider found them and who STS says the caller is, as JSON.

The runner's own keys are removed from the environment first: the chain must reach the IMDS
(AWS_EC2_METADATA_SERVICE_ENDPOINT) or the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI and
AWS_CONTAINER_AUTHORIZATION_TOKEN) that the test set."""
import json
import os

import boto3

for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
    os.environ.pop(name, None)

session = boto3.Session()
credentials = session.get_credentials()
if credentials is None:
    print(json.dumps({"method": None}))
else:
    frozen = credentials.get_frozen_credentials()
    sts = session.client("sts", endpoint_url=os.environ["GATEHOUSE_ENDPOINT"])
    identity = sts.get_caller_identity()
    print(
        json.dumps(
            {
                "method": credentials.method,
                "accessKeyId": frozen.access_key,
                "arn": identity["Arn"],
                "userId": identity["UserId"],
                "account": identity["Account"],
            }
        )
    )
