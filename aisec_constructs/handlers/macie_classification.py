"""Lambda handler of the Custom::AisecMacieClassificationJob resource.

CloudFormation has no resource for Amazon Macie classification jobs, and a job cannot be changed
after it is created (only its status). So:

* Create calls ``CreateClassificationJob`` (client token = the request id, so a retried request does
  not create a second job) over the resource's ``Buckets`` in ``AccountId``; the physical id is the job id.
* Update creates a new job with the new properties and returns its id; CloudFormation then sends a
  Delete for the old id, which cancels the old job.
* Delete cancels the job (``UpdateClassificationJob`` ``jobStatus=CANCELLED``) unless it is already
  ``COMPLETE`` or ``CANCELLED``, or no longer exists. Macie keeps job history; nothing is deleted.

Properties (strings, as CloudFormation passes them): ``AccountId``, ``Buckets`` (list), ``Name``,
``Description``, ``JobType`` (``ONE_TIME`` | ``SCHEDULED``), ``Schedule`` (``DAILY`` | ``WEEKLY`` |
``MONTHLY``, for ``SCHEDULED``), ``SamplingPercentage`` ("1"-"100"). The outcome goes to the pre-signed
response URL; any error becomes a FAILED response with the error text, never a hang. Standard library
and boto3 only.
"""
from . import cfn_response

FAILED_CREATE = "failed-create"
_SCHEDULES = {
    "DAILY": {"dailySchedule": {}},
    "WEEKLY": {"weeklySchedule": {"dayOfWeek": "MONDAY"}},
    "MONTHLY": {"monthlySchedule": {"dayOfMonth": 1}},
}
_FINISHED = {"COMPLETE", "CANCELLED"}


def job_request(props, request_id):
    """The CreateClassificationJob parameters for the resource properties; raises ValueError on bad input."""
    buckets = props.get("Buckets")
    if not isinstance(buckets, list) or not buckets or not all(isinstance(b, str) and b for b in buckets):
        raise ValueError("Buckets must be a non-empty list of bucket names")
    account = props.get("AccountId")
    if not isinstance(account, str) or not account:
        raise ValueError("AccountId is missing")
    job_type = props.get("JobType", "SCHEDULED")
    if job_type not in ("ONE_TIME", "SCHEDULED"):
        raise ValueError(f"JobType must be ONE_TIME or SCHEDULED, got {job_type!r}")
    try:
        sampling = int(str(props.get("SamplingPercentage", "100")))
    except ValueError:
        raise ValueError("SamplingPercentage must be a whole number") from None
    if not 1 <= sampling <= 100:
        raise ValueError("SamplingPercentage must be between 1 and 100")
    name = str(props.get("Name") or "aisec-classification")
    request = {
        "clientToken": request_id,
        "name": f"{name[:400]}-{request_id[:8]}",
        "description": str(props.get("Description", ""))[:200],
        "jobType": job_type,
        "initialRun": True,
        "samplingPercentage": sampling,
        "s3JobDefinition": {"bucketDefinitions": [{"accountId": account, "buckets": buckets}]},
    }
    if job_type == "SCHEDULED":
        schedule = props.get("Schedule", "WEEKLY")
        if schedule not in _SCHEDULES:
            raise ValueError(f"Schedule must be one of {', '.join(sorted(_SCHEDULES))}, got {schedule!r}")
        request["scheduleFrequency"] = _SCHEDULES[schedule]
    return request


def _error_code(error):
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def cancel(client, job_id):
    """Cancel a job that is still scheduled or running; a finished or missing job is left alone."""
    try:
        status = client.describe_classification_job(jobId=job_id).get("jobStatus")
    except Exception as error:  # botocore ClientError; imported lazily on Lambda
        if _error_code(error) == "ResourceNotFoundException":
            return
        raise
    if status in _FINISHED:
        return
    client.update_classification_job(jobId=job_id, jobStatus="CANCELLED")


def handle(event, client):
    """Apply the request; return (status, reason, physical id, data). Never raises."""
    request = event.get("RequestType")
    physical = event.get("PhysicalResourceId")
    try:
        if request in ("Create", "Update"):
            response = client.create_classification_job(
                **job_request(event.get("ResourceProperties", {}), event.get("RequestId", "request")))
            return "SUCCESS", "", response["jobId"], {"JobId": response["jobId"], "JobArn": response["jobArn"]}
        if request == "Delete":
            if physical and physical != FAILED_CREATE:
                cancel(client, physical)
            return "SUCCESS", "", physical or FAILED_CREATE, {}
        raise ValueError(f"unknown RequestType {request!r}")
    except Exception as error:  # report every failure to CloudFormation instead of timing out
        if request == "Create":
            physical = FAILED_CREATE  # CloudFormation's clean-up Delete must not touch any job
        return "FAILED", f"{type(error).__name__}: {error}"[:1000], physical or FAILED_CREATE, {}


def handler(event, context):
    import boto3

    status, reason, physical, data = handle(event, boto3.client("macie2"))
    cfn_response.respond(event, context, status, reason, physical, data)
