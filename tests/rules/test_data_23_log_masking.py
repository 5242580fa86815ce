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


def account_policy(document_value, policy_type="DATA_PROTECTION_POLICY", **extra):
    return {"Account": {"Type": "AWS::Logs::AccountPolicy",
                        "Properties": {"PolicyName": "mask-pii", "PolicyType": policy_type, "Scope": "ALL",
                                       "PolicyDocument": document_value, **extra}}}


def test_a_masking_account_policy_satisfies_every_log_group():
    assert findings(RULE, {**group(), **account_policy(json.dumps(document(AUDIT, MASK)))}) == []
    assert findings(RULE, {**group(), **account_policy({"Fn::Sub": "${Doc}"})}) == []  # an intrinsic counts as set


def test_an_account_policy_that_does_not_mask_or_is_not_data_protection_does_not_count():
    assert findings(RULE, {**group(), **account_policy(json.dumps(document(AUDIT)))}) == [(RULE, "Logs")]
    assert findings(RULE, {**group(), **account_policy(json.dumps(document(MASK)), "SUBSCRIPTION_FILTER_POLICY")}) == [
        (RULE, "Logs")]
    assert findings(RULE, {**group(), **account_policy(json.dumps(document(MASK)), SelectionCriteria="x")}) == [
        (RULE, "Logs")]
    params = {"Parameters": {"T": {"Type": "String", "Default": "FIELD_INDEX_POLICY"}}}
    assert findings(RULE, {**group(), **account_policy(json.dumps(document(MASK)), {"Ref": "T"})}, **params) == [
        (RULE, "Logs")]
    conditional = {"Fn::If": ["Prod", "DATA_PROTECTION_POLICY", "TRANSFORMER_POLICY"]}
    assert findings(RULE, {**group(), **account_policy(json.dumps(document(MASK)), conditional)}) == [(RULE, "Logs")]
    assert "DATA_PROTECTION_POLICY" in messages(RULE, group())[0]


def test_an_account_policy_in_another_stack_of_the_environment_counts_but_not_in_another_environment():
    from aisec_rules.engine import evaluate_system
    from aisec_rules.read.stack import Stack
    from aisec_rules.read.template import Template
    from aisec_rules.registry import BY_ID

    def run(policy_environment):
        work = {**group(), "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/r"}},
                "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}}}}
        stacks = [Stack(Template({"Resources": account_policy(json.dumps(document(MASK)))}, "base.template.json"),
                        "Base", policy_environment),
                  Stack(Template({"Resources": work}, "work.template.json"), "Work", "aws://111111111111/us-east-1")]
        return [(f.id, f.resource) for f in evaluate_system(stacks, Phase.ADVANCED, rules=[BY_ID[RULE]])]

    assert run("aws://111111111111/us-east-1") == []
    assert run("aws://111111111111/eu-west-1") == [(RULE, "Logs")]
