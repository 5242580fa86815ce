"""The Custom::AisecMacieClassificationJob handler, in plain Python with botocore's Stubber: no AWS calls."""
import botocore.session
import pytest
from botocore.stub import Stubber

from aisec_constructs.handlers import macie_classification as index


JOB_ID = "0123456789abcdef0123456789abcdef"
JOB_ARN = f"arn:aws:macie2:us-east-1:111111111111:classification-job/{JOB_ID}"
PROPS = {"ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:h", "AccountId": "111111111111",
         "Buckets": ["corpus-bucket"], "Name": "aisec-corpus", "Description": "corpus", "JobType": "SCHEDULED",
         "Schedule": "WEEKLY", "SamplingPercentage": "100"}
REQUEST_ID = "c0ffee00-1111-2222-3333-444444444444"
EXPECTED_JOB = {
    "clientToken": REQUEST_ID, "name": "aisec-corpus-c0ffee00", "description": "corpus", "jobType": "SCHEDULED",
    "initialRun": True, "samplingPercentage": 100,
    "s3JobDefinition": {"bucketDefinitions": [{"accountId": "111111111111", "buckets": ["corpus-bucket"]}]},
    "scheduleFrequency": {"weeklySchedule": {"dayOfWeek": "MONDAY"}},
}


def client():
    return botocore.session.get_session().create_client(
        "macie2", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")


def event(request, physical=None, props=PROPS):
    body = {"RequestType": request, "ResourceProperties": props, "StackId": "stack", "RequestId": REQUEST_ID,
            "LogicalResourceId": "Job", "ResponseURL": "https://example.invalid/response"}
    if physical:
        body["PhysicalResourceId"] = physical
    return body


def test_create_makes_a_scheduled_job_over_the_buckets():
    macie = client()
    with Stubber(macie) as stub:
        stub.add_response("create_classification_job", {"jobId": JOB_ID, "jobArn": JOB_ARN}, EXPECTED_JOB)
        assert index.handle(event("Create"), macie) == ("SUCCESS", "", JOB_ID, {"JobId": JOB_ID, "JobArn": JOB_ARN})
        stub.assert_no_pending_responses()


def test_one_time_job_has_no_schedule():
    props = dict(PROPS, JobType="ONE_TIME", SamplingPercentage="50")
    props.pop("Schedule")
    expected = {k: v for k, v in EXPECTED_JOB.items() if k != "scheduleFrequency"}
    expected.update(jobType="ONE_TIME", samplingPercentage=50)
    macie = client()
    with Stubber(macie) as stub:
        stub.add_response("create_classification_job", {"jobId": JOB_ID, "jobArn": JOB_ARN}, expected)
        assert index.handle(event("Create", props=props), macie)[0] == "SUCCESS"
        stub.assert_no_pending_responses()


def test_update_creates_a_new_job_with_a_new_physical_id():
    macie = client()
    with Stubber(macie) as stub:
        stub.add_response("create_classification_job", {"jobId": "new" + JOB_ID[3:], "jobArn": JOB_ARN}, EXPECTED_JOB)
        status, _, physical, _ = index.handle(event("Update", JOB_ID), macie)
        stub.assert_no_pending_responses()
    assert (status, physical) == ("SUCCESS", "new" + JOB_ID[3:])


def test_delete_cancels_a_running_job():
    macie = client()
    with Stubber(macie) as stub:
        stub.add_response("describe_classification_job", {"jobId": JOB_ID, "jobStatus": "IDLE"}, {"jobId": JOB_ID})
        stub.add_response("update_classification_job", {}, {"jobId": JOB_ID, "jobStatus": "CANCELLED"})
        assert index.handle(event("Delete", JOB_ID), macie) == ("SUCCESS", "", JOB_ID, {})
        stub.assert_no_pending_responses()


@pytest.mark.parametrize("status", ["COMPLETE", "CANCELLED"])
def test_delete_leaves_a_finished_job_alone(status):
    macie = client()
    with Stubber(macie) as stub:
        stub.add_response("describe_classification_job", {"jobId": JOB_ID, "jobStatus": status}, {"jobId": JOB_ID})
        assert index.handle(event("Delete", JOB_ID), macie)[0] == "SUCCESS"
        stub.assert_no_pending_responses()


def test_delete_of_a_missing_job_or_after_a_failed_create_succeeds_without_cancelling():
    macie = client()
    with Stubber(macie) as stub:
        stub.add_client_error("describe_classification_job", "ResourceNotFoundException", "no such job")
        assert index.handle(event("Delete", JOB_ID), macie)[0] == "SUCCESS"
        stub.assert_no_pending_responses()
    with Stubber(macie):  # nothing queued: any call would raise
        assert index.handle(event("Delete", index.FAILED_CREATE), macie) == ("SUCCESS", "", index.FAILED_CREATE, {})


def test_api_errors_become_failed_responses():
    macie = client()
    with Stubber(macie) as stub:
        stub.add_client_error("create_classification_job", "AccessDeniedException", "Macie is not enabled")
        status, reason, physical, _ = index.handle(event("Create"), macie)
    assert (status, physical) == ("FAILED", index.FAILED_CREATE) and "Macie is not enabled" in reason
    with Stubber(macie) as stub:
        stub.add_response("describe_classification_job", {"jobId": JOB_ID, "jobStatus": "RUNNING"}, {"jobId": JOB_ID})
        stub.add_client_error("update_classification_job", "ValidationException", "cannot cancel")
        status, reason, physical, _ = index.handle(event("Delete", JOB_ID), macie)
    assert (status, physical) == ("FAILED", JOB_ID) and "cannot cancel" in reason


@pytest.mark.parametrize("bad, message", [
    ({"Buckets": []}, "Buckets"), ({"Buckets": "corpus"}, "Buckets"), ({"AccountId": ""}, "AccountId"),
    ({"JobType": "SOMETIMES"}, "JobType"), ({"Schedule": "HOURLY"}, "Schedule"),
    ({"SamplingPercentage": "abc"}, "SamplingPercentage"), ({"SamplingPercentage": "0"}, "between 1 and 100"),
])
def test_bad_input_becomes_failed_response(bad, message):
    status, reason, _, _ = index.handle(event("Create", props=dict(PROPS, **bad)), client())
    assert status == "FAILED" and message in reason


def test_unknown_request_type_fails():
    status, reason, physical, data = index.handle(event("Rollback", JOB_ID), client())
    assert status == "FAILED" and "Rollback" in reason


def test_the_handler_answers_cloudformation_with_the_job_id(monkeypatch, response_server):
    monkeypatch.setattr(index, "handle", lambda event, client: ("SUCCESS", "", JOB_ID, {"JobId": JOB_ID}))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    index.handler(dict(event("Create"), ResponseURL=response_server.url), None)
    assert response_server.documents == [{
        "Status": "SUCCESS", "Reason": "See CloudWatch log stream ", "PhysicalResourceId": JOB_ID, "StackId": "stack",
        "RequestId": REQUEST_ID, "LogicalResourceId": "Job", "Data": {"JobId": JOB_ID}}]
