from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-15"
ENGINE = {"Fn::GetAtt": ["Engine", "PolicyEngineArn"]}
CEDAR = "permit(principal, action, resource) when { principal.id == \"x\" };"


def gateway(config):
    props = {"Name": "gw", "AuthorizerType": "AWS_IAM", "RoleArn": "arn:aws:iam::1:role/r", "ProtocolType": "MCP"}
    if config is not None:
        props["PolicyEngineConfiguration"] = config
    return {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": props}


def policy(**extra):
    return {"Type": "AWS::BedrockAgentCore::Policy", "Properties": dict(
        {"Name": "p", "PolicyEngineId": {"Ref": "Engine"}, "Definition": {"Cedar": {"Statement": CEDAR}},
         "ValidationMode": "FAIL_ON_ANY_FINDINGS"}, **extra)}


def test_enforcing_engine_passes():
    assert findings(RULE, {"Gw": gateway({"Arn": ENGINE, "Mode": "ENFORCE"}), "P": policy()}) == []


def test_log_only_is_accepted_at_enhanced_only():
    resources = {"Gw": gateway({"Arn": ENGINE, "Mode": "LOG_ONLY"}), "P": policy(EnforcementMode="LOG_ONLY")}
    assert findings(RULE, resources, Phase.ENHANCED) == []
    assert findings(RULE, resources) == [(f"{RULE}[EnforcementMode]", "P"), (f"{RULE}[PolicyEngine]", "Gw")]
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []


def test_missing_engine_and_validation_mode_fail():
    bare = policy()
    del bare["Properties"]["ValidationMode"]
    resources = {"Gw": gateway(None), "P": bare, "Q": policy(ValidationMode="IGNORE_ALL_FINDINGS")}
    assert findings(RULE, resources, Phase.ENHANCED) == [
        (f"{RULE}[PolicyEngine]", "Gw"), (f"{RULE}[ValidationMode]", "P"), (f"{RULE}[ValidationMode]", "Q")]


def test_mode_from_parameter_default_and_fn_if():
    params = {"Parameters": {"Mode": {"Type": "String", "Default": "LOG_ONLY"}}}
    resources = {"Gw": gateway({"Arn": ENGINE, "Mode": {"Ref": "Mode"}})}
    assert findings(RULE, resources, **params) == [(f"{RULE}[PolicyEngine]", "Gw")]
    assert "from the default of parameter Mode" in messages(RULE, resources, **params)[0]
    branch = {"Gw": gateway({"Fn::If": ["Prod", {"Arn": ENGINE, "Mode": "ENFORCE"}, {"Ref": "AWS::NoValue"}]})}
    assert findings(RULE, branch) == [(f"{RULE}[PolicyEngine]", "Gw")]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, {"Gw": gateway("engine"), "P": policy(EnforcementMode=["ACTIVE"])}) == [
        (f"{RULE}[EnforcementMode]", "P"), (f"{RULE}[PolicyEngine]", "Gw")]
