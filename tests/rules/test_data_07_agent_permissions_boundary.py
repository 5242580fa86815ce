from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-07"
BOUNDARY = "arn:aws:iam::123456789012:policy/agent-boundary"


def role(service, boundary=None, name="Role"):
    props = {"AssumeRolePolicyDocument": {"Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}}
    if boundary is not None:
        props["PermissionsBoundary"] = boundary
    return {name: {"Type": "AWS::IAM::Role", "Properties": props}}


def agent(role_arn):
    return {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "AgentResourceRoleArn": role_arn}}}


def test_agentcore_role_with_boundary_passes():
    assert findings(RULE, role("bedrock-agentcore.amazonaws.com", BOUNDARY)) == []
    assert findings(RULE, role("bedrock-agentcore.amazonaws.com", {"Ref": "Boundary"})) == []


def test_agentcore_role_without_boundary_fails():
    assert findings(RULE, role("bedrock-agentcore.amazonaws.com")) == [(RULE, "Role")]
    assert "PermissionsBoundary is not set" in messages(RULE, role("bedrock-agentcore.amazonaws.com"))[0]


def test_bedrock_agent_role_is_judged_but_other_bedrock_roles_are_not():
    resources = {**role("bedrock.amazonaws.com", name="AgentRole"), **role("bedrock.amazonaws.com", name="KbRole"),
                 **agent({"Fn::GetAtt": ["AgentRole", "Arn"]})}
    assert findings(RULE, resources) == [(RULE, "AgentRole")]


def test_boundary_from_fn_if_with_novalue_fails_on_that_branch():
    boundary = {"Fn::If": ["Prod", BOUNDARY, {"Ref": "AWS::NoValue"}]}
    assert findings(RULE, role("bedrock-agentcore.amazonaws.com", boundary)) == [(RULE, "Role")]
    assert "Prod is false" in messages(RULE, role("bedrock-agentcore.amazonaws.com", boundary))[0]


def test_only_at_advanced():
    assert findings(RULE, role("bedrock-agentcore.amazonaws.com"), Phase.ENHANCED) == []
    assert findings(RULE, agent("arn:aws:iam::1:role/outside")) == []
