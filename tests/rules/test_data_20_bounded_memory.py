from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-20"


def memory(days):
    return {"Memory": {"Type": "AWS::BedrockAgentCore::Memory", "Properties": {"Name": "m", "EventExpiryDuration": days}}}


def agent(storage_days=None, ttl=None):
    props = {"AgentName": "a"}
    if storage_days is not None:
        props["MemoryConfiguration"] = {"EnabledMemoryTypes": ["SESSION_SUMMARY"], "StorageDays": storage_days}
    if ttl is not None:
        props["IdleSessionTTLInSeconds"] = ttl
    return {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": props}}


def runtime(lifecycle=None):
    props = {"AgentRuntimeName": "rt", "RoleArn": "arn:aws:iam::1:role/rt"}
    if lifecycle is not None:
        props["LifecycleConfiguration"] = lifecycle
    return {"Runtime": {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": props}}


def test_bounded_values_pass():
    resources = {**memory(30), **agent(30, 1800), **runtime({"IdleRuntimeSessionTimeout": 900, "MaxLifetime": 28800})}
    assert findings(RULE, resources) == []
    assert findings(RULE, agent()) == []


def test_long_memory_and_sessions_fail():
    assert findings(RULE, memory(365)) == [(RULE + "[EventExpiryDuration]", "Memory")]
    assert "is 365 days" in messages(RULE, memory(365))[0]
    assert findings(RULE, agent(90, 5400)) == [(RULE + "[IdleSessionTTLInSeconds]", "Agent"), (RULE + "[StorageDays]", "Agent")]


def test_runtime_lifecycle_must_be_explicit():
    assert findings(RULE, runtime()) == [(RULE + "[IdleRuntimeSessionTimeout]", "Runtime"), (RULE + "[MaxLifetime]", "Runtime")]
    assert findings(RULE, runtime({"IdleRuntimeSessionTimeout": 900})) == [(RULE + "[MaxLifetime]", "Runtime")]


def test_intrinsics_and_strings():
    params = {"Parameters": {"Days": {"Type": "Number", "Default": "90"}}}
    assert findings(RULE, memory({"Ref": "Days"}), **params) == [(RULE + "[EventExpiryDuration]", "Memory")]
    assert "from the default of parameter Days" in messages(RULE, memory({"Ref": "Days"}), **params)[0]
    assert findings(RULE, memory("30")) == []
    assert findings(RULE, memory({"Ref": "Days"}), Parameters={"Days": {"Type": "Number"}}) == [
        (RULE + "[EventExpiryDuration]", "Memory")]
    assert findings(RULE, agent(ttl={"Fn::If": ["Prod", 600, 3600]})) == [(RULE + "[IdleSessionTTLInSeconds]", "Agent")]


def test_phase_and_odd_shapes():
    assert findings(RULE, memory(365), Phase.FOUNDATIONAL) == []
    assert findings(RULE, memory(True)) == [(RULE + "[EventExpiryDuration]", "Memory")]
    assert findings(RULE, {"Memory": {"Type": "AWS::BedrockAgentCore::Memory", "Properties": {}}}) == [
        (RULE + "[EventExpiryDuration]", "Memory")]
