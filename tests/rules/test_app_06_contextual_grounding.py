from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-06"


def guardrail(filters):
    props = {"Name": "g", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no"}
    if filters is not None:
        props["ContextualGroundingPolicyConfig"] = {"FiltersConfig": filters}
    return {"G": {"Type": "AWS::Bedrock::Guardrail", "Properties": props}}


GOOD = [{"Type": "GROUNDING", "Threshold": 0.75}, {"Type": "RELEVANCE", "Threshold": 0.7, "Action": "BLOCK"}]


def test_grounding_and_relevance_pass():
    assert findings(RULE, guardrail(GOOD), Phase.ENHANCED) == []


def test_only_for_rag_workloads():
    assert findings(RULE, guardrail(None), capabilities={Capability.ANSWERS}) == []


def test_missing_policy_fails_both_types():
    assert findings(RULE, guardrail(None)) == [(f"{RULE}[GROUNDING]", "G"), (f"{RULE}[RELEVANCE]", "G")]


def test_low_threshold_action_none_and_disabled_fail():
    filters = [{"Type": "GROUNDING", "Threshold": 0.5},
               {"Type": "RELEVANCE", "Threshold": 0.9, "Action": "NONE", "Enabled": "false"}]
    assert findings(RULE, guardrail(filters)) == [(f"{RULE}[GROUNDING]", "G"), (f"{RULE}[RELEVANCE]", "G")]
    text = messages(RULE, guardrail(filters))
    assert "Threshold is 0.5" in text[0] and "Action is NONE" in text[1] and "Enabled is false" in text[1]


def test_threshold_from_parameter_default_and_unknown():
    filters = [{"Type": "GROUNDING", "Threshold": {"Ref": "T"}}, {"Type": "RELEVANCE", "Threshold": {"Ref": "U"}}]
    params = {"Parameters": {"T": {"Type": "Number", "Default": 0.4}, "U": {"Type": "Number"}}}
    assert findings(RULE, guardrail(filters), **params) == [(f"{RULE}[GROUNDING]", "G"), (f"{RULE}[RELEVANCE]", "G")]
    text = messages(RULE, guardrail(filters), **params)
    assert "from the default of parameter T" in text[0] and "cannot be verified" in text[1]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, guardrail("nope")) == [(f"{RULE}[GROUNDING]", "G"), (f"{RULE}[RELEVANCE]", "G")]
    assert findings(RULE, guardrail([{"Type": "GROUNDING", "Threshold": "high"}, "x", GOOD[1]])) == [
        (f"{RULE}[GROUNDING]", "G")]
