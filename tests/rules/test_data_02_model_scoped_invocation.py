import json

import pytest

from aisec_rules.rules.data.model_scoped_invocation import model_arn_problem
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-02"
POLICY = "AgentRoleDefaultPolicyE5F6A7B8"

TRUST = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                 "Principal": {"Service": "lambda.amazonaws.com"}}]}
INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def join(*parts):
    return {"Fn::Join": ["", list(parts)]}


PARTITION, REGION, ACCOUNT = {"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}
CDK_MODEL = join("arn:", PARTITION, ":bedrock:", REGION, "::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")
CDK_PROFILE = join("arn:", PARTITION, ":bedrock:", REGION, ":", ACCOUNT,
                   ":inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0")
CDK_ALL_MODELS = join("arn:", PARTITION, ":bedrock:", REGION, "::foundation-model/*")


def cdk_role_with_policy(*statements):
    return {
        "AgentRoleA1B2C3D4": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        POLICY: {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
            "PolicyName": POLICY, "Roles": [{"Ref": "AgentRoleA1B2C3D4"}]}},
    }


def role_with_inline(statement_or_list):
    return {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": TRUST,
        "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17",
                                                                  "Statement": statement_or_list}}]}}}


def allow(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def test_specific_models_pass():
    resources = cdk_role_with_policy(
        allow(INVOKE, [CDK_MODEL, CDK_PROFILE,
                       "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0",
                       "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456",
                       "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123",
                       "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/xyz",
                       "arn:aws:bedrock:us-east-1:123456789012:imported-model/im1",
                       "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1",
                       "arn:aws:bedrock:us-east-1::foundation-model/anthropic.*"]),
        allow(["s3:GetObject"], "*"),
        allow(["bedrock:Retrieve"], "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678"),
    )
    assert findings(RULE, resources) == []


def test_cdk_shape_with_wildcard_model_arn_fails():
    resources = cdk_role_with_policy(allow(INVOKE, [CDK_MODEL, CDK_ALL_MODELS]))
    assert findings(RULE, resources) == [
        ("AISEC-DATA-02[Resource::arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/*]", POLICY)]
    assert "every foundation-model" in messages(RULE, resources)[0]


def test_star_resource_fails():
    resources = role_with_inline([allow("bedrock:InvokeModel", "*")])
    assert findings(RULE, resources) == [("AISEC-DATA-02[Resource::*]", "Role")]
    assert "Converse" in messages(RULE, resources)[0]


@pytest.mark.parametrize("action", ["bedrock:Invoke*", "bedrock:*", "*", "BEDROCK:invokemodel",
                                    "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeModel*"])
def test_wildcards_covering_invoke_model_are_in_scope(action):
    assert findings(RULE, role_with_inline([allow(action, "*")])) == [("AISEC-DATA-02[Resource::*]", "Role")]


def test_actions_not_covering_invoke_model_are_out_of_scope():
    resources = role_with_inline([allow(["bedrock:InvokeAgent", "bedrock:Retrieve", "bedrock:Get*"], "*"),
                                  {"Effect": "Deny", "Action": "bedrock:InvokeModel", "Resource": "*"}])
    assert findings(RULE, resources) == []


def test_not_resource_and_not_action():
    not_resource = role_with_inline([{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                      "NotResource": "arn:aws:bedrock:us-east-1::foundation-model/x.y"}])
    assert findings(RULE, not_resource) == [("AISEC-DATA-02[NotResource]", "Role")]
    not_action = role_with_inline([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
    assert findings(RULE, not_action) == [("AISEC-DATA-02[Resource::*]", "Role")]
    excluded = role_with_inline([{"Effect": "Allow", "NotAction": "bedrock:*", "Resource": "*"}])
    assert findings(RULE, excluded) == []


def test_non_model_arns_in_an_invoke_statement_fail():
    resources = role_with_inline([allow(["bedrock:InvokeModel", "s3:GetObject"],
                                        ["arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
                                         "arn:aws:s3:::docs-bucket/*",
                                         "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AG/AL",
                                         "arn:aws:bedrock:us-east-1::*/*"])])
    assert findings(RULE, resources) == [
        ("AISEC-DATA-02[Resource::arn:aws:bedrock:us-east-1:123456789012:agent-alias/AG/AL]", "Role"),
        ("AISEC-DATA-02[Resource::arn:aws:bedrock:us-east-1::*/*]", "Role"),
        ("AISEC-DATA-02[Resource::arn:aws:s3:::docs-bucket/*]", "Role"),
    ]


def test_references_to_model_resources_pass_and_others_fail_naming_the_type():
    resources = {
        **cdk_role_with_policy(allow(INVOKE, [{"Fn::GetAtt": ["Profile", "InferenceProfileArn"]}, {"Ref": "Profile"},
                                              {"Fn::GetAtt": ["Router", "PromptRouterArn"]},
                                              {"Fn::ImportValue": "shared-model-arn"},
                                              {"Fn::GetAtt": ["Bucket", "Arn"]}])),
        "Profile": {"Type": "AWS::Bedrock::ApplicationInferenceProfile", "Properties": {
            "InferenceProfileName": "app",
            "ModelSource": {"CopyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"}}},
        "Router": {"Type": "AWS::Bedrock::IntelligentPromptRouter", "Properties": {
            "PromptRouterName": "router",
            "Models": [{"ModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"},
                       {"ModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"}],
            "FallbackModel": {"ModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"},
            "RoutingCriteria": {"ResponseQualityDifference": 10}}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    }
    assert findings(RULE, resources) == [("AISEC-DATA-02[Resource::${Bucket.Arn}]", POLICY)]
    assert "AWS::S3::Bucket" in messages(RULE, resources)[0]


def test_fn_sub_arns_placeholders_and_parameter_defaults():
    specific = role_with_inline([allow(INVOKE, {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::"
                                                           "foundation-model/${ModelId}"})])
    assert findings(RULE, specific, Parameters={"ModelId": {"Type": "String"}}) == []
    assert findings(RULE, specific, Parameters={"ModelId": {"Type": "String", "Default": "amazon.nova-lite-v1:0"}}) == []
    wide = {"Parameters": {"ModelId": {"Type": "String", "Default": "*"}}}
    assert findings(RULE, specific, **wide) == [
        ("AISEC-DATA-02[Resource::arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/*]", "Role")]
    assert "from the default of parameter ModelId" in messages(RULE, specific, **wide)[0]
    ssm = {"Parameters": {"ModelId": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/model-id"}}}
    assert findings(RULE, specific, **ssm) == []


def test_ref_to_parameter_is_judged_by_its_default():
    resources = role_with_inline([allow("bedrock:InvokeModel", {"Ref": "ModelArn"})])
    star = {"Parameters": {"ModelArn": {"Type": "String", "Default": "*"}}}
    assert findings(RULE, resources, **star) == [("AISEC-DATA-02[Resource::*]", "Role")]
    assert "from the default of parameter ModelArn" in messages(RULE, resources, **star)[0]
    good = {"Parameters": {"ModelArn": {"Type": "String",
                                        "Default": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"}}}
    assert findings(RULE, resources, **good) == []
    none = {"Parameters": {"ModelArn": {"Type": "String"}}}
    assert findings(RULE, resources, **none) == [("AISEC-DATA-02[Resource::${ModelArn}]", "Role")]
    assert "cannot be verified" in messages(RULE, resources, **none)[0]


def test_each_fn_if_branch_is_judged():
    resources = role_with_inline([allow("bedrock:InvokeModel", [
        {"Fn::If": ["IsDev", "*", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"]},
        {"Fn::If": ["IsDev", {"Ref": "AWS::NoValue"}, CDK_MODEL]}])])
    assert findings(RULE, resources) == [("AISEC-DATA-02[Resource::*]", "Role")]
    assert "when condition IsDev is true" in messages(RULE, resources)[0]


def test_policy_document_as_json_string_with_single_statement_object():
    document = json.dumps({"Version": "2012-10-17", "Statement": allow("bedrock:InvokeModel", "*")})
    resources = {"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": document, "PolicyName": "p",
                                                                      "Roles": ["some-role"]}}}
    assert findings(RULE, resources) == [("AISEC-DATA-02[Resource::*]", "Policy")]


def test_odd_shapes_do_not_crash():
    resources = role_with_inline([
        allow("bedrock:InvokeModel", [None, 42, {"Key": "value"}]),
        {"Effect": "Allow", "Action": "bedrock:InvokeModel"},  # no Resource: invalid, skipped
        allow("bedrock:InvokeModel", {"Fn::Join": ["", [{"Fn::If": ["C", "a", "b"]}]]}),
    ])
    # an Fn::Join over Fn::If branches is judged on each text it may take
    assert findings(RULE, resources) == [("AISEC-DATA-02[Resource::42]", "Role"), ("AISEC-DATA-02[Resource::?]", "Role"),
                                         ("AISEC-DATA-02[Resource::a]", "Role"), ("AISEC-DATA-02[Resource::b]", "Role")]


@pytest.mark.parametrize("arn,ok", [
    ("arn:aws:bedrock:us-east-1::foundation-model/a.b", True),
    ("arn:aws-cn:bedrock:*:*:inference-profile/${Profile}", True),
    ("arn:aws:bedrock:us-east-1::foundation-model/", False),
    ("arn:aws:bedrock:us-east-1::foundation-model", False),
    ("arn:aws:bedrock:us-east-1::foundation-model/**", False),
    ("arn:aws:bedrock:us-east-1:1:${Type}/x", False),
    ("arn:aws:bedrock-agentcore:us-east-1:1:runtime/x", False),
    ("**", False),
    ("foundation-model/a.b", False),
])
def test_model_arn_problem(arn, ok):
    assert (model_arn_problem(arn) is None) is ok
