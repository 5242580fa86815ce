"""AISEC-DATA-31: resource policies of agents, knowledge bases and guardrails admit no one outside the account."""
import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-31"
RUNTIME = "arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/r-1"


def statement(principal="*", sid="Invoke", **extra):
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "bedrock-agentcore:InvokeAgentRuntime",
            "Resource": "*", **extra}


def agentcore(*statements):
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return {"Policy": {"Type": "AWS::BedrockAgentCore::ResourcePolicy",
                       "Properties": {"ResourceArn": RUNTIME, "Policy": policy}}}


def knowledge_base(*statements):
    return {"KbPolicy": {"Type": "AWS::Bedrock::KnowledgeBasePolicy", "Properties": {
        "KnowledgeBaseId": "KB12345678", "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}}}


def test_named_principals_and_account_conditions_pass():
    assert findings(RULE, agentcore(statement({"AWS": "arn:aws:iam::111111111111:role/caller"}))) == []
    for key in ("aws:SourceAccount", "aws:PrincipalAccount", "aws:PrincipalOrgID"):
        bounded = statement(Condition={"StringEquals": {key: "111111111111"}})
        assert findings(RULE, agentcore(bounded)) == [], key
    assert findings(RULE, knowledge_base(statement({"AWS": "*"}, Condition={
        "StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))) == []


def test_open_principals_fail_per_statement():
    resources = agentcore(statement(), statement({"AWS": ["*"]}, sid="Second"))
    assert findings(RULE, resources) == [("AISEC-DATA-31[Statement::Invoke]", "Policy"),
                                         ("AISEC-DATA-31[Statement::Second]", "Policy")]
    assert "allows Principal * without a condition on aws:SourceAccount" in messages(RULE, resources)[0]
    unnamed = knowledge_base({k: v for k, v in statement().items() if k != "Sid"})
    assert findings(RULE, unnamed) == [("AISEC-DATA-31[Statement::0]", "KbPolicy")]
    guardrail = {"Guardrail": {"Type": "AWS::Bedrock::ResourcePolicy", "Properties": {
        "ResourceArn": "arn:aws:bedrock:us-east-1:111111111111:guardrail/g", "PolicyDocument": {
            "Statement": [statement()]}}}}
    assert findings(RULE, guardrail) == [("AISEC-DATA-31[Statement::Invoke]", "Guardrail")]


def test_weak_conditions_and_not_principal_fail():
    for condition in ({"StringEqualsIfExists": {"aws:SourceAccount": "111111111111"}},
                      {"StringNotEquals": {"aws:PrincipalAccount": "222222222222"}},
                      {"StringLike": {"aws:PrincipalOrgID": "*"}},
                      {"Bool": {"aws:SecureTransport": "true"}}):
        assert findings(RULE, agentcore(statement(Condition=condition))) == [
            ("AISEC-DATA-31[Statement::Invoke]", "Policy")], condition
    not_principal = {k: v for k, v in statement().items() if k != "Principal"}
    not_principal["NotPrincipal"] = {"AWS": "arn:aws:iam::111111111111:root"}
    assert findings(RULE, agentcore(not_principal)) == [("AISEC-DATA-31[Statement::Invoke]", "Policy")]
    deny = dict(statement(), Effect="Deny")
    assert findings(RULE, agentcore(deny)) == []


def test_intrinsics_sub_fn_if_parameter_default_and_unreadable():
    sub = {"Policy": {"Type": "AWS::BedrockAgentCore::ResourcePolicy", "Properties": {
        "ResourceArn": RUNTIME, "Policy": {"Fn::Sub": json.dumps({"Statement": [statement(
            Condition={"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"}})]})}}}}
    assert findings(RULE, sub) == []
    branch = knowledge_base(statement({"Fn::If": ["Open", "*", {"AWS": {"Fn::GetAtt": ["Caller", "Arn"]}}]}))
    branch["Caller"] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
    assert findings(RULE, branch) == [("AISEC-DATA-31[Statement::Invoke]", "KbPolicy")]
    by_default = knowledge_base(statement({"AWS": {"Ref": "Caller"}}))
    assert findings(RULE, by_default, Parameters={"Caller": {"Type": "String", "Default": "*"}}) == [
        ("AISEC-DATA-31[Statement::Invoke]", "KbPolicy")]
    assert findings(RULE, by_default, Parameters={"Caller": {"Type": "String"}}) == [
        ("AISEC-DATA-31[Unverifiable::Statement::Invoke]", "KbPolicy")]
    role = knowledge_base(statement({"AWS": {"Fn::GetAtt": ["Caller", "Arn"]}}))
    role["Caller"] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
    assert findings(RULE, role) == []
    imported = {"Policy": {"Type": "AWS::BedrockAgentCore::ResourcePolicy", "Properties": {
        "ResourceArn": RUNTIME, "Policy": {"Fn::ImportValue": "SharedPolicy"}}}}
    assert findings(RULE, imported) == [("AISEC-DATA-31[Unverifiable::PolicyDocument]", "Policy")]
    unknown_principal = knowledge_base(statement({"Fn::GetAtt": ["Caller", "Principal"]}))
    assert findings(RULE, unknown_principal) == [("AISEC-DATA-31[Unverifiable::Statement::Invoke]", "KbPolicy")]


def test_from_enhanced_on():
    assert findings(RULE, agentcore(statement()), Phase.FOUNDATIONAL) == []
    assert findings(RULE, agentcore(statement()), Phase.ENHANCED) != []
