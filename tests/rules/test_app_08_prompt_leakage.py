from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-08"
PROFILE = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:guardrail-profile/us.guardrail.v1:0"}


def guardrail(tier, profile=PROFILE):
    props = {"Name": "g", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no",
             "ContentPolicyConfig": {"FiltersConfig": [{"Type": "HATE", "InputStrength": "HIGH", "OutputStrength": "HIGH"}]}}
    if tier is not None:
        props["ContentPolicyConfig"]["ContentFiltersTierConfig"] = {"TierName": tier}
    if profile is not None:
        props["CrossRegionConfig"] = {"GuardrailProfileArn": profile}
    return {"G": {"Type": "AWS::Bedrock::Guardrail", "Properties": props}}


def test_standard_tier_with_profile_passes():
    assert findings(RULE, guardrail("STANDARD"), Phase.ENHANCED) == []
    assert findings(RULE, guardrail(None), Phase.FOUNDATIONAL) == []


def test_classic_or_default_tier_fails():
    assert findings(RULE, guardrail("CLASSIC")) == [(RULE, "G")]
    assert "defaults to CLASSIC" in messages(RULE, guardrail(None))[0]


def test_standard_without_profile_fails():
    assert findings(RULE, guardrail("STANDARD", profile=None)) == [(RULE, "G")]
    assert "GuardrailProfileArn is not set" in messages(RULE, guardrail("STANDARD", profile=None))[0]


def test_tier_from_parameter_and_fn_if():
    params = {"Parameters": {"Tier": {"Type": "String", "Default": "CLASSIC"}}}
    assert findings(RULE, guardrail({"Ref": "Tier"}), **params) == [(RULE, "G")]
    assert "from the default of parameter Tier" in messages(RULE, guardrail({"Ref": "Tier"}), **params)[0]
    assert findings(RULE, guardrail({"Fn::If": ["Prod", "STANDARD", "CLASSIC"]})) == [(RULE, "G")]


def test_odd_shapes_do_not_crash():
    resources = guardrail("STANDARD")
    resources["G"]["Properties"]["ContentPolicyConfig"] = "x"
    resources["G"]["Properties"]["CrossRegionConfig"] = ["y"]
    assert findings(RULE, resources) == [(RULE, "G")]
