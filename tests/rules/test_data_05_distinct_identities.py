from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-05"


def role(name="R"):
    return {name: {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}}}


def kb(name, role_arn):
    return {name: {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"Name": name, "RoleArn": role_arn}}}


def agent(name, role_arn):
    return {name: {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": name, "AgentResourceRoleArn": role_arn}}}


def runtime(name, role_arn):
    return {name: {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {"AgentRuntimeName": name, "RoleArn": role_arn}}}


def test_distinct_roles_pass():
    resources = {**role("R1"), **role("R2"), **kb("KB", {"Fn::GetAtt": ["R1", "Arn"]}),
                 **agent("Agent", {"Fn::GetAtt": ["R2", "Arn"]})}
    assert findings(RULE, resources) == []


def test_shared_role_fails_on_every_user():
    resources = {**role("R1"), **kb("KB", {"Fn::GetAtt": ["R1", "Arn"]}), **agent("Agent", {"Fn::GetAtt": ["R1", "Arn"]}),
                 **runtime("Rt", {"Fn::GetAtt": ["R1", "Arn"]})}
    assert findings(RULE, resources) == [(RULE, "Agent"), (RULE, "KB"), (RULE, "Rt")]
    assert "RoleArn R1 is also the role of Agent, Rt" in messages(RULE, resources)[1]


def test_same_literal_arn_and_parameter_default_are_the_same_role():
    arn = "arn:aws:iam::123456789012:role/shared"
    resources = {**kb("KB", arn), **agent("Agent", {"Ref": "RoleParam"})}
    params = {"Parameters": {"RoleParam": {"Type": "String", "Default": arn}}}
    assert findings(RULE, resources, **params) == [(RULE, "Agent"), (RULE, "KB")]


def test_same_import_is_shared_but_different_imports_pass():
    same = {**kb("KB", {"Fn::ImportValue": "Role"}), **agent("Agent", {"Fn::ImportValue": "Role"})}
    assert findings(RULE, same) == [(RULE, "Agent"), (RULE, "KB")]
    different = {**kb("KB", {"Fn::ImportValue": "RoleA"}), **agent("Agent", {"Fn::ImportValue": "RoleB"})}
    assert findings(RULE, different) == []


def test_ref_and_getatt_to_the_same_role_match_and_fn_if_branches_are_compared():
    resources = {**role("R1"), **kb("KB", {"Ref": "R1"}), **agent("Agent", {"Fn::Sub": "${R1.Arn}"})}
    assert findings(RULE, resources) == [(RULE, "Agent"), (RULE, "KB")]
    branches = {**kb("KB", {"Fn::If": ["C", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"]}),
                **agent("Agent", "arn:aws:iam::1:role/b")}
    assert findings(RULE, branches) == [(RULE, "Agent"), (RULE, "KB")]


def test_not_enforced_at_foundational_and_odd_shapes_do_not_crash():
    resources = {**role("R1"), **kb("KB", {"Ref": "R1"}), **agent("Agent", {"Ref": "R1"})}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    odd = {**kb("KB", ["not", "a", "string"]), **agent("Agent", 42), "X": {"Type": "AWS::Bedrock::KnowledgeBase"}}
    assert findings(RULE, odd) == []
