"""Server certificates with Debian's boto3: upload, get, paginate, errors; prints what it saw as JSON."""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["GATEHOUSE_ENDPOINT"]
certs = os.environ["CERT_DIR"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
seen = {}


def read(name):
    with open(os.path.join(certs, name)) as f:
        return f.read()


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


uploaded = iam.upload_server_certificate(
    ServerCertificateName="py-leaf",
    Path="/py/",
    CertificateBody=read("leaf.pem"),
    PrivateKey=read("leaf-key.pem"),
    CertificateChain=read("chain.pem"),
    Tags=[{"Key": "lang", "Value": "python"}],
)["ServerCertificateMetadata"]
seen["arn"] = uploaded["Arn"]
seen["id"] = uploaded["ServerCertificateId"]
seen["expiration_type"] = type(uploaded["Expiration"]).__name__
got = iam.get_server_certificate(ServerCertificateName="py-leaf")["ServerCertificate"]
seen["get_members"] = sorted(got.keys())
seen["body_matches"] = got["CertificateBody"] == read("leaf.pem")
seen["chain_matches"] = got["CertificateChain"] == read("chain.pem")
for i in range(2):
    iam.upload_server_certificate(ServerCertificateName=f"py-page{i}", Path="/py/", CertificateBody=read("cert.pem"), PrivateKey=read("key.pem"))
paginator = iam.get_paginator("list_server_certificates")
seen["paged"] = [
    m["ServerCertificateName"]
    for page in paginator.paginate(PathPrefix="/py/", PaginationConfig={"PageSize": 2})
    for m in page["ServerCertificateMetadataList"]
]
seen["mismatch"] = error_of(
    lambda: iam.upload_server_certificate(ServerCertificateName="py-bad", CertificateBody=read("cert.pem"), PrivateKey=read("other-key.pem"))
)
seen["expired"] = error_of(
    lambda: iam.upload_server_certificate(ServerCertificateName="py-old", CertificateBody=read("expired.pem"), PrivateKey=read("expired-key.pem"))
)
iam.update_server_certificate(ServerCertificateName="py-leaf", NewServerCertificateName="py-renamed")
for name in ["py-renamed", "py-page0", "py-page1"]:
    iam.delete_server_certificate(ServerCertificateName=name)
seen["missing"] = error_of(lambda: iam.get_server_certificate(ServerCertificateName="py-renamed"))

json.dump(seen, sys.stdout)
