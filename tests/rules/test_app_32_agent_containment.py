"""AISEC-APP-32: every agent and AgentCore runtime has an automated containment path."""
import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-32"
GUARDDUTY = {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}


def agent(role=None, tool=True):
    props = {"AgentName": "a", "AgentResourceRoleArn": role or {"Fn::GetAtt": ["AgentRole", "Arn"]}}
    if tool:
        props["ActionGroups"] = [{"ActionGroupName": "g", "ActionGroupExecutor": {"Lambda": {"Fn::GetAtt": ["Tool", "Arn"]}}}]
    return {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": props},
            "AgentRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
            "Tool": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/tool"}}}


def responder(statements, pattern=GUARDDUTY, state=None):
    rule = {"EventPattern": pattern, "Targets": [{"Id": "t", "Arn": {"Fn::GetAtt": ["Contain", "Arn"]}}]}
    if state:
        rule["State"] = state
    return {
        "ContainRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}, "Policies": [
            {"PolicyName": "p", "PolicyDocument": {"Statement": statements}}]}},
        "Contain": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["ContainRole", "Arn"]}}},
        "OnFinding": {"Type": "AWS::Events::Rule", "Properties": rule},
    }


QUARANTINE = {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": {"Fn::GetAtt": ["AgentRole", "Arn"]}}
STOP = {"Effect": "Allow", "Action": "lambda:PutFunctionConcurrency", "Resource": {"Fn::GetAtt": ["Tool", "Arn"]}}


def test_a_guardduty_rule_targeting_a_function_that_can_quarantine_role_and_tools_passes():
    assert findings(RULE, {**agent(), **responder([QUARANTINE, STOP])}) == []
    wildcard = {"Effect": "Allow", "Action": ["iam:PutRolePolicy", "lambda:*"], "Resource": "*"}
    assert findings(RULE, {**agent(), **responder([wildcard])}) == []


def test_an_agent_without_containment_fails():
    assert findings(RULE, agent()) == [(RULE, "Agent")]
    assert "no automated containment path" in messages(RULE, agent())[0]


def test_a_rule_on_something_else_or_disabled_does_not_count():
    other = {"source": ["aws.s3"]}
    assert findings(RULE, {**agent(), **responder([QUARANTINE, STOP], pattern=other)}) == [(RULE, "Agent")]
    assert findings(RULE, {**agent(), **responder([QUARANTINE, STOP], state="DISABLED")}) == [(RULE, "Agent")]
    as_string = json.dumps(GUARDDUTY)  # EventPattern may be a JSON string
    assert findings(RULE, {**agent(), **responder([QUARANTINE, STOP], pattern=as_string)}) == []


def test_a_function_that_cannot_stop_a_tool_is_a_granular_finding():
    assert findings(RULE, {**agent(), **responder([QUARANTINE])}) == [("AISEC-APP-32[Tool::Tool]", "Agent")]


def test_a_function_allowed_on_another_role_does_not_count():
    elsewhere = dict(QUARANTINE, Resource="arn:aws:iam::111111111111:role/other")
    assert findings(RULE, {**agent(), **responder([elsewhere, STOP])}) == [(RULE, "Agent")]


def test_literal_role_arns_match_patterns_and_unknown_roles_cannot_be_matched():
    literal = agent(role="arn:aws:iam::111111111111:role/support-agent", tool=False)
    pattern = dict(QUARANTINE, Resource="arn:aws:iam::111111111111:role/support-*")
    assert findings(RULE, {**literal, **responder([pattern])}) == []
    parameter = agent(role={"Ref": "AgentRoleArn"}, tool=False)
    parameters = {"AgentRoleArn": {"Type": "String"}}
    assert findings(RULE, {**parameter, **responder([pattern])}, Parameters=parameters) == [(RULE, "Agent")]
    by_default = {"AgentRoleArn": {"Type": "String", "Default": "arn:aws:iam::111111111111:role/support-agent"}}
    assert findings(RULE, {**parameter, **responder([pattern])}, Parameters=by_default) == []


def test_agentcore_runtimes_are_judged_too():
    runtime = {"Runtime": {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {
        "AgentRuntimeName": "rt", "RoleArn": {"Fn::GetAtt": ["AgentRole", "Arn"]}}},
        "AgentRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}
    assert findings(RULE, runtime) == [(RULE, "Runtime")]
    assert findings(RULE, {**runtime, **responder([QUARANTINE])}) == []


def test_only_at_advanced():
    assert findings(RULE, agent(), Phase.ENHANCED) == []
