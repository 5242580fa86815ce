"""The Custom::AisecModelInvocationLogging handler, in plain Python with botocore's Stubber: no AWS calls."""
import botocore.session
from botocore.stub import Stubber

from aisec_constructs.handlers import invocation_logging as index


PROPS = {"ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:h", "LoggingConfig": {
    "CloudWatchConfig": {"LogGroupName": "logs", "RoleArn": "arn:aws:iam::111111111111:role/r"},
    "TextDataDeliveryEnabled": "true", "ImageDataDeliveryEnabled": "false",
    "EmbeddingDataDeliveryEnabled": "false", "VideoDataDeliveryEnabled": "false", "AudioDataDeliveryEnabled": "false"}}
API_CONFIG = {"cloudWatchConfig": {"logGroupName": "logs", "roleArn": "arn:aws:iam::111111111111:role/r"},
              "textDataDeliveryEnabled": True, "imageDataDeliveryEnabled": False, "embeddingDataDeliveryEnabled": False,
              "videoDataDeliveryEnabled": False, "audioDataDeliveryEnabled": False}


def client():
    return botocore.session.get_session().create_client(
        "bedrock", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")


def event(request, physical=None, props=PROPS):
    body = {"RequestType": request, "ResourceProperties": props, "StackId": "stack", "RequestId": "req",
            "LogicalResourceId": "Logging", "ResponseURL": "https://example.invalid/response"}
    if physical:
        body["PhysicalResourceId"] = physical
    return body


def test_create_puts_the_configuration_in_api_shape():
    bedrock = client()
    with Stubber(bedrock) as stub:
        stub.add_response("put_model_invocation_logging_configuration", {}, {"loggingConfig": API_CONFIG})
        assert index.handle(event("Create"), bedrock) == ("SUCCESS", "")
        stub.assert_no_pending_responses()
    assert index.physical_id(event("Create"), "SUCCESS") == index.PHYSICAL_ID


def test_update_puts_again():
    bedrock = client()
    with Stubber(bedrock) as stub:
        stub.add_response("put_model_invocation_logging_configuration", {}, {"loggingConfig": API_CONFIG})
        assert index.handle(event("Update", index.PHYSICAL_ID), bedrock) == ("SUCCESS", "")
        stub.assert_no_pending_responses()


def test_delete_removes_the_configuration():
    bedrock = client()
    with Stubber(bedrock) as stub:
        stub.add_response("delete_model_invocation_logging_configuration", {}, {})
        assert index.handle(event("Delete", index.PHYSICAL_ID), bedrock) == ("SUCCESS", "")
        stub.assert_no_pending_responses()


def test_delete_after_failed_create_leaves_existing_configuration_alone():
    bedrock = client()
    with Stubber(bedrock):  # no response queued: any call would raise
        assert index.handle(event("Delete", "failed-create"), bedrock) == ("SUCCESS", "")
    assert index.physical_id(event("Create"), "FAILED") == "failed-create"


def test_api_error_becomes_failed_response():
    bedrock = client()
    with Stubber(bedrock) as stub:
        stub.add_client_error("put_model_invocation_logging_configuration", "ValidationException", "bad role")
        status, reason = index.handle(event("Create"), bedrock)
    assert status == "FAILED" and "bad role" in reason


def test_bad_input_becomes_failed_response():
    assert index.handle(event("Create", props={}), client())[0] == "FAILED"
    bad_flag = {"LoggingConfig": dict(PROPS["LoggingConfig"], TextDataDeliveryEnabled="yes")}
    status, reason = index.handle(event("Create", props=bad_flag), client())
    assert status == "FAILED" and "TextDataDeliveryEnabled must be true or false" in reason
    assert index.handle(event("Rename"), client())[0] == "FAILED"


def test_the_handler_answers_cloudformation_with_its_physical_id(monkeypatch, response_server):
    monkeypatch.setattr(index, "handle", lambda event, client: ("FAILED", "boom"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    index.handler(dict(event("Update", index.PHYSICAL_ID), ResponseURL=response_server.url), None)
    assert response_server.documents[0]["Status"] == "FAILED" and response_server.documents[0]["Reason"] == "boom"
    assert response_server.documents[0]["PhysicalResourceId"] == index.PHYSICAL_ID
