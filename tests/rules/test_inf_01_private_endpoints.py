from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-01"


def service(name):
    return {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{name}"]]}


def endpoint(name, vpc="Vpc", private_dns=True, kind="Interface"):
    props = {"ServiceName": service(name), "VpcId": {"Ref": vpc} if isinstance(vpc, str) and not vpc.startswith("vpc-") else vpc,
             "VpcEndpointType": kind, "SubnetIds": [{"Ref": "Subnet"}]}
    if private_dns is not None:
        props["PrivateDnsEnabled"] = private_dns
    return {"Type": "AWS::EC2::VPCEndpoint", "Properties": props}


def network():
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
    }


def tool(subnets=None):
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Role": "arn:aws:iam::123456789012:role/r", "Runtime": "python3.12", "Handler": "index.handler",
        "Code": {"ZipFile": "x"},
        "VpcConfig": {"SubnetIds": subnets or [{"Ref": "Subnet"}], "SecurityGroupIds": ["sg-12345678"]}}}


def test_answers_stack_with_runtime_endpoint_passes():
    resources = {**network(), "Tool": tool(), "Runtime": endpoint("bedrock-runtime")}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []


def test_missing_endpoints_are_reported_per_service_on_the_vpc():
    resources = {**network(), "Tool": tool()}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS, Capability.CONNECTS}) == [
        ("AISEC-INF-01[bedrock-agent-runtime]", "Vpc"), ("AISEC-INF-01[bedrock-runtime]", "Vpc")]


def test_agentcore_resources_need_agentcore_and_gateway_endpoints():
    resources = {**network(), "Tool": tool(), "Runtime": endpoint("bedrock-runtime"),
                 "Gw": {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": {"Name": "gw"}}}
    assert findings(RULE, resources, capabilities={Capability.ACTS}) == [
        ("AISEC-INF-01[bedrock-agentcore.gateway]", "Vpc"), ("AISEC-INF-01[bedrock-agentcore]", "Vpc")]
    resources.update(Core=endpoint("bedrock-agentcore"), CoreGw=endpoint("bedrock-agentcore.gateway"))
    assert findings(RULE, resources, capabilities={Capability.ACTS}) == []


def test_acts_without_agent_resources_needs_both_agent_planes():
    resources = {**network(), "Tool": tool(), "Runtime": endpoint("bedrock-runtime")}
    assert findings(RULE, resources, capabilities={Capability.ACTS}) == [
        ("AISEC-INF-01[bedrock-agent-runtime]", "Vpc"), ("AISEC-INF-01[bedrock-agentcore]", "Vpc")]


def test_endpoint_in_another_vpc_does_not_count():
    resources = {**network(), "Tool": tool(), "Other": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
                 "Runtime": endpoint("bedrock-runtime", vpc="Other")}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [("AISEC-INF-01[bedrock-runtime]", "Vpc")]


def test_gateway_type_endpoint_does_not_count_and_fips_does():
    resources = {**network(), "Tool": tool(), "Runtime": endpoint("bedrock-runtime", kind="Gateway", private_dns=None)}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [("AISEC-INF-01[bedrock-runtime]", "Vpc")]
    resources["Runtime"] = endpoint("bedrock-runtime-fips")
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []


def test_private_dns_must_be_on():
    resources = {**network(), "Tool": tool(), "Runtime": endpoint("bedrock-runtime", private_dns=None)}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [("AISEC-INF-01[PrivateDnsEnabled]", "Runtime")]
    resources["Runtime"] = endpoint("bedrock-runtime", private_dns="false")
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [("AISEC-INF-01[PrivateDnsEnabled]", "Runtime")]


def test_private_dns_from_parameter_default_is_judged():
    resources = {**network(), "Tool": tool(), "Runtime": endpoint("bedrock-runtime", private_dns={"Ref": "Dns"})}
    params = {"Parameters": {"Dns": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"]}}}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}, **params) == [
        ("AISEC-INF-01[PrivateDnsEnabled]", "Runtime")]
    assert any("PrivateDnsEnabled is not true (from the default of parameter Dns)" in m
               for m in messages(RULE, resources, **params))


def test_no_in_vpc_compute_means_nothing_to_check():
    resources = {**network(), "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
        "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}, "Runtime": "python3.12", "Handler": "i.h"}}}
    assert findings(RULE, resources) == []


def test_subnets_from_outside_the_template_say_so_and_accept_any_endpoint():
    resources = {"Tool": tool(subnets=["subnet-0123456789abcdef0"])}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == [("AISEC-INF-01[bedrock-runtime]", "Tool")]
    assert "acknowledge this finding" in messages(RULE, resources)[0]
    resources["Runtime"] = endpoint("bedrock-runtime", vpc={"Fn::ImportValue": "Net-VpcId"})
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []


def test_agentcore_runtime_in_vpc_mode_is_a_caller_and_imported_vpc_matches_by_text():
    imported = {"Fn::ImportValue": "Net-VpcId"}
    subnet = {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": imported, "CidrBlock": "10.0.1.0/24"}}
    runtime = {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {
        "AgentRuntimeName": "agent", "RoleArn": "arn:aws:iam::123456789012:role/r",
        "AgentRuntimeArtifact": {"ContainerConfiguration": {"ContainerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"}},
        "NetworkConfiguration": {"NetworkMode": "VPC", "NetworkModeConfig": {"Subnets": [{"Ref": "Sub"}], "SecurityGroups": ["sg-12345678"]}}}}
    resources = {"Sub": subnet, "Agent": runtime}
    assert findings(RULE, resources, capabilities={Capability.ACTS}) == [
        ("AISEC-INF-01[bedrock-agentcore]", "Agent"), ("AISEC-INF-01[bedrock-runtime]", "Agent")]
    resources.update(R=endpoint("bedrock-runtime", vpc=imported), C=endpoint("bedrock-agentcore", vpc=imported))
    assert findings(RULE, resources, capabilities={Capability.ACTS}) == []


def test_phase_and_odd_shapes():
    resources = {**network(), "Tool": tool(), "Odd": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
        "ServiceName": ["not", "a", "string"], "VpcId": {"Ref": "Vpc"}, "VpcEndpointType": {"Fn::If": ["C", "Interface", "Gateway"]}}}}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    assert ("AISEC-INF-01[bedrock-runtime]", "Vpc") in findings(RULE, resources, capabilities={Capability.ANSWERS})
