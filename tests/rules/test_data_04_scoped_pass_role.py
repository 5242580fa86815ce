import json

import pytest

from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-04"
POLICY = "DeployerRoleDefaultPolicyE5F6A7B8"
COND = "AISEC-DATA-04[Condition::iam:PassedToService]"

TRUST = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                 "Principal": {"Service": "lambda.amazonaws.com"}}]}
PASSED_TO_BEDROCK = {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}


def cdk_role_with_policy(*statements):
    return {
        "DeployerRoleA1B2C3D4": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        "AgentRoleB2C3D4E5": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        POLICY: {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
            "PolicyName": POLICY, "Roles": [{"Ref": "DeployerRoleA1B2C3D4"}]}},
    }


def role_with_inline(statement_or_list):
    return {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": TRUST,
        "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17",
                                                                  "Statement": statement_or_list}}]}}}


def pass_role(resource, condition=None, action="iam:PassRole"):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def test_scoped_pass_role_passes():
    resources = cdk_role_with_policy(
        pass_role({"Fn::GetAtt": ["AgentRoleB2C3D4E5", "Arn"]}, PASSED_TO_BEDROCK),
        pass_role({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
                                     ":role/kb-ingestion-role"]]},
                  {"ForAnyValue:StringEquals": {"IAM:passedtoservice": ["bedrock.amazonaws.com"]}}),
        pass_role("arn:aws:iam::123456789012:role/*BedrockAgentCore*",
                  {"StringLike": {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"}}),
        pass_role({"Fn::ImportValue": "shared-agent-role-arn"}, PASSED_TO_BEDROCK),
        {"Effect": "Allow", "Action": ["iam:GetRole", "s3:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"},
    )
    assert findings(RULE, resources) == []


def test_cdk_shape_with_wildcard_role_and_no_condition_fails_twice():
    resources = cdk_role_with_policy(pass_role({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::",
                                                                  {"Ref": "AWS::AccountId"}, ":role/*"]]}))
    assert findings(RULE, resources) == [
        (COND, POLICY),
        ("AISEC-DATA-04[Resource::arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*]", POLICY),
    ]


def test_condition_missing_alone_fails():
    resources = role_with_inline([pass_role("arn:aws:iam::123456789012:role/agent-role",
                                            {"StringEquals": {"aws:SourceAccount": "123456789012"}})])
    assert findings(RULE, resources) == [(COND, "Role")]
    assert "iam:PassedToService" in messages(RULE, resources)[0]


@pytest.mark.parametrize("resource", ["*", "arn:aws:iam::123456789012:role/*", "arn:aws:iam::123456789012:role/service-role/*",
                                      "arn:aws:iam::123456789012:*"])
def test_wildcard_resources_fail(resource):
    resources = role_with_inline([pass_role(resource, PASSED_TO_BEDROCK)])
    assert findings(RULE, resources) == [(f"AISEC-DATA-04[Resource::{resource}]", "Role")]


@pytest.mark.parametrize("action", ["iam:*", "iam:Pass*", "*", "IAM:passrole", ["s3:GetObject", "iam:PassRole"]])
def test_wildcards_granting_pass_role_are_in_scope(action):
    resources = role_with_inline([pass_role("*", action=action)])
    assert findings(RULE, resources) == [(COND, "Role"), ("AISEC-DATA-04[Resource::*]", "Role")]


def test_not_resource_and_not_action():
    not_resource = role_with_inline([{"Effect": "Allow", "Action": "iam:PassRole",
                                      "NotResource": "arn:aws:iam::123456789012:role/admin", "Condition": PASSED_TO_BEDROCK}])
    assert findings(RULE, not_resource) == [("AISEC-DATA-04[NotResource]", "Role")]
    not_action = role_with_inline([{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}])
    assert findings(RULE, not_action) == [(COND, "Role"), ("AISEC-DATA-04[Resource::*]", "Role")]
    excluded = role_with_inline([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
    assert findings(RULE, excluded) == []


def test_each_fn_if_branch_is_judged():
    resource_if = role_with_inline([pass_role({"Fn::If": ["IsDev", "*", "arn:aws:iam::123456789012:role/agent"]},
                                              PASSED_TO_BEDROCK)])
    assert findings(RULE, resource_if) == [("AISEC-DATA-04[Resource::*]", "Role")]
    assert "when condition IsDev is true" in messages(RULE, resource_if)[0]
    condition_if = role_with_inline([pass_role("arn:aws:iam::123456789012:role/agent",
                                               {"Fn::If": ["IsProd", PASSED_TO_BEDROCK, {"Ref": "AWS::NoValue"}]})])
    assert findings(RULE, condition_if) == [(COND, "Role")]
    assert "when condition IsProd is false" in messages(RULE, condition_if)[0]


def test_parameter_default_is_judged():
    resources = role_with_inline([pass_role({"Ref": "PassableRoles"}, PASSED_TO_BEDROCK)])
    wide = {"Parameters": {"PassableRoles": {"Type": "String", "Default": "arn:aws:iam::123456789012:role/*"}}}
    assert findings(RULE, resources, **wide) == [("AISEC-DATA-04[Resource::arn:aws:iam::123456789012:role/*]", "Role")]
    assert "from the default of parameter PassableRoles" in messages(RULE, resources, **wide)[0]
    narrow = {"Parameters": {"PassableRoles": {"Type": "String", "Default": "arn:aws:iam::123456789012:role/agent"}}}
    assert findings(RULE, resources, **narrow) == []
    none = {"Parameters": {"PassableRoles": {"Type": "String"}}}
    assert findings(RULE, resources, **none) == [("AISEC-DATA-04[Resource::${PassableRoles}]", "Role")]
    sub = role_with_inline([pass_role({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${RoleName}"},
                                      PASSED_TO_BEDROCK)])
    assert findings(RULE, sub, Parameters={"RoleName": {"Type": "String", "Default": "*"}}) == [
        ("AISEC-DATA-04[Resource::arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*]", "Role")]
    assert findings(RULE, sub, Parameters={"RoleName": {"Type": "String"}}) == []


def test_policy_document_as_json_string_single_statement_action_string():
    document = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:PassRole",
                                                                  "Resource": "*"}})
    resources = {"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": document, "PolicyName": "p",
                                                                      "Roles": ["deployer"]}}}
    assert findings(RULE, resources) == [(COND, "Policy"), ("AISEC-DATA-04[Resource::*]", "Policy")]


def test_odd_shapes_do_not_crash():
    resources = role_with_inline([
        pass_role([None, 5, {"Key": "v"}], "not-a-dict"),
        pass_role("arn:aws:iam::123456789012:role/agent", {"StringEquals": "not-a-dict"}),
        pass_role("arn:aws:iam::123456789012:role/agent", {"Fn::GetAtt": ["X", "Y"]}),
        {"Effect": "Allow", "Action": "iam:PassRole", "Condition": PASSED_TO_BEDROCK},  # no Resource: not judged
    ])
    assert findings(RULE, resources) == [(COND, "Role"), ("AISEC-DATA-04[Resource::?]", "Role")]


def test_applies_to_every_capability():
    # a SageMaker notebook role with iam:PassRole on * is the same privilege escalation as an agent's
    resources = role_with_inline([pass_role("*")])
    for capability in Capability:
        assert findings(RULE, resources, Phase.FOUNDATIONAL, capabilities={capability}) == [
            (COND, "Role"), ("AISEC-DATA-04[Resource::*]", "Role")], capability
