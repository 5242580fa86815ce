"""Handler of the ModelService reference stack: a self-hosted model behind SecureApi, screened by a guardrail.

API Gateway (Lambda proxy integration) passes ``{"body": "{\"prompt\": ...}"}``. The prompt is screened with
Bedrock ``ApplyGuardrail`` (``source="INPUT"``) before the SageMaker endpoint sees it, and the model's answer is
screened again (``source="OUTPUT"``) before the caller sees it:

* the guardrail blocks (any assessment says ``"action": "BLOCKED"``): the caller gets the guardrail's message
  (``outputs[0].text``, the blocked-input or blocked-output messaging) and status 400 for a prompt, 200 for
  an answer; the model is never called with a blocked prompt;
* the guardrail only masks (personal data ``ANONYMIZED``): the masked text goes on (to the model, or to the
  caller);
* the guardrail does not intervene (``"action": "NONE"``): the text goes on unchanged.

The endpoint is called with ``{"inputs": prompt}`` (the Hugging Face / DJL serving convention) and its answer
is read from ``generated_text`` (a list of such objects, or one), ``answer``, ``outputs``, or a plain string.
Runs on the Lambda Python runtime with only the standard library and boto3.
"""
import json
import os

import boto3

_clients = {}


def client(name):
    if name not in _clients:
        _clients[name] = boto3.client(name)
    return _clients[name]


def blocked(assessments):
    """True when any policy in the guardrail's assessments blocked the content."""
    if isinstance(assessments, dict):
        return assessments.get("action") == "BLOCKED" or any(blocked(v) for v in assessments.values())
    if isinstance(assessments, list):
        return any(blocked(v) for v in assessments)
    return False


def screen(text, source):
    """(allowed, text): the text after the guardrail, and whether it may go on."""
    response = client("bedrock-runtime").apply_guardrail(
        guardrailIdentifier=os.environ["GUARDRAIL_ID"], guardrailVersion=os.environ["GUARDRAIL_VERSION"],
        source=source, content=[{"text": {"text": text}}])
    if response.get("action") != "GUARDRAIL_INTERVENED":
        return True, text
    outputs = response.get("outputs") or [{}]
    screened = outputs[0].get("text", "")
    return not blocked(response.get("assessments", [])), screened


def answer_text(payload):
    """The generated text of common serving containers' responses."""
    if isinstance(payload, list):
        return answer_text(payload[0]) if payload else ""
    if isinstance(payload, dict):
        for key in ("generated_text", "answer", "outputs"):
            if key in payload:
                return answer_text(payload[key])
        return json.dumps(payload)
    return str(payload)


def respond(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def handler(event, context):
    try:
        prompt = json.loads(event.get("body") or "{}").get("prompt", "")
    except (ValueError, AttributeError):
        return respond(400, {"error": "the body must be a JSON object with a prompt"})
    allowed, prompt = screen(str(prompt), "INPUT")
    if not allowed:
        return respond(400, {"answer": prompt, "screened": True})
    response = client("sagemaker-runtime").invoke_endpoint(
        EndpointName=os.environ["ENDPOINT_NAME"], ContentType="application/json", Accept="application/json",
        Body=json.dumps({"inputs": prompt}))
    raw = response["Body"].read()
    try:
        text = answer_text(json.loads(raw))
    except ValueError:
        text = raw.decode("utf-8", "replace")
    allowed, text = screen(text, "OUTPUT")
    return respond(200, {"answer": text, "screened": not allowed})
