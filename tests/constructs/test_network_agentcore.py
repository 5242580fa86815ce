"""AgentCore network helpers: runtimes, code interpreters, browsers and gateway targets placed in an
IsolatedNetwork pass the infrastructure rules and cfn-lint."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk.assertions import Match, Template

from aisec_constructs.infrastructure import (
    IsolatedNetwork,
    browser_network_configuration,
    code_interpreter_network_configuration,
    gateway_target_private_endpoint,
    runtime_network_configuration,
)
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors

ROLE = "arn:aws:iam::123456789012:role/agent"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent@sha256:" + "ab" * 32
NETWORK_RULES = ("AISEC-INF-01", "AISEC-INF-05", "AISEC-INF-06", "AISEC-INF-07", "AISEC-INF-08", "AISEC-INF-12")


def synth(stack):
    """The stack's template, checked by cfn-lint (every template these tests synthesize must pass)."""
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    return template



@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "AgentCore")
    network = IsolatedNetwork(stack, "Network", capabilities=[Capability.ACTS])
    agentcore.CfnRuntime(stack, "Runtime", agent_runtime_name="support_agent", role_arn=ROLE,
                         agent_runtime_artifact=agentcore.CfnRuntime.AgentRuntimeArtifactProperty(
                             container_configuration=agentcore.CfnRuntime.ContainerConfigurationProperty(container_uri=IMAGE)),
                         network_configuration=runtime_network_configuration(network))
    agentcore.CfnCodeInterpreterCustom(stack, "Interpreter", name="interpreter",
                                       network_configuration=code_interpreter_network_configuration(network))
    own_group = network.add_workload_security_group(stack, "BrowserGroup", "browser")
    agentcore.CfnBrowserCustom(stack, "Browser", name="browser",
                               network_configuration=browser_network_configuration(network, security_groups=[own_group]))
    balancer = elbv2.ApplicationLoadBalancer(stack, "ToolServer", vpc=network.vpc, internet_facing=False,
                                             vpc_subnets=network.subnet_selection)
    agentcore.CfnGatewayTarget(stack, "Target", name="tools", gateway_identifier="gw-0123456789",
                               target_configuration=agentcore.CfnGatewayTarget.TargetConfigurationProperty(
                                   mcp=agentcore.CfnGatewayTarget.McpTargetConfigurationProperty(
                                       mcp_server=agentcore.CfnGatewayTarget.McpServerTargetConfigurationProperty(
                                           endpoint=f"https://{balancer.load_balancer_dns_name}/mcp"))),
                               private_endpoint=gateway_target_private_endpoint(network))
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return synth(stack)


def test_runtime_is_in_vpc_mode_in_the_workload_subnets(template):
    template.has_resource_properties("AWS::BedrockAgentCore::Runtime", {"NetworkConfiguration": {
        "NetworkMode": "VPC", "NetworkModeConfig": {
            "Subnets": [{"Ref": Match.string_like_regexp("WorkloadSubnet1")}, {"Ref": Match.string_like_regexp("WorkloadSubnet2")}],
            "SecurityGroups": [{"Fn::GetAtt": [Match.string_like_regexp("NetworkWorkloadSecurityGroup"), "GroupId"]}]}}})


def test_tools_are_in_vpc_mode(template):
    template.has_resource_properties("AWS::BedrockAgentCore::CodeInterpreterCustom", {"NetworkConfiguration": {
        "NetworkMode": "VPC", "VpcConfig": {"Subnets": Match.any_value(), "SecurityGroups": Match.any_value()}}})
    template.has_resource_properties("AWS::BedrockAgentCore::BrowserCustom", {"NetworkConfiguration": {
        "NetworkMode": "VPC", "VpcConfig": {"Subnets": Match.any_value(),
                                            "SecurityGroups": [{"Fn::GetAtt": [Match.string_like_regexp("BrowserGroup"), "GroupId"]}]}}})


def test_gateway_target_uses_the_managed_vpc_resource(template):
    template.has_resource_properties("AWS::BedrockAgentCore::GatewayTarget", {"PrivateEndpoint": {"ManagedVpcResource": {
        "VpcIdentifier": {"Ref": Match.string_like_regexp("NetworkVpc")}, "EndpointIpAddressType": "IPV4",
        "SubnetIds": Match.any_value(), "SecurityGroupIds": Match.any_value()}}})


def test_network_rules_pass_at_advanced(stack):
    aisec = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    found = evaluate(aisec, Phase.ADVANCED, set(Capability), rules=[BY_ID[r] for r in NETWORK_RULES])
    assert [f"{f.id} @ {f.resource}" for f in found] == []


def test_without_the_helper_the_rules_report():
    stack = cdk.Stack(cdk.App(), "Public")
    agentcore.CfnCodeInterpreterCustom(stack, "Interpreter", name="interpreter",
                                       network_configuration={"networkMode": "SANDBOX"})
    aisec = AisecTemplate(synth(stack).to_json(), stack.stack_name)
    found = evaluate(aisec, Phase.ENHANCED, set(Capability), rules=[BY_ID["AISEC-INF-06"]])
    assert [f.id for f in found] == ["AISEC-INF-06"]


def test_cfn_lint(template):
    assert lint_errors(template.to_json()) == []
