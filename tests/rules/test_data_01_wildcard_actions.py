import json

from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-01"

TRUST = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                 "Principal": {"Service": "bedrock.amazonaws.com"}}]}
MODEL_ARN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:", {"Ref": "AWS::Region"},
                               "::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]]}


def cdk_role_with_policy(*statements):
    """The shape CDK synthesizes for a role and its grants: a role plus an AWS::IAM::Policy."""
    return {
        "AgentRoleA1B2C3D4": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        "AgentRoleDefaultPolicyE5F6A7B8": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
            "PolicyName": "AgentRoleDefaultPolicyE5F6A7B8",
            "Roles": [{"Ref": "AgentRoleA1B2C3D4"}]}},
    }


def role_with_inline(statement_or_list):
    return {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": TRUST,
        "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17",
                                                                  "Statement": statement_or_list}}]}}}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


POLICY = "AgentRoleDefaultPolicyE5F6A7B8"


RUNTIME_ARN = {"Fn::GetAtt": ["Runtime", "AgentRuntimeArn"]}


def test_scoped_actions_pass():
    resources = cdk_role_with_policy(
        allow(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], MODEL_ARN),
        allow("bedrock:Invoke*", MODEL_ARN),
        allow(["bedrock-agentcore:InvokeAgentRuntime", "sagemaker:InvokeEndpoint"], RUNTIME_ARN),
        allow("s3:GetObject", "arn:aws:s3:::docs-bucket/*"),
    )
    assert findings(RULE, resources) == []


def test_identities_outside_ai_workloads_keep_the_ai_service_check_only():
    """Issue 22 asks more of AI workload roles only: a role no AI workload runs as may still hold s3:* and an
    AgentCore invocation on *; the same grants on the agent role fail (this fixture passed before issue 22 with
    the agent role: its expectation moved to the next test)."""
    resources = cdk_role_with_policy(allow(["bedrock-agentcore:InvokeAgentRuntime", "sagemaker:InvokeEndpoint"], "*"),
                                     allow("s3:*", "arn:aws:s3:::docs-bucket/*"))
    ops_trust = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                         "Principal": {"AWS": "arn:aws:iam::111111111111:root"}}]}
    resources["AgentRoleA1B2C3D4"]["Properties"]["AssumeRolePolicyDocument"] = ops_trust
    assert findings(RULE, resources) == []


def test_ai_workload_roles_fail_any_service_wildcard_and_scopable_actions_on_star():
    resources = cdk_role_with_policy(
        allow(["bedrock-agentcore:InvokeAgentRuntime", "sagemaker:InvokeEndpoint"], "*"),
        allow(["s3:*", "IAM:*", "lambda:*?"], "arn:aws:s3:::docs-bucket/*"),
        allow("bedrock:Retrieve*", "*"),
        allow("bedrock:*", "*"),  # reported as a full-service wildcard, not again per action
        allow("bedrock:InvokeAgent", {"Fn::GetAtt": ["Alias", "AgentAliasArn"]}),
        {"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
    )
    assert findings(RULE, resources) == [
        (f"{RULE}[Action::IAM:*]", POLICY), (f"{RULE}[Action::bedrock:*]", POLICY), (f"{RULE}[Action::lambda:*?]", POLICY),
        (f"{RULE}[Action::s3:*]", POLICY), (f"{RULE}[WildcardResource::bedrock-agentcore:InvokeAgentRuntime]", POLICY),
        (f"{RULE}[WildcardResource::bedrock:RetrieveAndGenerate]", POLICY),
        (f"{RULE}[WildcardResource::bedrock:Retrieve]", POLICY)]
    text = " ".join(messages(RULE, resources))
    assert "AgentRoleA1B2C3D4 (trusted by bedrock.amazonaws.com)" in text and "every s3 action" in text


def test_tool_function_role_is_a_workload_role_and_intrinsics_are_judged_per_branch():
    lambda_trust = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                            "Principal": {"Service": "lambda.amazonaws.com"}}]}
    resources = {
        "ToolRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": lambda_trust, "Policies": [
            {"PolicyName": "p", "PolicyDocument": {"Statement": [
                allow({"Fn::If": ["Broad", "dynamodb:*", "dynamodb:GetItem"]}, "*"),
                allow({"Ref": "Extra"}, "*")]}}]}},
        "Tool": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["ToolRole", "Arn"]}}},
        "Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "ActionGroups": [
            {"ActionGroupName": "g", "ActionGroupExecutor": {"Lambda": {"Fn::GetAtt": ["Tool", "Arn"]}}}]}},
    }
    params = {"Parameters": {"Extra": {"Type": "String", "Default": "sqs:*"}}}
    assert findings(RULE, resources, **params) == [(f"{RULE}[Action::dynamodb:*]", "ToolRole"),
                                                   (f"{RULE}[Action::sqs:*]", "ToolRole")]
    text = " ".join(messages(RULE, resources, **params))
    assert "when condition Broad is true" in text and "parameter Extra" in text and "a tool of Agent" in text


def test_cdk_shape_with_service_wildcards_fails_per_pattern():
    resources = cdk_role_with_policy(
        allow(["bedrock:*", "bedrock-agentcore:*"], "*"),
        allow("sagemaker:*", "*"),
    )
    assert findings(RULE, resources) == [
        ("AISEC-DATA-01[Action::bedrock-agentcore:*]", POLICY),
        ("AISEC-DATA-01[Action::bedrock:*]", POLICY),
        ("AISEC-DATA-01[Action::sagemaker:*]", POLICY),
    ]


def test_star_action_fails():
    assert findings(RULE, role_with_inline([allow("*")])) == [("AISEC-DATA-01[Action::*]", "Role")]
    assert "every action of every service" in messages(RULE, role_with_inline([allow("*")]))[0]


def test_case_and_service_wildcards_are_matched_and_detail_keeps_the_pattern_as_written():
    resources = role_with_inline([allow(["Bedrock:*", "bedrock*:*", "*:*", "SageMaker:**"])])
    assert findings(RULE, resources) == [
        ("AISEC-DATA-01[Action::*:*]", "Role"),
        ("AISEC-DATA-01[Action::Bedrock:*]", "Role"),
        ("AISEC-DATA-01[Action::SageMaker:**]", "Role"),
        ("AISEC-DATA-01[Action::bedrock*:*]", "Role"),
    ]


def test_identical_patterns_on_one_resource_are_one_finding():
    resources = cdk_role_with_policy(allow("bedrock:*"), allow(["bedrock:*", "s3:GetObject"], "*"))
    assert findings(RULE, resources) == [("AISEC-DATA-01[Action::bedrock:*]", POLICY)]
    assert len(messages(RULE, resources)) == 1


def test_same_pattern_on_two_resources_is_two_findings():
    resources = {**cdk_role_with_policy(allow("bedrock:*")), **role_with_inline([allow("bedrock:*")])}
    assert findings(RULE, resources) == [("AISEC-DATA-01[Action::bedrock:*]", POLICY),
                                         ("AISEC-DATA-01[Action::bedrock:*]", "Role")]


def test_deny_never_fails():
    resources = role_with_inline([{"Effect": "Deny", "Action": "*", "Resource": "*"},
                                  {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}])
    assert findings(RULE, resources) == []


def test_not_action_fails_unless_it_excludes_all_ai_services():
    broad = role_with_inline([{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}])
    assert findings(RULE, broad) == [("AISEC-DATA-01[NotAction]", "Role")]
    partial = role_with_inline([{"Effect": "Allow", "NotAction": ["bedrock:*", "sagemaker:*"], "Resource": "*"}])
    assert findings(RULE, partial) == [("AISEC-DATA-01[NotAction]", "Role")]
    assert "bedrock-agentcore" in messages(RULE, partial)[0]
    excluded = role_with_inline([{"Effect": "Allow", "NotAction": ["bedrock*:*", "SageMaker:*"], "Resource": "*"}])
    assert findings(RULE, excluded) == []


def test_other_identity_policy_holders_are_checked():
    doc = {"Version": "2012-10-17", "Statement": [allow("bedrock:*")]}
    resources = {
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc}},
        "UserInline": {"Type": "AWS::IAM::User", "Properties": {"Policies": [{"PolicyName": "u", "PolicyDocument": doc}]}},
        "GroupInline": {"Type": "AWS::IAM::Group", "Properties": {"Policies": [{"PolicyName": "g", "PolicyDocument": doc}]}},
        "RolePolicy": {"Type": "AWS::IAM::RolePolicy",
                       "Properties": {"PolicyDocument": doc, "PolicyName": "r", "RoleName": "some-role"}},
    }
    assert findings(RULE, resources) == [("AISEC-DATA-01[Action::bedrock:*]", r)
                                         for r in ("GroupInline", "Managed", "RolePolicy", "UserInline")]


def test_each_fn_if_branch_is_judged():
    resources = role_with_inline([allow({"Fn::If": ["IsDev", "bedrock:*", "bedrock:InvokeModel"]}, MODEL_ARN)])
    assert findings(RULE, resources) == [("AISEC-DATA-01[Action::bedrock:*]", "Role")]
    assert "when condition IsDev is true" in messages(RULE, resources)[0]
    item_level = role_with_inline([allow(["bedrock:InvokeModel", {"Fn::If": ["IsDev", "sagemaker:*",
                                                                             {"Ref": "AWS::NoValue"}]}])])
    assert findings(RULE, item_level) == [("AISEC-DATA-01[Action::sagemaker:*]", "Role")]


def test_parameter_default_is_judged_and_named():
    resources = role_with_inline([allow({"Ref": "BedrockActions"}, MODEL_ARN)])
    wide = {"Parameters": {"BedrockActions": {"Type": "String", "Default": "bedrock:*"}}}
    narrow = {"Parameters": {"BedrockActions": {"Type": "String", "Default": "bedrock:InvokeModel"}}}
    assert findings(RULE, resources, **wide) == [("AISEC-DATA-01[Action::bedrock:*]", "Role")]
    assert "from the default of parameter BedrockActions" in messages(RULE, resources, **wide)[0]
    assert findings(RULE, resources, **narrow) == []


def test_parameter_without_default_is_unverifiable():
    resources = role_with_inline([allow({"Ref": "Actions"})])
    params = {"Parameters": {"Actions": {"Type": "String"}}}
    assert findings(RULE, resources, **params) == [("AISEC-DATA-01[Action::${Actions}]", "Role")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_policy_document_as_json_string():
    document = json.dumps({"Version": "2012-10-17", "Statement": [allow("bedrock-agentcore:*")]})
    resources = {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
                 "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": document, "PolicyName": "p",
                                                                       "Roles": [{"Ref": "Role"}]}}}
    assert findings(RULE, resources) == [("AISEC-DATA-01[Action::bedrock-agentcore:*]", "Policy")]


def test_statement_as_single_object_and_action_as_string():
    assert findings(RULE, role_with_inline(allow("bedrock:*"))) == [("AISEC-DATA-01[Action::bedrock:*]", "Role")]


def test_odd_shapes_do_not_crash():
    resources = {
        "A": {"Type": "AWS::IAM::Role", "Properties": {"Policies": "not-a-list"}},
        "B": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "x", "PolicyDocument": "{not json"}]}},
        "C": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": ["text", 3, None]}}},
        "D": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": [None, 7, {"Nested": "x"}], "Resource": "*"},
            {"Effect": "Allow", "NotAction": {"Fn::GetAtt": ["X", "Y"]}, "Resource": "*"}]}}},
        "E": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": {"Effect": "Allow"}}}},
    }
    # an object where an action string belongs cannot be judged; a NotAction that cannot be resolved
    # excludes nothing the rule can see; text that is not JSON where policies, a document or statements
    # belong cannot be verified (never passed)
    assert findings(RULE, resources) == [("AISEC-DATA-01[Action::?]", "D"), ("AISEC-DATA-01[NotAction]", "D"),
                                         ("AISEC-DATA-01[Unverifiable::Policies]", "A"),
                                         ("AISEC-DATA-01[Unverifiable::PolicyDocument.Statement]", "C"),
                                         ("AISEC-DATA-01[Unverifiable::PolicyDocument]", "B")]


def test_applies_at_foundational_for_every_capability():
    resources = role_with_inline([allow("bedrock:*")])
    for capability in Capability:
        assert findings(RULE, resources, Phase.FOUNDATIONAL, capabilities={capability}) == [
            ("AISEC-DATA-01[Action::bedrock:*]", "Role")]
