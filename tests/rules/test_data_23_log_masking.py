import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-23"
IDENTIFIER = "arn:aws:dataprotection::aws:data-identifier/EmailAddress"
AUDIT = {"Sid": "audit", "DataIdentifier": [IDENTIFIER], "Operation": {"Audit": {"FindingsDestination": {}}}}
MASK = {"Sid": "redact", "DataIdentifier": [IDENTIFIER], "Operation": {"Deidentify": {"MaskConfig": {}}}}


def group(policy=None):
    props = {"RetentionInDays": 365}
    if policy is not None:
        props["DataProtectionPolicy"] = policy
    return {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": props}}


def document(*statements):
    return {"Name": "mask", "Version": "2021-06-01", "Statement": list(statements)}


def test_masking_policy_passes_as_object_or_string():
    assert findings(RULE, group(document(AUDIT, MASK))) == []
    assert findings(RULE, group(json.dumps(document(AUDIT, MASK)))) == []


def test_missing_or_audit_only_policy_fails():
    assert findings(RULE, group()) == [(RULE, "Logs")]
    assert findings(RULE, group(document(AUDIT))) == [(RULE, "Logs")]
    assert "audit-only" in messages(RULE, group(document(AUDIT)))[0]


def test_intrinsics():
    assert findings(RULE, group({"Fn::Sub": "${Policy}"})) == []
    assert findings(RULE, group({"Fn::If": ["Prod", document(MASK), {"Ref": "AWS::NoValue"}]})) == [(RULE, "Logs")]
    params = {"Parameters": {"P": {"Type": "String", "Default": json.dumps(document(AUDIT))}}}
    assert findings(RULE, group({"Ref": "P"}), **params) == [(RULE, "Logs")]


def test_only_at_advanced_and_odd_shapes():
    assert findings(RULE, group(), Phase.ENHANCED) == []
    assert findings(RULE, group("not json")) == [(RULE, "Logs")]
    assert findings(RULE, group({"Statement": "x"})) == [(RULE, "Logs")]
