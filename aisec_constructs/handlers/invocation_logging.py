"""Lambda handler of the Custom::AisecModelInvocationLogging resource.

Create and Update call Bedrock ``PutModelInvocationLoggingConfiguration`` with the resource's
``LoggingConfig`` (PascalCase in the template, camelCase in the API; CloudFormation passes every
custom-resource value as a string, so "true"/"false" become booleans here). Delete calls
``DeleteModelInvocationLoggingConfiguration``. The outcome is sent to CloudFormation's
pre-signed response URL; any error becomes a FAILED response with the error text, never a hang.
Runs on the Lambda Python runtime with only the standard library and boto3.
"""
from . import cfn_response

PHYSICAL_ID = "aisec-model-invocation-logging"
_BOOLEAN_FIELDS = {
    "textDataDeliveryEnabled", "imageDataDeliveryEnabled", "embeddingDataDeliveryEnabled",
    "videoDataDeliveryEnabled", "audioDataDeliveryEnabled",
}


def camel(name):
    return name[:1].lower() + name[1:]


def to_api(value):
    """PascalCase keys to camelCase, "true"/"false" strings to booleans in the known flags."""
    if isinstance(value, dict):
        converted = {}
        for key, inner in value.items():
            api_key = camel(key)
            inner = to_api(inner)
            if api_key in _BOOLEAN_FIELDS and isinstance(inner, str):
                if inner.lower() not in ("true", "false"):
                    raise ValueError(f"{key} must be true or false, got {inner!r}")
                inner = inner.lower() == "true"
            converted[api_key] = inner
        return converted
    if isinstance(value, list):
        return [to_api(item) for item in value]
    return value


def handle(event, client):
    """Apply the request; return (status, reason). Never raises."""
    request = event.get("RequestType")
    try:
        if request in ("Create", "Update"):
            config = event.get("ResourceProperties", {}).get("LoggingConfig")
            if not isinstance(config, dict):
                raise ValueError("LoggingConfig is missing")
            client.put_model_invocation_logging_configuration(loggingConfig=to_api(config))
        elif request == "Delete":
            if event.get("PhysicalResourceId") == PHYSICAL_ID:
                client.delete_model_invocation_logging_configuration()
        else:
            raise ValueError(f"unknown RequestType {request!r}")
        return "SUCCESS", ""
    except Exception as error:  # report every failure to CloudFormation instead of timing out
        return "FAILED", f"{type(error).__name__}: {error}"[:1000]


def physical_id(event, status):
    """A failed Create gets a distinct id, so that CloudFormation's clean-up Delete of the failed
    resource does not remove a logging configuration that was there before."""
    if event.get("RequestType") == "Create":
        return PHYSICAL_ID if status == "SUCCESS" else "failed-create"
    return event.get("PhysicalResourceId", PHYSICAL_ID)


def handler(event, context):
    import boto3

    status, reason = handle(event, boto3.client("bedrock"))
    cfn_response.respond(event, context, status, reason, physical_id(event, status))
