"""PrivateToolFunction: each secure default, code signing, the opt-out, grants, and compliance
(alone and as an agent's action-group executor)."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_signer as signer
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.infrastructure import IsolatedNetwork, PrivateToolFunction
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.cdk.pack import AiSecurityChecks
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

CODE = "def handler(event, context):\n    return {'ok': True}\n"


def synth(stack):
    """The stack's template, checked by cfn-lint (every template these tests synthesize must pass)."""
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    return template


def tool(stack, construct_id="Tool", network=None, **props):
    network = network or IsolatedNetwork(stack, "Network", capabilities=[Capability.ACTS])
    return PrivateToolFunction(stack, construct_id, network=network, code=lambda_.Code.from_inline(CODE),
                               handler="index.handler", **props)


def agent(stack, function):
    return bedrock.CfnAgent(stack, "Agent", agent_name="support", foundation_model="anthropic.claude-3-haiku-20240307-v1:0",
                            agent_resource_role_arn="arn:aws:iam::123456789012:role/agent",
                            action_groups=[bedrock.CfnAgent.AgentActionGroupProperty(
                                action_group_name="lookup",
                                action_group_executor=bedrock.CfnAgent.ActionGroupExecutorProperty(lambda_=function.function_arn),
                                function_schema=bedrock.CfnAgent.FunctionSchemaProperty(functions=[
                                    bedrock.CfnAgent.FunctionProperty(name="lookup_order", description="Look up an order")]))])


def tool_findings(stack, phase=Phase.ADVANCED):
    """Unacknowledged findings on the tool's resources (the agent fixture belongs to another layer)."""
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, phase, set(Capability))
                  if not f.acknowledged and not f.workload and f.resource.startswith(("Tool", "Network")))


@pytest.fixture(scope="module")
def default():
    app = cdk.App()
    AiSecurityChecks(app, phase=Phase.ADVANCED)
    stack = cdk.Stack(app, "Tools")
    function = tool(stack)
    return stack, function


@pytest.fixture(scope="module")
def template(default):
    return Template.from_stack(default[0])


def test_function_runs_in_the_workload_subnets_with_its_own_security_group(template):
    template.has_resource_properties("AWS::Lambda::Function", {"VpcConfig": {
        "SubnetIds": [{"Ref": Match.string_like_regexp("NetworkVpcWorkloadSubnet1")},
                      {"Ref": Match.string_like_regexp("NetworkVpcWorkloadSubnet2")}],
        "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("ToolSecurityGroup"), "GroupId"]}]}})
    template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": Match.string_like_regexp("tool function"),
        "SecurityGroupEgress": [Match.object_like({"FromPort": 443, "ToPort": 443, "IpProtocol": "tcp"})]})


def test_own_role_without_managed_policies(template):
    roles = template.find_resources("AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("one tool function")}})
    (role,) = roles.values()
    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    (vpc_access,) = role["Properties"]["Policies"]
    assert vpc_access["PolicyDocument"]["Statement"] == [{
        "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                   "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        "Effect": "Allow", "Resource": "*"}]
    template.has_resource_properties("AWS::Lambda::Function", {
        "Handler": "index.handler", "Runtime": "python3.14", "Role": {"Fn::GetAtt": [next(iter(roles)), "Arn"]}})


def test_logs_go_to_its_own_encrypted_masked_group(template):
    template.has_resource_properties("AWS::Lambda::Function", {
        "LoggingConfig": {"LogGroup": {"Ref": Match.string_like_regexp("ToolLogsLogGroup")}},
        "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("ToolKey"), "Arn"]}})
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "LogGroupName": Match.absent(), "RetentionInDays": 365,
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("ToolKey"), "Arn"]},
        "DataProtectionPolicy": Match.object_like({"Name": "aisec-mask-pii"})})
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([{
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("ToolLogsLogGroup"), "Arn"]}}])}})


def test_concurrency_is_reserved_and_loops_terminate(template):
    template.has_resource_properties("AWS::Lambda::Function", {
        "ReservedConcurrentExecutions": 10, "RecursiveLoop": "Terminate", "CodeSigningConfigArn": Match.absent()})


def test_no_opt_out_annotation_by_default(default):
    assert Annotations.from_stack(default[0]).find_warning("*", Match.string_like_regexp("aisec:")) == []


def test_signing_profiles_enforce_code_signing():
    stack = cdk.Stack(cdk.App(), "Signed")
    profile = signer.SigningProfile(stack, "Profile", platform=signer.Platform.AWS_LAMBDA_SHA384_ECDSA)
    tool(stack, signing_profiles=[profile])
    template = synth(stack)
    template.has_resource_properties("AWS::Lambda::CodeSigningConfig", {
        "AllowedPublishers": {"SigningProfileVersionArns": [{"Fn::GetAtt": [Match.string_like_regexp("Profile"), "ProfileVersionArn"]}]},
        "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": "Enforce"}})
    template.has_resource_properties("AWS::Lambda::Function", {
        "CodeSigningConfigArn": {"Fn::GetAtt": [Match.string_like_regexp("ToolCodeSigning"), "CodeSigningConfigArn"]}})
    assert lint_errors(template.to_json()) == []


def test_unreserved_concurrency_needs_the_flag_and_is_recorded():
    with pytest.raises(ValueError, match="allow_unreserved_concurrency"):
        tool(cdk.Stack(cdk.App(), "Refused"), reserved_concurrent_executions=None)
    stack = cdk.Stack(cdk.App(), "Unbounded")
    tool(stack, reserved_concurrent_executions=None, allow_unreserved_concurrency=True)
    synth(stack).has_resource_properties("AWS::Lambda::Function", {"ReservedConcurrentExecutions": Match.absent()})
    Annotations.from_stack(stack).has_warning("/Unbounded/Tool", Match.string_like_regexp("allow_unreserved_concurrency=True"))


def test_service_invocation_is_bound_to_one_source():
    stack = cdk.Stack(cdk.App(), "Invoke")
    function = tool(stack)
    function.allow_service_invocation("Bedrock", "bedrock.amazonaws.com",
                                      "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ")
    synth(stack).has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "Principal": "bedrock.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"}, "SourceArn": "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ"})


def test_shared_network_and_key_are_reused():
    stack = cdk.Stack(cdk.App(), "Shared")
    network = IsolatedNetwork(stack, "Network")
    first = tool(stack, "First", network=network)
    tool(stack, "Second", network=network, encryption_key=first.encryption_key)
    template = synth(stack)
    template.resource_count_is("AWS::EC2::VPC", 1)
    template.resource_count_is("AWS::Lambda::Function", 3)  # two tools and CDK's default-security-group handler
    assert len(template.find_resources("AWS::KMS::Key")) == 2  # flow logs, shared tool key


# -- compliance -----------------------------------------------------------------------------------

def test_default_passes_the_pack_at_advanced_and_cfn_lint(default, template):
    assert stack_findings(default[0], Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []


def test_as_an_agent_tool_only_code_signing_is_asked_at_advanced():
    app = cdk.App()
    AiSecurityChecks(app, phase=Phase.ADVANCED)
    stack = cdk.Stack(app, "AgentTools")
    function = tool(stack)
    agent(stack, function)
    assert tool_findings(stack, Phase.ENHANCED) == []
    assert tool_findings(stack, Phase.ADVANCED) == ["AISEC-INF-13[CodeSigningConfigArn] @ ToolFunction6B6A65C4"]
    synth(stack)


def test_signed_agent_tool_passes_at_advanced():
    app = cdk.App()
    AiSecurityChecks(app, phase=Phase.ADVANCED)
    stack = cdk.Stack(app, "SignedTools")
    profile = signer.SigningProfile(stack, "Profile", platform=signer.Platform.AWS_LAMBDA_SHA384_ECDSA)
    agent(stack, tool(stack, signing_profiles=[profile]))
    assert tool_findings(stack, Phase.ADVANCED) == []
    synth(stack)


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Tools")
    tool(stack)
    assert aws_solutions_errors(app) == []
    synth(stack)
