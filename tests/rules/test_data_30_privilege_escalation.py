"""AISEC-DATA-30: no identity an AI workload runs as may raise its own privileges."""
from aisec_rules.model import Phase
from aisec_rules.rules.data.privilege_escalation import ESCALATION
from tests.rules.helpers import allow, findings, ids, messages, role

RULE = "AISEC-DATA-30"


def test_a_least_privilege_agent_role_passes():
    assert findings(RULE, role("bedrock.amazonaws.com", allow("bedrock:InvokeModel"), allow("s3:GetObject"))) == []


def test_each_escalation_action_on_any_resource_is_its_own_finding():
    resources = role("bedrock-agentcore.amazonaws.com", allow(["iam:AttachRolePolicy", "sts:AssumeRole"]))
    assert findings(RULE, resources) == [("AISEC-DATA-30[Action::iam:AttachRolePolicy]", "Role"),
                                         ("AISEC-DATA-30[Action::sts:AssumeRole]", "Role")]
    text = messages(RULE, resources)[0]
    assert "Role (trusted by bedrock-agentcore.amazonaws.com)" in text
    assert "Action ['iam:AttachRolePolicy'" not in text and "Action iam:AttachRolePolicy on Resource *" in text
    assert "attach AdministratorAccess to its own role" in text


def test_wildcards_and_not_action_count():
    assert ids(findings(RULE, role("sagemaker.amazonaws.com", allow("iam:Put*Policy")))) == [
        "AISEC-DATA-30[Action::iam:PutGroupPolicy]", "AISEC-DATA-30[Action::iam:PutRolePolicy]",
        "AISEC-DATA-30[Action::iam:PutUserPolicy]"]
    everything = sorted(f"AISEC-DATA-30[Action::{a}]" for a in (*ESCALATION, "iam:PassRole"))  # * starts code too
    assert ids(findings(RULE, role("bedrock.amazonaws.com", allow("*")))) == everything
    not_action = {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}
    assert ids(findings(RULE, role("bedrock.amazonaws.com", not_action))) == everything


def test_wildcard_resources_count_and_named_resources_pass():
    assert findings(RULE, role("bedrock.amazonaws.com", allow("sts:AssumeRole", "arn:aws:iam::*:role/*"))) == [
        ("AISEC-DATA-30[Action::sts:AssumeRole]", "Role")]
    not_resource = {"Effect": "Allow", "Action": "iam:CreateAccessKey", "NotResource": "arn:aws:iam::1:user/x"}
    assert findings(RULE, role("bedrock.amazonaws.com", not_resource)) == [
        ("AISEC-DATA-30[Action::iam:CreateAccessKey]", "Role")]
    named = allow("sts:AssumeRole", "arn:aws:iam::111111111111:role/reader")
    assert findings(RULE, role("bedrock.amazonaws.com", named)) == []


def test_an_explicit_unconditional_deny_neutralizes_and_a_condition_does_not():
    deny = {"Effect": "Deny", "Action": ["iam:*", "sts:*"], "Resource": "*"}
    assert findings(RULE, role("bedrock.amazonaws.com", allow("*"), deny)) == []
    conditional = allow("iam:CreatePolicyVersion", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert findings(RULE, role("bedrock.amazonaws.com", conditional)) == [
        ("AISEC-DATA-30[Action::iam:CreatePolicyVersion]", "Role")]


def test_pass_role_on_any_role_fails_only_with_a_service_that_runs_code():
    assert findings(RULE, role("bedrock.amazonaws.com", allow("iam:PassRole"))) == []
    with_lambda = role("bedrock.amazonaws.com", allow("iam:PassRole"), allow("lambda:CreateFunction",
                                                                           "arn:aws:lambda:*:*:function:x"))
    assert findings(RULE, with_lambda) == [("AISEC-DATA-30[Action::iam:PassRole]", "Role")]
    assert "Role may also call lambda:CreateFunction" in messages(RULE, with_lambda)[0]
    many = role("bedrock.amazonaws.com", allow(["iam:PassRole", "ec2:*", "sagemaker:Create*"]))
    assert "and more" in messages(RULE, many)[0]
    named = role("bedrock.amazonaws.com", allow("iam:PassRole", {"Fn::GetAtt": ["Other", "Arn"]}),
                 allow("lambda:CreateFunction"))
    named.update(role("lambda.amazonaws.com", name="Other"))
    assert findings(RULE, named) == []


def test_roles_of_other_services_are_not_workload_identities():
    assert findings(RULE, role("cloudformation.amazonaws.com", allow("*"))) == []
    assert findings(RULE, role("lambda.amazonaws.com", allow("*"))) == []


def test_tool_functions_and_attached_policies_count():
    resources = role("lambda.amazonaws.com", name="ToolRole")
    resources["Tool"] = {"Type": "AWS::Lambda::Function", "Properties": {
        "Role": {"Fn::GetAtt": ["ToolRole", "Arn"]}, "Runtime": "python3.13", "Handler": "i.h", "Code": {"ZipFile": "x"}}}
    resources["Agent"] = {"Type": "AWS::Bedrock::Agent", "Properties": {
        "AgentName": "a", "AgentResourceRoleArn": "arn:aws:iam::111111111111:role/agent", "ActionGroups": [
            {"ActionGroupName": "g", "ActionGroupExecutor": {"Lambda": {"Fn::GetAtt": ["Tool", "Arn"]}}}]}}
    resources["Attached"] = {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "x", "Roles": [{"Ref": "ToolRole"}],
        "PolicyDocument": {"Statement": [allow("iam:UpdateAssumeRolePolicy")]}}}
    assert findings(RULE, resources) == [("AISEC-DATA-30[Action::iam:UpdateAssumeRolePolicy]", "Attached")]
    assert "ToolRole (the role of Tool, a tool of Agent)" in messages(RULE, resources)[0]


def test_intrinsics_fn_if_parameter_default_and_unreadable_documents():
    branch = allow({"Fn::If": ["Admin", "iam:*", "iam:GetRole"]})
    assert "AISEC-DATA-30[Action::iam:CreateLoginProfile]" in ids(findings(RULE, role("bedrock.amazonaws.com", branch)))
    by_default = allow("sts:AssumeRole", {"Ref": "Target"})
    parameters = {"Target": {"Type": "String", "Default": "*"}}
    assert findings(RULE, role("bedrock.amazonaws.com", by_default), Parameters=parameters) == [
        ("AISEC-DATA-30[Action::sts:AssumeRole]", "Role")]
    unknown = {"Target": {"Type": "String"}}
    assert findings(RULE, role("bedrock.amazonaws.com", by_default), Parameters=unknown) == [
        ("AISEC-DATA-30[Action::sts:AssumeRole]", "Role")]
    assert "cannot be verified at synth time" in messages(RULE, role("bedrock.amazonaws.com", by_default),
                                                          Parameters=unknown)[0]
    unreadable = role("bedrock.amazonaws.com")
    unreadable["Role"]["Properties"]["Policies"] = [{"PolicyName": "p", "PolicyDocument": {"Fn::ImportValue": "Doc"}}]
    assert findings(RULE, unreadable) == [("AISEC-DATA-30[Unverifiable::PolicyDocument]", "Role")]


def test_from_foundational_on():
    assert findings(RULE, role("bedrock.amazonaws.com", allow("iam:*")), Phase.FOUNDATIONAL) != []
