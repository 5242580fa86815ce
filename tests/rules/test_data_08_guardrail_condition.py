from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-08"
MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
GUARDRAIL = {"StringEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc:1"}}


def policy(statement, roles=None, name="Policy"):
    props = {"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    if roles is not None:
        props["Roles"] = roles
    return {name: {"Type": "AWS::IAM::Policy", "Properties": props}}


def invoke(resource=MODEL, condition=None, action="bedrock:InvokeModel"):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def role(service, name="Role"):
    return {name: {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}}}}


def test_condition_on_guardrail_identifier_passes():
    assert findings(RULE, policy(invoke(condition=GUARDRAIL))) == []
    assert findings(RULE, policy(invoke(condition={"StringLike": {"Bedrock:GuardrailIdentifier": "*:guardrail/abc:*"}}))) == []


def test_missing_condition_fails_also_through_wildcards():
    assert findings(RULE, policy(invoke())) == [(RULE, "Policy")]
    assert findings(RULE, policy(invoke(action="bedrock:Invoke*"))) == [(RULE, "Policy")]
    assert "bedrock:GuardrailIdentifier" in messages(RULE, policy(invoke()))[0]


def test_null_true_does_not_count():
    assert findings(RULE, policy(invoke(condition={"Null": {"bedrock:GuardrailIdentifier": "true"}}))) == [(RULE, "Policy")]


def test_embedding_only_statements_are_not_judged():
    embed = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    assert findings(RULE, policy(invoke(resource=embed))) == []
    sub = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/cohere.embed-english-v3"}
    assert findings(RULE, policy(invoke(resource=sub))) == []
    assert findings(RULE, policy(invoke(resource=[embed, MODEL]))) == [(RULE, "Policy")]


def test_bedrock_service_roles_are_not_judged_but_app_roles_are():
    service = {**role("bedrock.amazonaws.com"), **policy(invoke(), roles=[{"Ref": "Role"}])}
    assert findings(RULE, service) == []
    app = {**role("lambda.amazonaws.com"), **policy(invoke(), roles=[{"Ref": "Role"}])}
    assert findings(RULE, app) == [(RULE, "Policy")]
    outside = {**role("bedrock.amazonaws.com"), **policy(invoke(), roles=[{"Ref": "Role"}, "other-role"])}
    assert findings(RULE, outside) == [(RULE, "Policy")]


def test_inline_policy_on_a_role_and_fn_if_condition():
    inline = {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [invoke()]}}]}}}
    assert findings(RULE, inline) == [(RULE, "Role")]
    branches = policy({"Fn::If": ["Strict", invoke(condition=GUARDRAIL), invoke()]})
    assert findings(RULE, branches) == [(RULE, "Policy")]


def test_only_at_advanced_and_odd_shapes():
    assert findings(RULE, policy(invoke()), Phase.ENHANCED) == []
    odd = policy({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": MODEL, "Condition": "x"})
    assert findings(RULE, odd) == [(RULE, "Policy")]
