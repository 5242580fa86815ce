from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-22"


def group(key=None, retention=None):
    props = {}
    if key is not None:
        props["KmsKeyId"] = key
    if retention is not None:
        props["RetentionInDays"] = retention
    return {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": props}}


def test_encrypted_and_retained_passes():
    assert findings(RULE, group({"Fn::GetAtt": ["Key", "Arn"]}, 365)) == []
    assert findings(RULE, group("arn:aws:kms:us-east-1:123456789012:key/abc", {"Ref": "Days"})) == []


def test_each_missing_property_is_its_own_finding():
    assert findings(RULE, group()) == [(RULE + "[KmsKeyId]", "Logs"), (RULE + "[RetentionInDays]", "Logs")]
    assert findings(RULE, group({"Ref": "Key"})) == [(RULE + "[RetentionInDays]", "Logs")]
    assert "kept forever" in messages(RULE, group({"Ref": "Key"}))[0]


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"Key": {"Type": "String", "Default": ""}}}
    assert findings(RULE, group({"Ref": "Key"}, 30), **params) == [(RULE + "[KmsKeyId]", "Logs")]
    assert findings(RULE, group({"Ref": "Key"}, {"Fn::If": ["Prod", 365, {"Ref": "AWS::NoValue"}]})) == [
        (RULE + "[RetentionInDays]", "Logs")]


def test_phase_and_odd_shapes():
    assert findings(RULE, group(), Phase.FOUNDATIONAL) == []
    assert findings(RULE, group(["x"], 30)) == [(RULE + "[KmsKeyId]", "Logs")]
