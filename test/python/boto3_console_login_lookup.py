"""Reads the web console's sign-in events back through CloudTrail LookupEvents with Debian's boto3: by event name
(ConsoleLogin), by event source (signin.amazonaws.com) with boto3's paginator, and by user name; prints them as JSON."""
import json
import os

import boto3

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
cloudtrail = boto3.client("cloudtrail", endpoint_url=endpoint, region_name="us-east-1")


def view(event):
    return {
        "EventId": event["EventId"],
        "EventName": event["EventName"],
        "EventSource": event["EventSource"],
        "ReadOnly": event["ReadOnly"],
        "Username": event.get("Username"),
        "EventTime": event["EventTime"].isoformat(),
        "record": json.loads(event["CloudTrailEvent"]),
    }


seen = {}
found = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}])
seen["byName"] = [view(e) for e in found["Events"]]
pages = cloudtrail.get_paginator("lookup_events").paginate(
    LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "signin.amazonaws.com"}],
    PaginationConfig={"PageSize": 2},
)
seen["bySource"] = [e["EventName"] for page in pages for e in page["Events"]]
found = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": os.environ["LOOKUP_USER"]}])
seen["byUser"] = [view(e) for e in found["Events"]]
print(json.dumps(seen))
