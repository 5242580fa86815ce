from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-10"
POLICY = "arn:aws:bedrock:us-east-1:111111111111:automated-reasoning-policy/abcdefghijkl"


def guardrail(config):
    props = {"Name": "g", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no"}
    if config is not None:
        props["AutomatedReasoningPolicyConfig"] = config
    return {"Type": "AWS::Bedrock::Guardrail", "Properties": props}


def test_policy_passes_literal_and_reference():
    assert findings(RULE, {"G": guardrail({"Policies": [POLICY]})}) == []
    assert findings(RULE, {"G": guardrail({"Policies": [{"Fn::GetAtt": ["Ar", "PolicyArn"]}]})}) == []


def test_only_at_advanced():
    assert findings(RULE, {"G": guardrail(None)}, Phase.ENHANCED) == []


def test_missing_or_empty_fails():
    assert findings(RULE, {"G": guardrail(None), "H": guardrail({"Policies": []})}) == [(RULE, "G"), (RULE, "H")]


def test_enforced_guardrail_is_exempt():
    enforced = {"Type": "AWS::Bedrock::EnforcedGuardrailConfiguration",
                "Properties": {"GuardrailIdentifier": {"Fn::GetAtt": ["G", "GuardrailId"]}, "GuardrailVersion": "1"}}
    assert findings(RULE, {"G": guardrail(None), "H": guardrail(None), "E": enforced}) == [(RULE, "H")]


def test_fn_if_branch_without_policy_fails():
    config = {"Fn::If": ["Prod", {"Policies": [POLICY]}, {"Ref": "AWS::NoValue"}]}
    assert findings(RULE, {"G": guardrail(config)}) == [(RULE, "G")]
    assert "Prod is false" in messages(RULE, {"G": guardrail(config)})[0]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, {"G": guardrail("x"), "H": guardrail({"Policies": POLICY})}) == [(RULE, "G"), (RULE, "H")]
