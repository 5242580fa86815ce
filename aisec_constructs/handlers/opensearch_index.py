"""Lambda handler of the Custom::AisecOpenSearchVectorIndex resource.

OpenSearch Serverless indexes have no CloudFormation resource, and a Bedrock knowledge base refuses
to be created until its vector index exists. This handler creates the index through the collection's
data plane: ``PUT https://<collection endpoint>/<index>`` with a k-NN mapping, signed with SigV4 for the
service ``aoss`` (the ``x-amz-content-sha256`` header is required by OpenSearch Serverless). It runs
inside the VPC, since the collection is reachable only through its VPC endpoint.

* Create: PUT the index; an ``resource_already_exists_exception`` counts as success (a retried
  request). 401/403 are retried for up to ``ACCESS_WAIT_SECONDS``: a new data access policy takes a
  while to apply. Then the index is read back (GET) until it answers 200, so the knowledge base that
  depends on it finds it.
* Update: the same index (same endpoint, name and mapping) is left alone; anything else creates the new
  index (new physical id) and CloudFormation's Delete of the old id follows.
* Delete: the index holds only embeddings, which re-ingestion rebuilds; it is kept unless
  ``RetainOnDelete`` is "false", then ``DELETE`` (404 counts as success).

Properties (strings): ``CollectionEndpoint``, ``IndexName``, ``Dimension``, ``VectorField``, ``TextField``,
``MetadataField``, ``SpaceType``, ``Engine``, ``RetainOnDelete``. Standard library and botocore only.
"""
import hashlib
import json
import os
import time
import urllib.error
import urllib.request

from . import cfn_response

FAILED_CREATE = "failed-create"
ACCESS_WAIT_SECONDS = 180
RETRY_SECONDS = 10


def mapping(props):
    """The index body for the resource properties; raises ValueError on bad input."""
    try:
        dimension = int(str(props.get("Dimension")))
    except ValueError:
        raise ValueError("Dimension must be a whole number") from None
    if not 1 <= dimension <= 16000:
        raise ValueError("Dimension must be between 1 and 16000")
    for key in ("VectorField", "TextField", "MetadataField"):
        if not isinstance(props.get(key), str) or not props[key]:
            raise ValueError(f"{key} is missing")
    return {
        "settings": {"index.knn": True},
        "mappings": {"properties": {
            props["VectorField"]: {"type": "knn_vector", "dimension": dimension, "method": {
                "name": "hnsw", "engine": props.get("Engine", "faiss"), "space_type": props.get("SpaceType", "l2")}},
            props["TextField"]: {"type": "text"},
            props["MetadataField"]: {"type": "text", "index": False},
        }},
    }


def index_url(props):
    endpoint = props.get("CollectionEndpoint")
    name = props.get("IndexName")
    if not isinstance(endpoint, str) or not endpoint.startswith("https://"):
        raise ValueError("CollectionEndpoint must be an https:// URL")
    if not isinstance(name, str) or not name or name != name.lower() or any(c in name for c in ' "*\\<|,>/?#:'):
        raise ValueError(f"IndexName {name!r} is not a valid index name (lower case, no spaces or special characters)")
    return f"{endpoint.rstrip('/')}/{name}"


def physical_id(props):
    return index_url(props)


def sign_request(method, url, body, region, credentials):
    """A urllib request signed with SigV4 for OpenSearch Serverless (service name ``aoss``)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    data = body.encode("utf-8") if body is not None else b""
    headers = {"Content-Type": "application/json", "x-amz-content-sha256": hashlib.sha256(data).hexdigest()}
    aws_request = AWSRequest(method=method, url=url, data=data, headers=headers)
    SigV4Auth(credentials, "aoss", region).add_auth(aws_request)
    return urllib.request.Request(url, data=data if body is not None else None, method=method,
                                  headers=dict(aws_request.headers.items()))


class Client:
    """Signed HTTP calls to the collection; ``opener`` and ``sleep`` are replaceable in tests."""

    def __init__(self, region, credentials, opener=urllib.request.urlopen, sleep=time.sleep):
        self.region, self.credentials, self.opener, self.sleep = region, credentials, opener, sleep

    def call(self, method, url, body=None):
        """(status, text) of one request; HTTP errors are returned, not raised."""
        request = sign_request(method, url, body, self.region, self.credentials)
        try:
            with self.opener(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def create_index(self, url, body):
        waited = 0
        while True:
            status, text = self.call("PUT", url, json.dumps(body))
            if status in (200, 201) or (status == 400 and "resource_already_exists_exception" in text):
                break
            if status in (401, 403) and waited < ACCESS_WAIT_SECONDS:
                self.sleep(RETRY_SECONDS)
                waited += RETRY_SECONDS
                continue
            raise RuntimeError(f"PUT {url} returned {status}: {text[:500]}")
        while True:
            status, text = self.call("GET", url)
            if status == 200:
                return
            if waited >= ACCESS_WAIT_SECONDS:
                raise RuntimeError(f"GET {url} returned {status}: {text[:500]}")
            self.sleep(RETRY_SECONDS)
            waited += RETRY_SECONDS

    def delete_index(self, url):
        status, text = self.call("DELETE", url)
        if status not in (200, 404):
            raise RuntimeError(f"DELETE {url} returned {status}: {text[:500]}")


def handle(event, client):
    """Apply the request; return (status, reason, physical id). Never raises."""
    request = event.get("RequestType")
    props = event.get("ResourceProperties", {})
    physical = event.get("PhysicalResourceId")
    try:
        if request in ("Create", "Update"):
            new_id = physical_id(props)
            old = event.get("OldResourceProperties")
            if request == "Update" and physical == new_id and old is not None and mapping(old) == mapping(props):
                return "SUCCESS", "", physical
            client.create_index(index_url(props), mapping(props))
            return "SUCCESS", "", new_id
        if request == "Delete":
            if physical and physical != FAILED_CREATE and str(props.get("RetainOnDelete", "true")).lower() == "false":
                client.delete_index(physical)
            return "SUCCESS", "", physical or FAILED_CREATE
        raise ValueError(f"unknown RequestType {request!r}")
    except Exception as error:  # report every failure to CloudFormation instead of timing out
        if request == "Create":
            physical = FAILED_CREATE
        return "FAILED", f"{type(error).__name__}: {error}"[:1000], physical or FAILED_CREATE


def handler(event, context):
    import botocore.session

    credentials = botocore.session.get_session().get_credentials().get_frozen_credentials()
    client = Client(os.environ["AWS_REGION"], credentials)
    status, reason, physical = handle(event, client)
    cfn_response.respond(event, context, status, reason, physical)
