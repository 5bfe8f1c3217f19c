"""Access Advisor with Debian's boto3: an action-level report for ADVISOR_ARN, its services and entities; prints JSON."""
import json
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
target = os.environ["ADVISOR_ARN"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
seen = {}

job = iam.generate_service_last_accessed_details(Arn=target, Granularity="ACTION_LEVEL")["JobId"]
details = iam.get_service_last_accessed_details(JobId=job)
seen["status"] = details["JobStatus"]
seen["type"] = details["JobType"]
seen["created_is_datetime"] = hasattr(details["JobCreationDate"], "isoformat")
seen["services"] = {
    s["ServiceNamespace"]: {
        "name": s["ServiceName"],
        "last": s["LastAuthenticated"].isoformat() if "LastAuthenticated" in s else None,
        "entity": s.get("LastAuthenticatedEntity"),
        "region": s.get("LastAuthenticatedRegion"),
        "total": s.get("TotalAuthenticatedEntities"),
        "actions": {
            a["ActionName"]: a["LastAccessedTime"].isoformat() if "LastAccessedTime" in a else None
            for a in s.get("TrackedActionsLastAccessed", [])
        },
    }
    for s in details["ServicesLastAccessed"]
}
entities = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")
seen["entities"] = [
    {"arn": e["EntityInfo"]["Arn"], "type": e["EntityInfo"]["Type"], "last": "LastAuthenticated" in e}
    for e in entities["EntityDetailsList"]
]
granting = iam.list_policies_granting_service_access(Arn=target, ServiceNamespaces=["sts"])
seen["granting"] = granting["PoliciesGrantingServiceAccess"]
try:
    iam.get_service_last_accessed_details(JobId="00000000-0000-7000-8000-000000000000")
    seen["unknown_job"] = None
except ClientError as error:
    seen["unknown_job"] = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(seen))
