"""IsolatedNetwork: each secure default, each opt-out (with its annotation), existing VPCs,
compliance with the aisec pack at Advanced, AwsSolutionsChecks and cfn-lint."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.infrastructure import IsolatedNetwork, ai_services
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.cdk.pack import AiSecurityChecks
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

ACCOUNT_CONDITION = {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}}


def synth(stack):
    """The stack's template, checked by cfn-lint (every template these tests synthesize must pass)."""
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    return template



def service(name):
    return {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{name}"]]}


def services_of(template):
    names = []
    for endpoint in template.find_resources("AWS::EC2::VPCEndpoint").values():
        names.append(endpoint["Properties"]["ServiceName"]["Fn::Join"][1][2].lstrip("."))
    return sorted(names)


def inf_findings(stack, capabilities=None, phase=Phase.ADVANCED):
    """Unacknowledged infrastructure-rule findings (with the given capabilities, else detected)."""
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, phase, capabilities)
                  if f.rule.id.startswith("AISEC-INF") and not f.acknowledged)


def pack_stack(name, **props):
    """A stack in an app with the aisec pack (its aspect writes acknowledgements into the template)."""
    app = cdk.App()
    AiSecurityChecks(app, phase=Phase.ADVANCED)
    stack = cdk.Stack(app, name)
    network = IsolatedNetwork(stack, "Network", **props)
    return stack, network


@pytest.fixture(scope="module")
def answers():
    return pack_stack("Answers")


@pytest.fixture(scope="module")
def agent():
    return pack_stack("Agent", capabilities=[Capability.ACTS], container_images=True, dynamodb=True)


@pytest.fixture(scope="module")
def answers_template(answers):
    return Template.from_stack(answers[0])


@pytest.fixture(scope="module")
def agent_template(agent):
    return Template.from_stack(agent[0])


def test_subnets_are_isolated_with_no_route_out(answers_template):
    answers_template.resource_count_is("AWS::EC2::Subnet", 2)
    answers_template.resource_count_is("AWS::EC2::NatGateway", 0)
    answers_template.resource_count_is("AWS::EC2::InternetGateway", 0)
    answers_template.resource_count_is("AWS::EC2::Route", 0)
    answers_template.all_resources_properties("AWS::EC2::Subnet", {"MapPublicIpOnLaunch": False})
    answers_template.has_resource_properties("AWS::EC2::VPC", {"EnableDnsHostnames": True, "EnableDnsSupport": True})
    answers_template.resource_count_is("Custom::VpcRestrictDefaultSG", 1)


def test_answer_workload_gets_runtime_and_support_endpoints(answers_template):
    assert services_of(answers_template) == ["bedrock-runtime", "kms", "logs", "s3", "secretsmanager", "sts"]
    answers_template.has_resource_properties("AWS::EC2::VPCEndpoint", {
        "ServiceName": service("bedrock-runtime"), "VpcEndpointType": "Interface", "PrivateDnsEnabled": True,
        "SubnetIds": Match.any_value(), "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("EndpointSecurityGroup"), "GroupId"]}]})


def test_s3_gateway_endpoint_on_the_workload_route_tables(answers_template):
    answers_template.has_resource_properties("AWS::EC2::VPCEndpoint", {
        "ServiceName": service("s3"), "VpcEndpointType": "Gateway",
        "RouteTableIds": [{"Ref": Match.string_like_regexp("WorkloadSubnet1RouteTable")},
                          {"Ref": Match.string_like_regexp("WorkloadSubnet2RouteTable")}]})


def test_endpoint_capabilities():
    assert ai_services([Capability.ANSWERS]) == ["bedrock-runtime"]
    assert ai_services(["connects"]) == ["bedrock-runtime", "bedrock-agent-runtime"]
    assert ai_services([Capability.ACTS]) == ["bedrock-runtime", "bedrock-agent-runtime", "bedrock-agent",
                                              "bedrock-agentcore", "bedrock-agentcore.gateway"]


def test_agent_workload_gets_agent_container_and_dynamodb_endpoints(agent_template):
    assert services_of(agent_template) == [
        "bedrock-agent", "bedrock-agent-runtime", "bedrock-agentcore", "bedrock-agentcore.gateway", "bedrock-runtime",
        "dynamodb", "ecr.api", "ecr.dkr", "kms", "logs", "s3", "secretsmanager", "sts"]


def test_endpoint_policies_are_scoped_to_the_account(agent_template):
    for endpoint in agent_template.find_resources("AWS::EC2::VPCEndpoint").values():
        props = endpoint["Properties"]
        name = props["ServiceName"]["Fn::Join"][1][2]
        first = props["PolicyDocument"]["Statement"][0]
        if name.startswith(".bedrock-agentcore"):
            assert first == {"Action": "bedrock-agentcore:*", "Effect": "Allow", "Principal": {"AWS": "*"},
                             "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":bedrock-agentcore:",
                                                            {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":*"]]}}
        else:
            assert first == {"Action": "*", "Condition": ACCOUNT_CONDITION, "Effect": "Allow",
                             "Principal": {"AWS": "*"}, "Resource": "*"}


def test_container_images_let_ecr_layers_through_the_s3_endpoint(agent_template):
    agent_template.has_resource_properties("AWS::EC2::VPCEndpoint", {"ServiceName": service("s3"), "PolicyDocument": {
        "Statement": Match.array_with([{"Action": "s3:GetObject", "Effect": "Allow", "Principal": {"AWS": "*"},
                                        "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::prod-",
                                                                       {"Ref": "AWS::Region"}, "-starport-layer-bucket/*"]]}}])}})


def test_security_groups_allow_only_https_from_inside(answers_template):
    answers_template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": Match.string_like_regexp("interface endpoints"),
        "SecurityGroupIngress": [{"CidrIp": "10.0.0.0/16",
                                  "Description": "HTTPS from inside the VPC", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}]})
    groups = answers_template.find_resources("AWS::EC2::SecurityGroup", {"Properties": {
        "GroupDescription": Match.string_like_regexp("AI workloads")}})
    (workload,) = groups.values()
    assert "SecurityGroupIngress" not in workload["Properties"]
    assert [(e["FromPort"], e["ToPort"], e["IpProtocol"]) for e in workload["Properties"]["SecurityGroupEgress"]] == [(443, 443, "tcp")]


def test_flow_logs_of_all_traffic_to_an_encrypted_retained_group(answers_template):
    answers_template.has_resource_properties("AWS::EC2::FlowLog", {
        "ResourceType": "VPC", "ResourceId": {"Ref": Match.string_like_regexp("NetworkVpc")}, "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs", "LogGroupName": {"Ref": Match.string_like_regexp("FlowLogsLogGroup")}})
    answers_template.has_resource_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("FlowLogsKey"), "Arn"]}, "RetentionInDays": 365})


def test_flow_log_group_acknowledges_pii_masking_with_a_reason(answers_template):
    (group,) = answers_template.find_resources("AWS::Logs::LogGroup").values()
    acks = group["Metadata"]["cdk_nag"]["rules_to_suppress"]
    (ack,) = [a for a in acks if a["id"] == "AISEC-DATA-23"]
    assert "connection metadata" in ack["reason"]


def test_no_opt_out_annotations_by_default(answers):
    stack, _ = answers
    assert Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("aisec:")) == []


# -- opt-outs -------------------------------------------------------------------------------------

def test_internet_egress_adds_nat_and_is_recorded_and_reported():
    stack = cdk.Stack(cdk.App(), "Egress")
    network = IsolatedNetwork(stack, "Network", allow_internet_egress=True)
    template = synth(stack)
    template.resource_count_is("AWS::EC2::NatGateway", 1)
    template.resource_count_is("AWS::EC2::InternetGateway", 1)
    template.resource_count_is("AWS::EC2::Subnet", 4)
    template.has_resource_properties("AWS::EC2::Route", {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": Match.any_value()})
    assert network.vpc.isolated_subnets == [] and len(network.vpc.private_subnets) == 2
    assert network.subnet_selection.subnet_group_name == "Workload"
    Annotations.from_stack(stack).has_warning("/Egress/Network", Match.string_like_regexp("allow_internet_egress=True"))


def test_public_subnets_without_egress_keep_workloads_isolated():
    stack = cdk.Stack(cdk.App(), "Public")
    network = IsolatedNetwork(stack, "Network", allow_public_subnets=True)
    template = synth(stack)
    template.resource_count_is("AWS::EC2::InternetGateway", 1)
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    assert network.vpc.private_subnets == [] and len(network.vpc.isolated_subnets) == 2
    assert len(network.subnet_ids) == 2
    Annotations.from_stack(stack).has_warning("/Public/Network", Match.string_like_regexp("allow_public_subnets=True"))


def test_open_endpoint_policies_are_recorded_and_reported():
    stack = cdk.Stack(cdk.App(), "Open")
    IsolatedNetwork(stack, "Network", allow_open_endpoint_policies=True, support_services=())
    template = synth(stack)
    for endpoint in template.find_resources("AWS::EC2::VPCEndpoint").values():
        assert "PolicyDocument" not in endpoint["Properties"]
    Annotations.from_stack(stack).has_warning("/Open/Network", Match.string_like_regexp("allow_open_endpoint_policies=True"))
    assert inf_findings(stack) == ["AISEC-INF-03 @ NetworkBedrockRuntimeEndpointFAB02D19", "AISEC-INF-03 @ NetworkS3EndpointDED08CEB"]


def test_disabling_flow_logs_is_recorded_and_reported():
    stack = cdk.Stack(cdk.App(), "NoLogs")
    IsolatedNetwork(stack, "Network", disable_flow_logs=True, support_services=())
    synth(stack).resource_count_is("AWS::EC2::FlowLog", 0)
    Annotations.from_stack(stack).has_warning("/NoLogs/Network", Match.string_like_regexp("disable_flow_logs=True"))
    assert inf_findings(stack) == ["AISEC-INF-12 @ NetworkVpc7FB7348F"]


def test_support_services_can_be_trimmed_and_extended():
    stack = cdk.Stack(cdk.App(), "Trim")
    network = IsolatedNetwork(stack, "Network", support_services=("kms",), additional_services=("bedrock",))
    assert services_of(synth(stack)) == ["bedrock", "bedrock-runtime", "kms", "s3"]
    assert sorted(network.interface_endpoints) == ["bedrock", "bedrock-runtime", "kms"]


# -- existing VPCs --------------------------------------------------------------------------------

def test_existing_vpc_of_the_app_gets_only_what_is_missing():
    stack = cdk.Stack(cdk.App(), "Existing")
    vpc = ec2.Vpc(stack, "Shared", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    vpc.add_interface_endpoint("Runtime", service=ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME)
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    vpc.add_flow_log("Flow")
    network = IsolatedNetwork(stack, "Network", vpc=vpc, support_services=("kms",))
    template = synth(stack)
    assert services_of(template) == ["bedrock-runtime", "kms", "s3"]
    template.resource_count_is("AWS::EC2::FlowLog", 1)
    assert network.flow_log is None and sorted(network.interface_endpoints) == ["kms"]


def test_imported_vpc_with_named_existing_controls():
    stack = cdk.Stack(cdk.App(), "Imported")
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Shared", vpc_id="vpc-0123456789abcdef0", vpc_cidr_block="10.10.0.0/16",
                                      availability_zones=["us-east-1a", "us-east-1b"],
                                      isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                                      isolated_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"])
    IsolatedNetwork(stack, "Network", vpc=vpc, existing_endpoints=["bedrock-runtime", "s3"], existing_flow_logs=True,
                    support_services=("kms",))
    template = synth(stack)
    assert services_of(template) == ["kms"]
    template.resource_count_is("AWS::EC2::FlowLog", 0)
    template.has_resource_properties("AWS::EC2::VPCEndpoint", {"VpcId": "vpc-0123456789abcdef0",
                                                               "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]})
    assert lint_errors(template.to_json()) == []


def test_imported_vpc_gets_a_flow_log_when_not_named():
    stack = cdk.Stack(cdk.App(), "ImportedLogs")
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Shared", vpc_id="vpc-0123456789abcdef0", vpc_cidr_block="10.10.0.0/16",
                                      availability_zones=["us-east-1a"], isolated_subnet_ids=["subnet-0123456789abcdef0"],
                                      isolated_subnet_route_table_ids=["rtb-0123456789abcdef0"])
    IsolatedNetwork(stack, "Network", vpc=vpc, support_services=())
    template = synth(stack)
    template.has_resource_properties("AWS::EC2::FlowLog", {"ResourceId": "vpc-0123456789abcdef0", "TrafficType": "ALL"})
    template.has_resource_properties("AWS::EC2::VPCEndpoint", {"ServiceName": service("s3"), "RouteTableIds": ["rtb-0123456789abcdef0"]})
    assert inf_findings(stack, capabilities={Capability.ANSWERS, Capability.CONNECTS}) == [
        "AISEC-INF-01[bedrock-agent-runtime] @ NetworkBedrockRuntimeEndpointFAB02D19"]


def test_existing_vpc_cannot_be_opened_by_the_construct():
    stack = cdk.Stack(cdk.App(), "Refused")
    vpc = ec2.Vpc(stack, "Shared", max_azs=1)
    with pytest.raises(ValueError, match="existing VPC"):
        IsolatedNetwork(stack, "Network", vpc=vpc, allow_internet_egress=True)


# -- compliance -----------------------------------------------------------------------------------

def test_default_passes_the_pack_at_advanced_and_cfn_lint(answers, answers_template):
    assert stack_findings(answers[0], Phase.ADVANCED) == []
    assert inf_findings(answers[0], capabilities={Capability.ANSWERS}) == []
    assert lint_errors(answers_template.to_json()) == []


def test_agent_network_passes_the_pack_at_advanced_and_cfn_lint(agent, agent_template):
    assert stack_findings(agent[0], Phase.ADVANCED) == []
    assert inf_findings(agent[0], capabilities=set(Capability)) == []
    assert lint_errors(agent_template.to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Network")
    IsolatedNetwork(stack, "Answers")
    IsolatedNetwork(stack, "Agent", capabilities=["acts"], container_images=True, dynamodb=True)
    assert aws_solutions_errors(app) == []
    synth(stack)
