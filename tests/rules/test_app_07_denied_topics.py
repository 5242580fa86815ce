from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-07"
TOPIC = {"Name": "Investment", "Definition": "Investment advice", "Type": "DENY"}


def guardrail(topics):
    props = {"Name": "g", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no"}
    if topics is not None:
        props["TopicPolicyConfig"] = {"TopicsConfig": topics}
    return {"G": {"Type": "AWS::Bedrock::Guardrail", "Properties": props}}


def test_denied_topic_passes():
    assert findings(RULE, guardrail([TOPIC]), Phase.ENHANCED) == []
    assert findings(RULE, guardrail(None), Phase.FOUNDATIONAL) == []


def test_no_topics_fails():
    assert findings(RULE, guardrail(None)) == [(RULE, "G")]


def test_topic_switched_off_on_both_sides_fails():
    off = dict(TOPIC, InputEnabled=False, OutputAction="NONE")
    assert findings(RULE, guardrail([off])) == [(RULE, "G")]
    assert findings(RULE, guardrail([dict(TOPIC, InputEnabled=False)])) == []


def test_conditional_topic_and_parameter_type():
    conditional = [{"Fn::If": ["Prod", TOPIC, {"Ref": "AWS::NoValue"}]}]
    assert findings(RULE, guardrail(conditional)) == [(RULE, "G")]
    typed = [dict(TOPIC, Type={"Ref": "Kind"})]
    assert findings(RULE, guardrail(typed), Parameters={"Kind": {"Type": "String", "Default": "DENY"}}) == []
    assert "cannot be verified" in messages(RULE, guardrail(typed), Parameters={"Kind": {"Type": "String"}})[0]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, guardrail({"a": 1})) == [(RULE, "G")]
    assert findings(RULE, guardrail(["x", 3])) == [(RULE, "G")]
