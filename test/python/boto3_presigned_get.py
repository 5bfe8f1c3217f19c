"""Makes presigned URLs with Debian's boto3 and fetches them with a plain GET, printing what came back as JSON."""
import json
import os
import urllib.error
import urllib.request

import boto3

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")


def fetch(url):
    try:
        with urllib.request.urlopen(url) as response:
            return {"status": response.status, "body": response.read().decode()}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "body": error.read().decode()}


seen = {
    # generate_presigned_url signs the operation's own method, POST, unless HttpMethod says otherwise.
    "list_users": fetch(iam.generate_presigned_url("list_users")),
    "get_caller_identity": fetch(sts.generate_presigned_url("get_caller_identity")),
    "explicit_get": fetch(iam.generate_presigned_url("list_users", HttpMethod="GET")),
}
tampered = iam.generate_presigned_url("list_users").replace("Action=ListUsers", "Action=ListRoles")
seen["tampered"] = fetch(tampered)
print(json.dumps(seen))
