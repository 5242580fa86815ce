"""The ApplyGuardrail runner with botocore's Stubber: requests in the service's shape, outcomes, retries with
backoff on throttling, errors that stop a run, bounded concurrency."""
import threading
import time

import botocore.session
import pytest
from botocore.stub import Stubber

from aisec_rules.probe import runner
from aisec_rules.probe.runner import ProbeError, Target
from aisec_rules.probe.suite import load

SUITE = load()
PROBES = [p for p in SUITE.base if p.id in ("pi-001", "cred-001", "ok-001")]
TARGET = Target("abc123def456", "3")
USAGE = {"topicPolicyUnits": 0, "contentPolicyUnits": 1, "wordPolicyUnits": 1, "sensitiveInformationPolicyUnits": 1,
         "sensitiveInformationPolicyFreeUnits": 0, "contextualGroundingPolicyUnits": 0}


def client():
    return botocore.session.get_session().create_client(
        "bedrock-runtime", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")


def answer(action="NONE", assessments=(), outputs=()):
    return {"usage": USAGE, "action": action, "outputs": [{"text": t} for t in outputs], "assessments": list(assessments)}


BLOCKED_ATTACK = answer("GUARDRAIL_INTERVENED", [{"contentPolicy": {"filters": [
    {"type": "PROMPT_ATTACK", "confidence": "HIGH", "filterStrength": "HIGH", "action": "BLOCKED", "detected": True}]}}],
    ["Sorry, I cannot help with that request."])
MASKED_KEY = answer("GUARDRAIL_INTERVENED", [{"sensitiveInformationPolicy": {"piiEntities": [
    {"match": "AKIAIOSFODNN7EXAMPLE", "type": "AWS_ACCESS_KEY", "action": "BLOCKED", "detected": True}], "regexes": []}},
    {"wordPolicy": {"customWords": [], "managedWordLists": [{"match": "x", "type": "PROFANITY", "action": "NONE"}]}}])


def test_each_probe_is_one_apply_guardrail_call_in_the_service_shape():
    bedrock = client()
    with Stubber(bedrock) as stub:
        for probe, response in zip(PROBES, (BLOCKED_ATTACK, MASKED_KEY, answer()), strict=True):
            stub.add_response("apply_guardrail", response, {
                "guardrailIdentifier": "abc123def456", "guardrailVersion": "3", "source": probe.source,
                "content": [{"text": {"text": probe.text}}]})
        outcomes = runner.run(bedrock, TARGET, PROBES, concurrency=1)
        stub.assert_no_pending_responses()
    assert [(o.probe.id, o.blocked, o.policies) for o in outcomes] == [
        ("pi-001", True, ("content:PROMPT_ATTACK",)),
        ("cred-001", True, ("pii:AWS_ACCESS_KEY:BLOCKED",)),
        ("ok-001", False, ())]
    assert outcomes[0].usage["contentPolicyUnits"] == 1 and outcomes[0].attempts == 1
    assert outcomes[0].to_dict() == {"id": "pi-001", "category": "prompt_injection", "source": "INPUT",
                                     "expect": "block", "action": "GUARDRAIL_INTERVENED",
                                     "policies": ["content:PROMPT_ATTACK"]}


def test_throttling_is_retried_with_growing_backoff():
    bedrock, waits = client(), []
    with Stubber(bedrock) as stub:
        for _ in range(3):
            stub.add_client_error("apply_guardrail", "ThrottlingException", "Too many requests", 429)
        stub.add_response("apply_guardrail", answer())
        outcome, = runner.run(bedrock, TARGET, PROBES[:1], concurrency=1, backoff=1.0, sleep=waits.append)
    assert outcome.attempts == 4 and not outcome.blocked
    assert len(waits) == 3
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and 2.0 <= waits[2] <= 4.0


def test_a_run_throttled_past_its_attempts_stops_with_advice():
    bedrock = client()
    with Stubber(bedrock) as stub:
        for _ in range(3):
            stub.add_client_error("apply_guardrail", "ThrottlingException", "Too many requests", 429)
        with pytest.raises(ProbeError, match=r"still throttled or unavailable after 3 attempts \(ThrottlingException\); "
                                             "lower the concurrency"):
            runner.run(bedrock, TARGET, PROBES[:1], concurrency=1, max_attempts=3, sleep=lambda s: None)


@pytest.mark.parametrize("code, message", [
    ("AccessDeniedException", "guardrail abc123def456 version 3: access denied: the caller needs bedrock:ApplyGuardrail"),
    ("ResourceNotFoundException", "guardrail abc123def456 version 3: no such guardrail or version"),
    ("ValidationException", "guardrail abc123def456 version 3: ValidationException: An error occurred"),
])
def test_other_errors_stop_the_run_at_once(code, message):
    bedrock, waits = client(), []
    with Stubber(bedrock) as stub:
        stub.add_client_error("apply_guardrail", code, "nope", 400)
        with pytest.raises(ProbeError, match=message):
            runner.run(bedrock, TARGET, PROBES, concurrency=1, sleep=waits.append)
    assert waits == []


class SlowClient:
    """Thread-safe stand-in that records how many calls run at once."""

    def __init__(self, fail_on=None):
        self.lock, self.running, self.most, self.calls, self.fail_on = threading.Lock(), 0, 0, 0, fail_on

    def apply_guardrail(self, **request):
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        time.sleep(0.01)
        with self.lock:
            self.running -= 1
        if request["content"][0]["text"]["text"] == self.fail_on:
            raise type("ClientError", (Exception,), {"response": {"Error": {"Code": "AccessDeniedException"}}})("denied")
        return answer("GUARDRAIL_INTERVENED" if request["source"] == "INPUT" else "NONE")


def test_concurrency_is_bounded_and_outcomes_keep_the_probe_order():
    probes = SUITE.probes[:40]
    fake = SlowClient()
    outcomes = runner.run(fake, TARGET, probes, concurrency=3)
    assert 1 < fake.most <= 3
    assert [o.probe.id for o in outcomes] == [p.id for p in probes]


def test_a_failure_under_concurrency_is_the_error_reported():
    probes = SUITE.probes[:40]
    fake = SlowClient(fail_on=probes[5].text)
    with pytest.raises(ProbeError, match="access denied"):
        runner.run(fake, TARGET, probes, concurrency=4)
    assert fake.calls < len(probes)  # the rest of the run was cancelled
