"""AISEC-DATA-29: no identity an AI workload runs as may erase or switch off evidence."""
from aisec_rules.model import Phase
from aisec_rules.rules.data.evidence_tampering import FORBIDDEN
from tests.rules.helpers import allow, findings, ids, messages, role

RULE = "AISEC-DATA-29"


def test_a_least_privilege_agent_role_passes():
    assert findings(RULE, role("bedrock.amazonaws.com", allow("bedrock:InvokeModel"), allow("s3:GetObject"))) == []


def test_each_forbidden_action_is_its_own_finding_on_the_policy():
    resources = role("bedrock-agentcore.amazonaws.com", allow(["cloudtrail:StopLogging", "logs:DeleteLogGroup"]))
    assert findings(RULE, resources) == [("AISEC-DATA-29[Action::cloudtrail:StopLogging]", "Role"),
                                         ("AISEC-DATA-29[Action::logs:DeleteLogGroup]", "Role")]
    text = messages(RULE, resources)[0]
    assert "Role (trusted by bedrock-agentcore.amazonaws.com)" in text and "Action cloudtrail:StopLogging" in text


def test_wildcards_count():
    assert ids(findings(RULE, role("sagemaker.amazonaws.com", allow("logs:Delete*")))) == [
        "AISEC-DATA-29[Action::logs:DeleteLogGroup]", "AISEC-DATA-29[Action::logs:DeleteLogStream]",
        "AISEC-DATA-29[Action::logs:DeleteRetentionPolicy]"]
    assert len(findings(RULE, role("bedrock.amazonaws.com", allow("s3:*")))) == 7
    everything = findings(RULE, role("bedrock.amazonaws.com", allow("*")))
    assert ids(everything) == sorted(f"AISEC-DATA-29[Action::{a}]" for a in FORBIDDEN)
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert len(findings(RULE, role("bedrock.amazonaws.com", not_action))) == len(FORBIDDEN)


def test_an_explicit_unconditional_deny_neutralizes_the_grant():
    deny = {"Effect": "Deny", "Action": ["s3:DeleteObjectVersion", "s3:Put*", "s3:DeleteBucketPolicy",
                                         "s3:BypassGovernanceRetention"], "Resource": "*"}
    assert findings(RULE, role("bedrock.amazonaws.com", allow("s3:*"), deny)) == []
    conditional = dict(deny, Condition={"StringEquals": {"aws:ResourceTag/archive": "true"}})
    assert len(findings(RULE, role("bedrock.amazonaws.com", allow("s3:*"), conditional))) == 7


def test_roles_of_other_services_are_not_workload_identities():
    assert findings(RULE, role("cloudtrail.amazonaws.com", allow("*"))) == []
    admin_function = role("lambda.amazonaws.com", allow("*"))  # a bare * does not make a function an AI handler
    assert findings(RULE, admin_function) == []


def tool_agent(function_role_statements):
    resources = role("lambda.amazonaws.com", *function_role_statements, name="ToolRole")
    resources["Tool"] = {"Type": "AWS::Lambda::Function", "Properties": {
        "Role": {"Fn::GetAtt": ["ToolRole", "Arn"]}, "Runtime": "python3.13", "Handler": "i.h", "Code": {"ZipFile": "x"}}}
    resources["Agent"] = {"Type": "AWS::Bedrock::Agent", "Properties": {
        "AgentName": "a", "AgentResourceRoleArn": "arn:aws:iam::111111111111:role/agent", "ActionGroups": [
            {"ActionGroupName": "g", "ActionGroupExecutor": {"Lambda": {"Fn::GetAtt": ["Tool", "Arn"]}}}]}}
    return resources


def test_tool_functions_and_model_calling_functions_are_workload_identities():
    assert findings(RULE, tool_agent([allow("bedrock:DeleteGuardrail")])) == [
        ("AISEC-DATA-29[Action::bedrock:DeleteGuardrail]", "ToolRole")]
    assert "the role of Tool, a tool of Agent" in messages(RULE, tool_agent([allow("bedrock:DeleteGuardrail")]))[0]
    handler = role("lambda.amazonaws.com", allow("bedrock:InvokeModel"), allow("guardduty:UpdateDetector"), name="Fn")
    handler["Function"] = {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Fn", "Arn"]}}}
    assert findings(RULE, handler) == [("AISEC-DATA-29[Action::guardduty:UpdateDetector]", "Fn")]
    assert "which calls bedrock:InvokeModel" in messages(RULE, handler)[0]


def test_attached_policies_and_managed_policies_count():
    resources = role("bedrock.amazonaws.com", name="KbRole")
    resources["Attached"] = {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "x", "Roles": [{"Ref": "KbRole"}],
        "PolicyDocument": {"Statement": [allow("s3:PutBucketPolicy")]}}}
    resources["Managed"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "PolicyDocument": {"Statement": [allow("bedrock:PutModelInvocationLoggingConfiguration")]}}}
    resources["KbRole"]["Properties"]["ManagedPolicyArns"] = [{"Ref": "Managed"}]
    assert findings(RULE, resources) == [
        ("AISEC-DATA-29[Action::bedrock:PutModelInvocationLoggingConfiguration]", "Managed"),
        ("AISEC-DATA-29[Action::s3:PutBucketPolicy]", "Attached")]


def test_intrinsics_fn_if_parameter_default_and_unreadable_documents():
    branch = {"Effect": "Allow", "Action": {"Fn::If": ["Debug", "logs:*", "logs:PutLogEvents"]}, "Resource": "*"}
    result = findings(RULE, role("bedrock.amazonaws.com", branch))
    assert "AISEC-DATA-29[Action::logs:PutRetentionPolicy]" in ids(result)
    by_default = {"Effect": "Allow", "Action": {"Ref": "Extra"}, "Resource": "*"}
    parameters = {"Extra": {"Type": "String", "Default": "cloudtrail:UpdateTrail"}}
    assert findings(RULE, role("bedrock.amazonaws.com", by_default), Parameters=parameters) == [
        ("AISEC-DATA-29[Action::cloudtrail:UpdateTrail]", "Role")]
    unreadable = role("bedrock.amazonaws.com")
    unreadable["Role"]["Properties"]["Policies"] = [{"PolicyName": "p", "PolicyDocument": {"Fn::ImportValue": "Doc"}}]
    assert findings(RULE, unreadable) == [("AISEC-DATA-29[Unverifiable::PolicyDocument]", "Role")]


def test_from_enhanced_on():
    assert findings(RULE, role("bedrock.amazonaws.com", allow("*")), Phase.FOUNDATIONAL) == []
    assert findings(RULE, role("bedrock.amazonaws.com", allow("*")), Phase.ENHANCED) != []
