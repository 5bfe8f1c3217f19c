"""Finalizes EnableAllFeatures with Debian's boto3 once the approvals are in, and prints what it saw as JSON."""
import json
import os

import boto3

org = boto3.client("organizations", endpoint_url=os.environ["GATEHOUSE_ENDPOINT"], region_name="us-east-1")
seen = {}
pending = org.list_handshakes_for_organization(Filter={"ActionType": "ENABLE_ALL_FEATURES"})["Handshakes"]
seen["states"] = [h["State"] for h in pending]
accepted = org.accept_handshake(HandshakeId=pending[0]["Id"])["Handshake"]
seen["accepted"] = accepted["State"]
seen["feature_set"] = org.describe_organization()["Organization"]["FeatureSet"]
try:
    org.enable_all_features()
except org.exceptions.HandshakeConstraintViolationException as error:
    seen["again"] = {"code": error.response["Error"]["Code"], "reason": error.response.get("Reason")}
print(json.dumps(seen))
