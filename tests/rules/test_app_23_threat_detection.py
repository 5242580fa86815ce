from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-23"
ALL = ["AI_PROTECTION", "S3_DATA_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"]
AGENT = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}


def detector(features=ALL, enable=True, status="ENABLED"):
    props = {"Enable": enable}
    if features is not None:
        props["Features"] = [{"Name": f, "Status": status} for f in features] if isinstance(features, list) else features
    return {"Type": "AWS::GuardDuty::Detector", "Properties": props}


def rule(source="aws.guardduty", targets=True, **props):
    body = {"EventPattern": {"source": [source], "detail-type": ["GuardDuty Finding"]},
            "Targets": [{"Arn": {"Ref": "Topic"}, "Id": "t"}] if targets else []}
    body.update(props)
    return {"Type": "AWS::Events::Rule", "Properties": body}


def test_detector_with_features_and_response_passes():
    assert findings(RULE, {"Agent": AGENT, "Detector": detector(), "Rule": rule()}) == []
    assert findings(RULE, {"Detector": detector(), "Rule": rule("aws.securityhub")}) == []


def test_enforced_from_enhanced():
    assert findings(RULE, {"Agent": AGENT}, Phase.FOUNDATIONAL) == []
    assert findings(RULE, {"Agent": AGENT}, Phase.ENHANCED) == [(RULE, "Agent"), (f"{RULE}[Response]", "Agent")]
    assert "acknowledge AISEC-APP-23 with a reason naming where it lives" in messages(RULE, {"Agent": AGENT})[0]


def test_required_features_follow_capabilities():
    only_ai = {"Detector": detector(["AI_PROTECTION"]), "Rule": rule()}
    assert findings(RULE, only_ai, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, only_ai, capabilities={Capability.CONNECTS}) == [(f"{RULE}[S3_DATA_EVENTS]", "Detector")]
    assert findings(RULE, only_ai, capabilities={Capability.ACTS}) == [
        (f"{RULE}[LAMBDA_NETWORK_LOGS]", "Detector"), (f"{RULE}[RUNTIME_MONITORING]", "Detector")]


def test_disabled_detector_and_disabled_feature():
    resources = {"Detector": detector(enable="false", status="DISABLED"), "Rule": rule()}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [
        (f"{RULE}[AI_PROTECTION]", "Detector"), (f"{RULE}[Enable]", "Detector")]
    legacy = {"Detector": {"Type": "AWS::GuardDuty::Detector", "Properties": {
        "Enable": True, "DataSources": {"S3Logs": {"Enable": True}}}}, "Rule": rule()}
    assert findings(RULE, legacy, capabilities={Capability.ANSWERS}) == [(f"{RULE}[AI_PROTECTION]", "Detector")]


def test_response_rule_must_have_targets_be_enabled_and_on_default_bus():
    base = {"Detector": detector()}
    for bad in (rule(targets=False), rule(State="DISABLED"), rule(EventBusName="custom-bus"), rule("aws.s3")):
        assert findings(RULE, {**base, "Rule": bad}) == [(f"{RULE}[Response]", "Detector")]
    assert findings(RULE, {**base, "Rule": rule(EventBusName="default")}) == []
    as_string = rule(EventPattern='{"source": ["aws.guardduty"]}')
    assert findings(RULE, {**base, "Rule": as_string}) == []


def test_intrinsics_parameter_default_and_unknown_status():
    params = {"Parameters": {"Ai": {"Type": "String", "Default": "DISABLED"}, "X": {"Type": "String"}}}
    resources = {"Detector": detector(["AI_PROTECTION"], status={"Ref": "Ai"}), "Rule": rule()}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}, **params) == [(f"{RULE}[AI_PROTECTION]", "Detector")]
    resources = {"Detector": detector(["AI_PROTECTION"], status={"Ref": "X"}), "Rule": rule()}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}, **params) == [(f"{RULE}[AI_PROTECTION]", "Detector")]
    resources = {"Detector": detector({"Fn::If": ["C", [], []]}), "Rule": rule()}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [(f"{RULE}[AI_PROTECTION]", "Detector")]
    assert "cannot be verified" in messages(RULE, resources)[0]


def test_odd_shapes_do_not_crash():
    resources = {"Detector": detector("AI_PROTECTION"), "Rule": rule(EventPattern="{not json", Targets="t"),
                 "Other": rule(EventPattern=["x"])}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [
        (f"{RULE}[AI_PROTECTION]", "Detector"), (f"{RULE}[Response]", "Detector")]
