"""The Custom::AisecOpenSearchVectorIndex handler in plain Python: SigV4-signed HTTP calls to a fake
collection endpoint (the handler makes no boto3 client call, so botocore's Stubber has nothing to stub;
the signing itself is botocore's, with static test credentials)."""
import io
import json
import urllib.error

import pytest
from botocore.credentials import Credentials

from aisec_constructs.handlers import opensearch_index as index


ENDPOINT = "https://abc123.us-east-1.aoss.amazonaws.com"
URL = f"{ENDPOINT}/kb-index"
PROPS = {"ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:h", "CollectionEndpoint": ENDPOINT,
         "IndexName": "kb-index", "Dimension": "1024", "SpaceType": "l2", "Engine": "faiss", "RetainOnDelete": "true",
         "VectorField": "bedrock-knowledge-base-default-vector", "TextField": "AMAZON_BEDROCK_TEXT_CHUNK",
         "MetadataField": "AMAZON_BEDROCK_METADATA"}
BODY = {"settings": {"index.knn": True}, "mappings": {"properties": {
    "bedrock-knowledge-base-default-vector": {"type": "knn_vector", "dimension": 1024,
                                              "method": {"name": "hnsw", "engine": "faiss", "space_type": "l2"}},
    "AMAZON_BEDROCK_TEXT_CHUNK": {"type": "text"},
    "AMAZON_BEDROCK_METADATA": {"type": "text", "index": False}}}}


class FakeCollection:
    """Answers queued (status, text) pairs and records each request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append(request)
        status, text = self.answers.pop(0)
        if status >= 400:
            raise urllib.error.HTTPError(request.full_url, status, "error", {}, io.BytesIO(text.encode()))
        response = io.BytesIO(text.encode())
        response.status = status
        return response

    def calls(self):
        return [(r.get_method(), r.full_url) for r in self.requests]


def client(fake):
    sleeps = []
    made = index.Client("us-east-1", Credentials("AKIDEXAMPLE", "secret", "token"), opener=fake, sleep=sleeps.append)
    return made, sleeps


def event(request, physical=None, props=PROPS, old=None):
    body = {"RequestType": request, "ResourceProperties": props, "StackId": "stack", "RequestId": "req",
            "LogicalResourceId": "Index", "ResponseURL": "https://example.invalid/response"}
    if physical:
        body["PhysicalResourceId"] = physical
    if old is not None:
        body["OldResourceProperties"] = old
    return body


def test_create_puts_a_signed_knn_mapping_then_waits_until_the_index_answers():
    fake = FakeCollection((200, '{"acknowledged": true}'), (404, "not yet"), (200, "{}"))
    made, sleeps = client(fake)
    assert index.handle(event("Create"), made) == ("SUCCESS", "", URL)
    assert fake.calls() == [("PUT", URL), ("GET", URL), ("GET", URL)]
    put = fake.requests[0]
    assert json.loads(put.data) == BODY
    headers = {k.lower(): v for k, v in put.header_items()}
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/aoss/aws4_request" in headers["authorization"]
    assert headers["x-amz-content-sha256"] == index.hashlib.sha256(put.data).hexdigest()
    assert headers["x-amz-security-token"] == "token"
    assert sleeps == [index.RETRY_SECONDS]


def test_create_retries_while_the_data_access_policy_applies_and_accepts_an_existing_index():
    fake = FakeCollection((403, "forbidden"), (400, '{"error": {"type": "resource_already_exists_exception"}}'), (200, "{}"))
    made, sleeps = client(fake)
    assert index.handle(event("Create"), made)[0] == "SUCCESS"
    assert fake.calls() == [("PUT", URL), ("PUT", URL), ("GET", URL)]
    assert sleeps == [index.RETRY_SECONDS]


def test_create_gives_up_after_the_access_wait_and_reports_failure():
    answers = [(403, "forbidden")] * (index.ACCESS_WAIT_SECONDS // index.RETRY_SECONDS + 1)
    made, _ = client(FakeCollection(*answers))
    status, reason, physical = index.handle(event("Create"), made)
    assert (status, physical) == ("FAILED", index.FAILED_CREATE) and "403" in reason


def test_server_error_becomes_failed_response():
    made, _ = client(FakeCollection((500, "boom")))
    status, reason, _ = index.handle(event("Create"), made)
    assert status == "FAILED" and "500" in reason and "boom" in reason


def test_update_with_the_same_index_is_a_no_op_and_a_changed_one_creates_the_new_index():
    fake = FakeCollection()
    made, _ = client(fake)
    assert index.handle(event("Update", URL, old=PROPS), made) == ("SUCCESS", "", URL)
    assert fake.calls() == []
    changed = dict(PROPS, IndexName="kb-index-v2")
    fake = FakeCollection((200, "{}"), (200, "{}"))
    made, _ = client(fake)
    assert index.handle(event("Update", URL, props=changed, old=PROPS), made) == ("SUCCESS", "", f"{ENDPOINT}/kb-index-v2")
    assert fake.calls() == [("PUT", f"{ENDPOINT}/kb-index-v2"), ("GET", f"{ENDPOINT}/kb-index-v2")]
    new_dimension = dict(PROPS, Dimension="512")
    fake = FakeCollection((200, "{}"), (200, "{}"))
    made, _ = client(fake)
    assert index.handle(event("Update", URL, props=new_dimension, old=PROPS), made)[0] == "SUCCESS"
    assert json.loads(fake.requests[0].data)["mappings"]["properties"]["bedrock-knowledge-base-default-vector"]["dimension"] == 512


def test_delete_keeps_the_index_by_default_and_deletes_it_when_asked():
    fake = FakeCollection()
    made, _ = client(fake)
    assert index.handle(event("Delete", URL), made) == ("SUCCESS", "", URL)
    assert fake.calls() == []
    fake = FakeCollection((404, "gone"))
    made, _ = client(fake)
    assert index.handle(event("Delete", URL, props=dict(PROPS, RetainOnDelete="false")), made)[0] == "SUCCESS"
    assert fake.calls() == [("DELETE", URL)]
    made, _ = client(FakeCollection((500, "boom")))
    assert index.handle(event("Delete", URL, props=dict(PROPS, RetainOnDelete="false")), made)[0] == "FAILED"
    made, _ = client(FakeCollection())
    assert index.handle(event("Delete", index.FAILED_CREATE, props=dict(PROPS, RetainOnDelete="false")), made)[0] == "SUCCESS"


@pytest.mark.parametrize("bad, message", [
    ({"Dimension": "many"}, "Dimension"), ({"Dimension": "0"}, "between"), ({"TextField": ""}, "TextField"),
    ({"CollectionEndpoint": "http://plain"}, "https"), ({"IndexName": "Upper"}, "not a valid index name"),
    ({"IndexName": "a b"}, "not a valid index name"),
])
def test_bad_input_becomes_failed_response(bad, message):
    made, _ = client(FakeCollection())
    status, reason, physical = index.handle(event("Create", props=dict(PROPS, **bad)), made)
    assert (status, physical) == ("FAILED", index.FAILED_CREATE) and message in reason


def test_unknown_request_fails():
    made, _ = client(FakeCollection())
    assert index.handle(event("Rollback", URL), made)[0] == "FAILED"


def test_the_handler_answers_cloudformation_with_the_index_url(monkeypatch, response_server):
    monkeypatch.setattr(index, "handle", lambda event, client: ("SUCCESS", "", URL))
    for name, value in {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    index.handler(dict(event("Create"), ResponseURL=response_server.url), None)
    assert response_server.documents == [{
        "Status": "SUCCESS", "Reason": "See CloudWatch log stream ", "PhysicalResourceId": URL, "StackId": "stack",
        "RequestId": "req", "LogicalResourceId": "Index", "Data": {}}]
