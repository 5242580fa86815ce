import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages
from tests.rules.test_inf_01_private_endpoints import endpoint, network

RULE = "AISEC-INF-03"
ACCOUNT_CONDITION = {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}}


def with_policy(document, name="bedrock-runtime", kind="Interface"):
    resource = endpoint(name, kind=kind)
    if document is not None:
        resource["Properties"]["PolicyDocument"] = document
    return {**network(), "Ep": resource}


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal="*", resource="*", condition=None, action="*"):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if principal is not None:
        statement["Principal"] = principal
    if condition:
        statement["Condition"] = condition
    return statement


def test_account_condition_passes():
    assert findings(RULE, with_policy(doc(allow(condition=ACCOUNT_CONDITION)))) == []


def test_specific_principal_or_resource_passes():
    assert findings(RULE, with_policy(doc(allow(principal={"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})))) == []
    agentcore = allow(resource={"Fn::Sub": "arn:${AWS::Partition}:bedrock-agentcore:${AWS::Region}:${AWS::AccountId}:*"},
                      action="bedrock-agentcore:*")
    assert findings(RULE, with_policy(doc(agentcore), name="bedrock-agentcore")) == []


def test_missing_policy_fails():
    assert findings(RULE, with_policy(None)) == [(RULE, "Ep")]
    assert "PolicyDocument is not set" in messages(RULE, with_policy(None))[0]


def test_open_statement_fails_whatever_the_action():
    assert findings(RULE, with_policy(doc(allow(action="bedrock:InvokeModel")))) == [(RULE, "Ep")]
    assert findings(RULE, with_policy(doc(allow(principal={"AWS": ["*"]})))) == [(RULE, "Ep")]
    assert findings(RULE, with_policy(doc(allow(principal=None)))) == [(RULE, "Ep")]
    s3_everything = allow(resource=["arn:aws:s3:::*"], action="s3:GetObject")
    assert findings(RULE, with_policy(doc(s3_everything), name="s3", kind="Gateway")) == [(RULE, "Ep")]


def test_condition_without_a_perimeter_key_does_not_help():
    weak = allow(condition={"Bool": {"aws:SecureTransport": "true"}})
    assert findings(RULE, with_policy(doc(weak))) == [(RULE, "Ep")]
    assert "Statement[0]" in messages(RULE, with_policy(doc(weak)))[0]


def test_deny_statements_are_ignored():
    deny = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    assert findings(RULE, with_policy(doc(deny, allow(condition=ACCOUNT_CONDITION)))) == []


def test_json_string_policy_is_parsed_and_bad_json_cannot_be_verified():
    assert findings(RULE, with_policy(json.dumps(doc(allow())))) == [(RULE, "Ep")]
    assert findings(RULE, with_policy(json.dumps(doc(allow(condition={"StringEquals": {"aws:PrincipalAccount": "123456789012"}}))))) == []
    assert "not valid JSON" in messages(RULE, with_policy("{not json"))[0]


def test_fn_if_branches_and_references():
    branches = {"Fn::If": ["Strict", doc(allow(condition=ACCOUNT_CONDITION)), doc(allow())]}
    assert findings(RULE, with_policy(branches)) == [(RULE, "Ep")]
    assert "Strict is false" in messages(RULE, with_policy(branches))[0]
    assert "cannot be verified" in messages(RULE, with_policy({"Fn::ImportValue": "Policy"}))[0]


def test_types_without_policies_are_skipped_and_phase_is_advanced():
    assert findings(RULE, with_policy(None, kind="GatewayLoadBalancer")) == []
    assert findings(RULE, with_policy(None), Phase.ENHANCED) == []


def test_odd_statement_shapes_do_not_crash():
    odd = {"Version": "2012-10-17", "Statement": ["text", {"Effect": "Allow", "Principal": {"Service": "x"}, "Resource": [1]}]}
    assert findings(RULE, with_policy(odd)) == []
    assert findings(RULE, with_policy(["a", "list"])) == [(RULE, "Ep")]
