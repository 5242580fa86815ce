"""The response every custom-resource handler sends CloudFormation, PUT over real HTTP to a local server."""
from types import SimpleNamespace

from aisec_constructs.handlers import cfn_response

EVENT = {"StackId": "stack", "RequestId": "req", "LogicalResourceId": "Res", "RequestType": "Create"}


def test_the_body_names_the_request_and_points_to_the_log_stream_without_a_reason():
    assert cfn_response.body(EVENT, "SUCCESS", "", "phys", None, "stream") == {
        "Status": "SUCCESS", "Reason": "See CloudWatch log stream stream", "PhysicalResourceId": "phys",
        "StackId": "stack", "RequestId": "req", "LogicalResourceId": "Res", "Data": {}}
    assert cfn_response.body(EVENT, "FAILED", "boom", "phys", {"JobId": "j"})["Reason"] == "boom"
    assert cfn_response.body(EVENT, "FAILED", "boom", "phys", {"JobId": "j"})["Data"] == {"JobId": "j"}


def test_respond_puts_the_document_to_the_presigned_url_without_a_content_type(response_server):
    event = dict(EVENT, ResponseURL=response_server.url)
    status = cfn_response.respond(event, SimpleNamespace(log_stream_name="2026/12/06/[$LATEST]abc"), "SUCCESS", "",
                                  "phys", {"Key": "value"})
    assert status == 200
    assert response_server.documents == [{
        "Status": "SUCCESS", "Reason": "See CloudWatch log stream 2026/12/06/[$LATEST]abc",
        "PhysicalResourceId": "phys", "StackId": "stack", "RequestId": "req", "LogicalResourceId": "Res",
        "Data": {"Key": "value"}}]
    assert response_server.headers[0]["Content-Type"] == ""  # the URL is signed without a content type


def test_respond_without_a_context_names_no_log_stream(response_server):
    cfn_response.respond(dict(EVENT, ResponseURL=response_server.url), None, "FAILED", "", "phys")
    assert response_server.documents[0]["Reason"] == "See CloudWatch log stream "
