from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-24"
KB = {"KB": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"Name": "kb", "RoleArn": "arn:aws:iam::1:role/kb"}}}


def session(status=None):
    props = {} if status is None else {"Status": status}
    return {"Macie": {"Type": "AWS::Macie::Session", "Properties": props}}


def test_enabled_or_default_session_passes():
    assert findings(RULE, {**KB, **session("ENABLED")}) == []
    assert findings(RULE, {**KB, **session()}) == []


def test_missing_session_is_a_workload_finding_on_the_rag_resource():
    assert findings(RULE, KB) == [(RULE, "KB")]
    assert "no AWS::Macie::Session" in messages(RULE, KB)[0]


def test_paused_session_fails_on_the_session_also_from_a_parameter_default():
    assert findings(RULE, {**KB, **session("PAUSED")}) == [(RULE, "Macie")]
    params = {"Parameters": {"S": {"Type": "String", "Default": "PAUSED"}}}
    assert findings(RULE, {**KB, **session({"Ref": "S"})}, **params) == [(RULE, "Macie")]
    assert findings(RULE, {**KB, **session({"Fn::If": ["C", "ENABLED", "PAUSED"]})}) == [(RULE, "Macie")]


def test_phase_and_capability():
    assert findings(RULE, KB, Phase.FOUNDATIONAL) == []
    assert findings(RULE, KB, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, {**KB, **session(["x"])}) == [(RULE, "Macie")]
