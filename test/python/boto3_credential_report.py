"""The credential report with Debian's boto3: ReportNotPresent, generate, get and parse the CSV; prints JSON."""
import csv
import io
import json
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
seen = {}

try:
    iam.get_credential_report()
    seen["not_present"] = None
except ClientError as error:
    seen["not_present"] = {
        "code": error.response["Error"]["Code"],
        "message": error.response["Error"]["Message"],
        "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        # botocore maps the code to the model's exception class.
        "class": type(error).__name__,
    }

iam.create_user(UserName="py-user", Path="/py/")
iam.create_login_profile(UserName="py-user", Password="Corr3ct-horse!")
key = iam.create_access_key(UserName="py-user")["AccessKey"]
seen["key_created"] = key["CreateDate"].isoformat()

first = iam.generate_credential_report()
second = iam.generate_credential_report()
seen["first"] = {k: first.get(k) for k in ("State", "Description")}
seen["second"] = {k: second.get(k) for k in ("State", "Description")}

report = iam.get_credential_report()
seen["content_type"] = type(report["Content"]).__name__
seen["format"] = report["ReportFormat"]
seen["generated_type"] = type(report["GeneratedTime"]).__name__
seen["generated"] = report["GeneratedTime"].isoformat()
text = report["Content"].decode("utf-8")
reader = csv.reader(io.StringIO(text))
header = next(reader)
seen["header"] = header
seen["rows"] = {row[0]: dict(zip(header, row)) for row in reader}
seen["root_create_date"] = iam.get_user()["User"]["CreateDate"].isoformat()
print(json.dumps(seen))
